"""The editor's side of the review tab: every field that will ship, as the checks saw it, and the
boxes for each category the checks warned about (approving needs them ticked; the ticks go into
the audit trail). ``review_panel`` puts them in the decision form."""

from __future__ import annotations

import html

import streamlit as st

from studio.checks.highlight import highlight_html
from studio.checks.policy import ACKNOWLEDGEMENTS, acknowledgement_label
from studio.checks.presentation import marks_for
from studio.checks.report import FIELD_LABELS
from studio.drafting.schemas import DraftDetail
from studio.publishing.derivation import CONTENT_FIELDS
from studio.publishing.fields import PUBLISH_STATUS_LABELS
from studio.ui.findings_panel import groups_of

#: How the decision form names an acknowledgement box among its fields.
ACK_PREFIX = "ack:"


def _text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def ship_preview(view: DraftDetail) -> None:
    """What a CMS import of this draft carries, field by field, with the checks' marks."""
    groups = groups_of(view)
    rows = []
    for name in CONTENT_FIELDS:
        value = _text(view.publishing.get(name))
        cell = highlight_html(value, marks_for(groups, name), markdown=False) if value else "<em>empty</em>"
        flag = (
            '<div style="color:#b45309;font-size:0.85em">May be out of date: set by hand before the text changed</div>'
            if name in view.stale_fields else ""
        )  # fmt: skip
        rows.append((FIELD_LABELS[name], cell + flag))
    when = view.publishing.get("publish_date")
    status = PUBLISH_STATUS_LABELS.get(view.publishing.get("publish_status"), view.publishing.get("publish_status"))
    rows.append(("Publish", html.escape(f"{status}" + (f", {when:%Y-%m-%d %H:%M} UTC" if when else ""))))
    rows.append(("Text", html.escape(f"Revision {view.revision or '—'} (marked on the Text and checks tab)")))
    body = "".join(
        f'<tr><th style="text-align:left;vertical-align:top;padding:4px 8px;white-space:nowrap">{html.escape(k)}</th>'
        f'<td style="padding:4px 8px">{v}</td></tr>'
        for k, v in rows
    )
    st.markdown("**What will ship**")
    st.html(f'<table style="border-collapse:collapse;width:100%">{body}</table>')


def acknowledgement_boxes(view: DraftDetail) -> dict[str, str]:
    """Inside the decision form: one box per category the checks warned about. Returns the
    form's fields for them (``ACK_PREFIX`` + key → the box's widget key)."""
    if not view.acknowledgements:
        return {}
    st.caption("To approve, tick each category the checks warned about:")
    fields = {}
    for key in view.acknowledgements:
        ack = ACKNOWLEDGEMENTS.get(key)
        widget = f"ack_{view.id}_{view.version}_{key}"
        st.checkbox(acknowledgement_label(key), key=widget, help=ack.meaning if ack else None)
        fields[ACK_PREFIX + key] = widget
    return fields
