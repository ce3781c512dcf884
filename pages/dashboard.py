"""Dashboard (editors, admins): drafts, reviews, checks, cost and batches over a period."""

from datetime import date, timedelta

import streamlit as st

from studio import ui
from studio.dashboard import charts
from studio.dashboard.download import csv_bytes
from studio.dashboard.schemas import Filters
from studio.dashboard.service import dashboard
from studio.drafting.brief import CONTENT_TYPES
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Dashboard")

today = date.today()
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    period = c1.date_input("Period", (today - timedelta(days=29), today), max_value=today, key="dash_period")
    types = c2.multiselect("Content type", list(CONTENT_TYPES), format_func=CONTENT_TYPES.get, key="dash_types")
    known = st.session_state.get("dash_options", {})
    voice_labels = known.get("voices", {})
    voices = c3.multiselect("Voice", list(voice_labels), format_func=lambda k: voice_labels.get(k, k), key="dash_voices")
    models = c4.multiselect("Model", known.get("models", []), key="dash_models")

start, end = (period if isinstance(period, tuple) and len(period) == 2 else (period[0], period[0]) if isinstance(period, tuple) else (period, period))
data = ui.call(dashboard, user, Filters(start, end, tuple(types), tuple(voices), tuple(models)))
if data.options != known:
    st.session_state["dash_options"] = data.options
    st.rerun()


def section(title: str, chart, frame, name: str, empty: str) -> None:  # type: ignore[no-untyped-def]
    st.subheader(title)
    if chart is None:
        st.caption(empty)
    else:
        st.altair_chart(chart, width="stretch")
    st.download_button(f"Download the data (CSV, {len(frame)} rows)", csv_bytes(frame), f"{name}-{start}-{end}.csv",
                       "text/csv", key=f"dl_{name}", icon=":material/download:")


left, right = st.columns(2)
with left:
    section("Drafts by status", charts.drafts_by_status(data.drafts_by_status), data.drafts_by_status,
            "drafts-by-status", "No drafts in this period.")
with right:
    section("Approval rate and time to approval", charts.approvals(data.approvals), data.approvals,
            "approvals", "No review decisions in this period.")
left, right = st.columns(2)
with left:
    section("Findings by category", charts.findings(data.findings), data.findings, "findings",
            "No check findings in this period.")
with right:
    section("Approved without passing checks", charts.overrides(data.overrides), data.overrides, "overrides",
            "No overrides in this period: every approval passed its checks.")

st.subheader("Cost")
total = float(data.cost["cost_usd"].sum()) if len(data.cost) else 0.0
calls = int(data.cost["calls"].sum()) if len(data.cost) else 0
estimated = int(data.cost["estimated_calls"].sum()) if len(data.cost) else 0
st.caption(f"${total:,.4f} for {calls} model call(s) in this period"
           + (f"; tokens of {estimated} call(s) are estimated (the server did not report them)" if estimated else "") + ".")
c1, c2, c3 = st.columns(3)
for col, by, label in ((c1, "day", "per day"), (c2, "person", "per person"), (c3, "model", "per model")):
    with col:
        st.markdown(f"**Cost {label}**")
        chart = charts.cost(data.cost, by)
        if chart is None:
            st.caption("No model calls in this period.")
        else:
            st.altair_chart(chart, width="stretch")
st.download_button(f"Download the data (CSV, {len(data.cost)} rows)", csv_bytes(data.cost), f"cost-{start}-{end}.csv",
                   "text/csv", key="dl_cost", icon=":material/download:")

section("Batch throughput", charts.batches(data.batches), data.batches, "batches", "No batches in this period.")
