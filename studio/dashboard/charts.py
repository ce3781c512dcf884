"""Altair charts of the dashboard's tables (no Streamlit here: the page shows them)."""

from __future__ import annotations

from typing import Any

import altair as alt

STATUS_ORDER = ["Draft", "In review", "Changes requested", "Approved", "Rejected", "Exported"]
STATUS_COLOURS = ["#9e9e9e", "#1f77b4", "#ff9f1c", "#2ca02c", "#d62728", "#9467bd"]


def _empty(frame: Any) -> bool:
    return frame is None or len(frame) == 0


def drafts_by_status(frame: Any) -> alt.Chart | None:
    if _empty(frame):
        return None
    frame = frame.assign(status_rank=frame["status"].map({s: i for i, s in enumerate(STATUS_ORDER)}))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("yearmonthdate(day):O", title="Day", axis=alt.Axis(labelAngle=-45, format="%d %b")),
        y=alt.Y("drafts:Q", stack="zero", title="Drafts"),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=STATUS_ORDER, range=STATUS_COLOURS)),
        order=alt.Order("status_rank:Q"),
        tooltip=["day:T", "status:N", "drafts:Q"],
    ).properties(height=260)


def approvals(frame: Any) -> alt.Chart | None:
    if _empty(frame):
        return None
    base = alt.Chart(frame).encode(x=alt.X("yearmonthdate(week):O", title="Week of", axis=alt.Axis(labelAngle=-45, format="%d %b")))
    rate = base.mark_line(point=True).encode(
        y=alt.Y("approval_rate:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title="Approval rate"),
        tooltip=["week:T", "decisions:Q", "approved:Q", alt.Tooltip("approval_rate:Q", format=".0%")],
    )
    hours = base.mark_bar(opacity=0.35, color="#888").encode(
        y=alt.Y("median_hours_to_approval:Q", title="Median hours to approval"),
        tooltip=["week:T", "median_hours_to_approval:Q"],
    )
    return alt.layer(hours, rate).resolve_scale(y="independent").properties(height=260)


def findings(frame: Any) -> alt.Chart | None:
    if _empty(frame):
        return None
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("findings:Q", title="Findings", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("category:N", sort="-x", title="Category"),
        color=alt.Color("severity:N", title="Severity"),
        tooltip=["category:N", "severity:N", "findings:Q"],
    ).properties(height=220)


def overrides(frame: Any) -> alt.Chart | None:
    if _empty(frame):
        return None
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("yearmonthdate(week):O", title="Week of", axis=alt.Axis(labelAngle=-45, format="%d %b")),
        y=alt.Y("count():Q", title="Approvals without passing checks"),
        color=alt.Color("kind:N", title=""),
        tooltip=["week:T", "kind:N", "count():Q"],
    ).properties(height=200)


def cost(frame: Any, by: str) -> alt.Chart | None:
    """Cost per day, stacked by person or model; or the total per person/model."""
    if _empty(frame):
        return None
    if by == "day":
        return alt.Chart(frame).mark_bar().encode(
            x=alt.X("yearmonthdate(day):O", title="Day", axis=alt.Axis(labelAngle=-45, format="%d %b")),
            y=alt.Y("sum(cost_usd):Q", title="Cost (USD)"),
            color=alt.Color("model:N", title="Model"),
            tooltip=["day:T", "model:N", alt.Tooltip("sum(cost_usd):Q", format="$.4f")],
        ).properties(height=240)
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("sum(cost_usd):Q", title="Cost (USD)"),
        y=alt.Y(f"{by}:N", sort="-x", title=by.capitalize()),
        tooltip=[f"{by}:N", alt.Tooltip("sum(cost_usd):Q", format="$.4f"), "sum(calls):Q"],
    ).properties(height=200)


def batches(frame: Any) -> alt.Chart | None:
    if _empty(frame) or frame["rows_per_minute"].isna().all():
        return None
    return alt.Chart(frame.dropna(subset=["rows_per_minute"])).mark_bar().encode(
        x=alt.X("rows_per_minute:Q", title="Rows written per minute"),
        y=alt.Y("batch:N", sort=None, title="Batch"),
        tooltip=["batch:N", "rows:Q", "done:Q", "failed:Q", "minutes:Q", "rows_per_minute:Q"],
    ).properties(height=200)
