"""What the checks found, as the draft view shows it: the verdict with the most severe items
named first, a filter by category, the checked text rendered with its findings marked in place,
and one card per finding pattern (with its count) offering the suggestion for this occurrence or
for all of them, or saying what to do when no replacement is safe. The same marks appear on the
Publishing tab for the fields (`field_findings`) and in the review's "what will ship" table.
"""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.schemas import Person
from studio.checks.highlight import highlight_html, legend_html
from studio.checks.policy import VERDICT_LABELS, acknowledgement_label
from studio.checks.presentation import FindingGroup, filter_groups, group_findings, marks_for, summary
from studio.checks.report import CATEGORY_LABELS, FIELD_LABELS, SEVERITY_LABELS
from studio.drafting.schemas import DraftDetail
from studio.drafting.suggestions import apply_suggestion
from studio.precision.service import dismiss_finding, draft_dismissals
from studio.ui import actions, safe

VERDICT_STYLE = {"pass": "success", "warn": "warning", "block": "error", "unavailable": "error"}
MAX_BUTTONS = 3


def groups_of(view: DraftDetail) -> list[FindingGroup]:
    return group_findings(view.findings)


def verdict_banner(view: DraftDetail, groups: list[FindingGroup]) -> None:
    if view.verdict is None:
        st.info("This revision has not been checked yet.")
        return
    ran = [b["name"] for b in view.backends if b.get("status") == "ran" and b.get("tier") != "rules"]
    # The summary quotes the text ("risk-free returns"): it stays text (escaped), like every name.
    message = (
        f"**Checks: {VERDICT_LABELS.get(view.verdict, view.verdict)}** · {safe.inline(summary(groups))}"
        f" · toxicity checked with: {safe.inline(', '.join(ran) if ran else 'none')}"
    )
    if view.verdict == "unavailable":
        message += " — no toxicity check could run, so an editor must review this manually."
    if view.acknowledgements:
        message += " · To approve, an editor ticks: " + ", ".join(
            f"“{acknowledgement_label(k)}”" for k in view.acknowledgements
        )
    getattr(st, VERDICT_STYLE[view.verdict])(message)
    if view.stale_fields:
        names = ", ".join(FIELD_LABELS.get(n, n) for n in view.stale_fields)
        st.warning(
            f"May be out of date: {names}. These were set by hand and the text they came from changed "
            "since; see the Publishing tab."
        )


def show_checks(user: Person, view: DraftDetail) -> None:
    """The "Text and checks" tab."""
    if not view.body:
        st.info("No text yet: the generation did not produce any. Retry from the New draft page.")
        return
    groups = groups_of(view)
    verdict_banner(view, groups)
    if view.verdict is not None:
        with st.expander("What ran"):
            for b in view.backends:
                st.text(f"{b['name']}: {b['status']}" + (f" — {b['reason']}" if b.get("reason") else ""))
            score = view.signals.get("flesch_reading_ease")
            if score is not None:
                st.text(f"Readability (Flesch reading ease): {score}")
            coded = view.signals.get("gender_coded")
            if coded:
                st.text(f"Gender-coded wording (a tone note, never counted): {coded.get('coding')}")
    present = list(dict.fromkeys(g.category for g in groups))
    chosen = present
    if len(present) > 1:
        chosen = st.pills(
            "Show findings of", present, selection_mode="multi", default=present,
            format_func=lambda c: CATEGORY_LABELS.get(c, c), key=f"finding_filter_{view.id}_{view.revision}",
        ) or []  # fmt: skip
    shown = filter_groups(groups, chosen) if chosen else []
    st.html(legend_html())
    with st.container(border=True, key=f"checked_text_{view.id}"):
        st.html(highlight_html(view.body, marks_for(shown, "body")))
    if not groups:
        return
    if not shown:
        st.caption("No category chosen: pick one above to list its findings.")
    st.markdown("**Findings** (most severe first; numbers match the marks)")
    dismissed = ui.call(draft_dismissals, view.id, user)
    for g in shown:
        _card(user, view, g, dismissed=dismissed)


