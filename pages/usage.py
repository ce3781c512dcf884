"""Usage & budgets (admins): what the models cost, the price table and the monthly budgets."""

from datetime import date

import pandas as pd
import streamlit as st

from studio import ui
from studio.accounts.service import people as list_people
from studio.ui import routing
from studio.usage.context import FEATURE_LABELS
from studio.usage.policy import money
from studio.usage.prices import PRICES_READ_ON, PRICES_SOURCE
from studio.usage.service import list_budgets, price_table, remove_budget, reset_price, set_budget, set_price, usage_summary

routing.guard(__file__)

user = ui.require_user()
st.title("Usage & budgets")
ui.show_flashes()

month_start = date.today().replace(day=1)
st.subheader(f"This month (since {month_start:%d %b %Y})")
by = st.radio("Group by", ["person", "model", "feature", "day"], horizontal=True, key="usage_by")
groups = ui.call(usage_summary, user, since=month_start, by=by)
if not groups:
    st.caption("No model calls this month.")
else:
    st.dataframe(pd.DataFrame([{
        by.capitalize(): FEATURE_LABELS.get(g.key, g.key) if by == "feature" else g.key, "Calls": g.calls,
        "Prompt tokens": g.prompt_tokens, "Completion tokens": g.completion_tokens, "Cost": money(g.cost),
        "Estimated": g.estimated_calls, "No price": g.unpriced_calls} for g in groups]),
        hide_index=True, width="stretch", key="usage_table")
    st.caption("Estimated: calls whose tokens the server did not report (counted or estimated instead). "
               "No price: calls to a model that has no price in the table below.")

st.subheader("Budgets")
budgets = ui.call(list_budgets, user)
if budgets:
    st.dataframe([{"For": b.owner, "Kind": "hard (refuses calls)" if b.hard else "soft (warns)",
                   "Monthly": money(b.monthly), "Spent this month": money(b.spent), "Left": money(b.left)}
                  for b in budgets], hide_index=True, width="stretch", key="budgets_table")
else:
    st.caption("No budgets: calls are not limited.")
people = [p for p in ui.call(list_people, user) if not p.disabled]
with st.form("budget_form"):
    c1, c2, c3 = st.columns([2, 1, 1])
    who = c1.selectbox("For", [None, *[p.name for p in people]],
                       format_func=lambda n: "The whole workspace" if n is None else next(p.label for p in people if p.name == n))
    amount = c2.number_input("US dollars per month", 0.0, 1_000_000.0, 25.0, 1.0)
    hard = c3.checkbox("Hard limit", value=False, help="Refuse calls that would pass it. Without it, the budget only warns.")
    c4, c5 = st.columns([1, 4])
    save = c4.form_submit_button("Save budget", type="primary")
    drop = c5.form_submit_button("Remove this budget")
if save and ui.attempt(set_budget, user, person=who, monthly=amount, hard=hard):
    ui.flash("Budget saved.")
    st.rerun()
if drop and ui.attempt(remove_budget, user, person=who) is not ui.REFUSED:
    ui.flash("Budget removed.")
    st.rerun()

st.subheader("Prices")
st.caption(f"US dollars per million tokens. Defaults: {PRICES_SOURCE}, read {PRICES_READ_ON:%d %b %Y}; prices change, "
           "so check them and set your own. Calls to servers other than OpenAI's (Ollama, vLLM, …) cost 0 unless a "
           "price here says 'any server'.")
rows = ui.call(price_table, user)
st.dataframe([{"Model": r.model, "Input": r.input_per_million, "Output": r.output_per_million, "Source": r.source,
               "Any server": "yes" if r.any_server else ""} for r in rows],
             hide_index=True, width="stretch", key="prices_table")
with st.form("price_form"):
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    model = c1.text_input("Model", placeholder="e.g. gpt-4o-mini or llama3.1")
    inp = c2.number_input("Input", 0.0, 10_000.0, 0.0, 0.01, format="%.3f")
    out = c3.number_input("Output", 0.0, 10_000.0, 0.0, 0.01, format="%.3f")
    anywhere = c4.checkbox("Any server")
    c5, c6 = st.columns([1, 4])
    save_price = c5.form_submit_button("Save price", type="primary")
    reset = c6.form_submit_button("Back to the default")
if save_price and ui.attempt(set_price, user, model, inp, out, any_server=anywhere):
    ui.flash(f"Price for {model} saved.")
    st.rerun()
if reset and ui.attempt(reset_price, user, model) is not ui.REFUSED:
    ui.flash(f"{model}: the admin price is removed.")
    st.rerun()
