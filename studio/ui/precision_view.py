"""Settings page section (admins): check precision from editors, the low-precision rules with
examples, and "allow this phrase" in one click (studio.precision)."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.schemas import Person
from studio.precision.schemas import Example, PrecisionReport, RulePrecision
from studio.precision.service import allow_phrase, rule_precision


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _rows(report: PrecisionReport) -> list[dict[str, object]]:
    return [
        {"Rule": r.rule, "Kind": f"{r.category}: {r.label}", "Acted on": r.acted, "Not acted on": r.not_acted,
         "Undecided": r.findings - r.decided, "Precision": _pct(r.precision),
         "95% interval": f"{r.interval[0]:.0%}–{r.interval[1]:.0%}" if r.decided else "—",
         "Low": "yes" if r.low else ""}
        for r in report.rules
    ]  # fmt: skip


def _example(user: Person, rule: RulePrecision, n: int, e: Example) -> None:
    where = f"{e.outcome} · draft {e.draft_id} “{e.draft_title}”, revision {e.revision}"
    st.caption(ui.md_escape(where))
    st.text(f"“{e.text}” in: {e.context}" if e.text else "(about the whole text)")
    if e.allowed:
        st.caption(ui.md_escape(f"“{e.text}” is an allowed phrase already."))
    elif e.allowable and can(user, "settings.manage"):
        if st.button(f"Allow “{e.text}”", key=f"precision_allow_{rule.rule}_{n}",
                     help="Adds the phrase to the workspace's allowed phrases: the checks let it through from the next check on."):  # fmt: skip
            done = ui.attempt(allow_phrase, user, e.text)
            if done:
                ui.flash(f"“{done.phrase}” is now an allowed phrase." if done.added
                         else f"“{done.phrase}” was an allowed phrase already.")  # fmt: skip
                st.rerun()
    elif not e.allowable:
        st.caption("The allowed phrases do not silence this kind of check.")


def show_check_precision(user: Person) -> None:
    if not can(user, "checks.precision"):
        return
    st.subheader("Check precision")
    st.caption(
        "How often editors act on each check rule's findings (a suggestion applied, the words edited) "
        "against dismissing them, overriding a block, or approving the text unchanged. Findings of drafts "
        "still in progress or rejected are undecided. A rule is low under 50% with at least 3 decided findings."
    )
    # Counting reads and compares every draft's revisions (python -m bench.bench_precision prints
    # how long), so it runs when an admin asks, not on every visit to Settings.
    if not st.toggle("Count check precision", key="precision_show"):
        return
    report = ui.call(rule_precision, user)
    if not report.rules:
        st.info("No check findings yet: the table fills as drafts are checked and reviewed.")
        return
    st.dataframe(_rows(report), hide_index=True, width="stretch", key="precision_table")
    if not report.low:
        st.caption("No rule is low: editors act on most of what the checks find.")
    for rule in report.low:
        with st.expander(f"{rule.rule}: {_pct(rule.precision)} acted on ({rule.acted} of {rule.decided})",
                         expanded=True):  # fmt: skip
            st.caption(ui.md_escape(
                f"Applied {rule.suggestion_applied}, edited {rule.edited}; dismissed {rule.dismissed}, "
                f"overridden {rule.overridden}, approved unchanged {rule.approved_unchanged}."))  # fmt: skip
            for n, e in enumerate(rule.examples):
                _example(user, rule, n, e)