def _where(g: FindingGroup) -> str:
    if g.document_level:
        return "about the whole text" if g.field == "body" else f"about the {FIELD_LABELS[g.field].lower()}"
    return "" if g.field == "body" else f"in the {FIELD_LABELS.get(g.field, g.field).lower()}"


def _card(user: Person, view: DraftDetail, g: FindingGroup, prefix: str = "t", dismissed: set[int] | None = None) -> None:
    f = g.first
    sev = SEVERITY_LABELS.get(g.severity, g.severity)
    score = f" · score {g.score:.2f}" if g.score is not None else ""
    times = f" · ×{g.count}" if g.count > 1 else ""
    where = _where(g)
    k = f"{prefix}_{view.id}_{f.id}"
    with st.container(border=True, key=f"finding_{k}"):
        st.markdown(f"**{g.number}. {safe.inline(g.title)}** ({sev}{score}{times}){' · ' + where if where else ''}")
        if f.text:
            st.text(f.text)
        if f.note:
            safe.message("caption", f.note)
        editable = (view.edit_refusal if g.field == "body" else view.fields_refusal) is None
        if f.suggestions and editable and f.text:
            for i, suggestion in enumerate(f.suggestions[:MAX_BUTTONS]):
                cols = st.columns(2 if g.count > 1 else 1)
                one = "Use “{}” here" if g.count > 1 else "Use “{}”"
                with cols[0]:
                    actions.button(one.format(safe.inline(suggestion)), key=f"apply_{k}_{i}",
                                   action=_applying(user, view, f.id, suggestion, "one", f.text))  # fmt: skip
                if g.count > 1:
                    with cols[1]:
                        actions.button(f"Use “{safe.inline(suggestion)}” for all {g.count}", key=f"apply_all_{k}_{i}",
                                       action=_applying(user, view, f.id, suggestion, "all", f.text))  # fmt: skip
        elif f.suggestions:
            safe.message("caption", "Suggestions: " + ", ".join(f.suggestions[:6]))
        if not f.suggestions and getattr(f, "advice", ""):
            safe.message("caption", f"What to do: {f.advice}")
        if dismissed is not None and g.field == "body" and not g.document_level:
            _dismissal(user, view, g, dismissed)


def _dismissal(user: Person, view: DraftDetail, g: FindingGroup, dismissed: set[int]) -> None:
    """Editors say a finding in the text is wrong here; it counts against its rule (Settings →
    Check precision, which traces the body's findings through its revisions)."""
    if g.first.id in dismissed:
        st.caption("Dismissed by an editor.")
    elif can(user, "checks.dismiss_finding"):
        actions.button(
            "Dismiss", key=f"dismiss_{view.id}_{g.first.id}",
            help="This finding is wrong here: the audit trail keeps it, and it counts against its rule.",
            action=lambda _v: actions.said(ui.call(dismiss_finding, user, g.first.id),
                                           f"Dismissed the finding “{safe.inline(g.first.text)}”."),
        )  # fmt: skip


def _applying(user: Person, view: DraftDetail, finding_id: int, suggestion: str, scope: str, words: str):  # type: ignore[no-untyped-def]
    """The action of a suggestion's button (run once per click, in its callback)."""

    def action(_values: dict) -> str:
        done = ui.call(apply_suggestion, view.id, user, finding_id, suggestion, view.version, scope=scope)
        places = f" in {done.count} places" if done.count > 1 else ""
        return f"Replaced “{safe.inline(words)}” with “{safe.inline(suggestion)}”{places}; checks ran again."

    return action


def field_findings(user: Person, view: DraftDetail, field: str, value: str) -> None:
    """Under a publishing field: its value with the findings marked, and the findings' cards."""
    groups = [g for g in groups_of(view) if g.field == field]
    if not groups:
        return
    st.html(highlight_html(value, marks_for(groups, field), markdown=False))
    for g in groups:
        _card(user, view, g, prefix=f"f{field}")
