"""One draft opened: checked text with findings, edit, review actions, comments, history."""

from __future__ import annotations


import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.audit.labels import action_label
from studio.drafting.detail import draft_detail
from studio.drafting.grounding import grounding
from studio.drafting.schemas import DraftDetail
from studio.drafting.service import edit_text, restore_attempt
from studio.review.comments import add_comment
from studio.review.diff import diff_revisions
from studio.review.rules import status_label
from studio.ui import actions, safe
from studio.ui.findings_panel import show_checks
from studio.ui.grounding import claims_tab, languages_line, localise_panel, voice_match_panel
from studio.ui.images_panel import show_images_panel
from studio.ui.longform_panel import show_sections_panel
from studio.ui.publishing import show_publishing_panel
from studio.ui.review_panel import show_review_state, show_review_tab
from studio.ui.revise_panel import show_revise_panel
from studio.ui.text_views import live_word_count, ops_html, preview
from studio.ui.variants_panel import show_alternatives_panel


def show_draft(user: Person, draft_id: int, *, in_queue: bool = False) -> None:
    """``in_queue``: opened in the review queue, which moves on to the next draft after a decision."""
    view = ui.attempt(draft_detail, draft_id, user)
    if not view:
        return
    st.subheader(ui.md_escape(view.title))
    st.markdown(
        f"{ui.status_badge(view.status, view.incomplete)}  ·  by {ui.md_escape(view.author)}"
        f"  ·  revision {view.revision or '—'}"
    )
    if view.incomplete and view.last_error:
        safe.message("warning", f"This draft is incomplete: {view.last_error}")
    show_review_state(view)

    g = ui.call(grounding, draft_id, user)
    # Keyed and tracked, so a rerun (a revise turn, a kept variant) stays on the tab it came from.
    tabs = st.tabs(["Text and checks", "Edit", "Revise", "Sections", "Alternatives", "Publishing", "Review",
                    "Sources and claims", "Comments", "Revisions", "Timeline", "How it was made"],
                   key=f"draft_tabs_{view.id}", on_change="rerun")
    with tabs[0]:
        voice_match_panel(g.voice_match, g.voice_name, g.voice_version, key=f"draft_{view.id}")
        languages_line(g)
        _text_and_checks(user, view)
    with tabs[1]:
        _edit(user, view)
    with tabs[2]:
        show_revise_panel(user, view)
    with tabs[3]:
        show_sections_panel(user, view.id, view.version, view.edit_refusal is None)
    with tabs[4]:
        show_alternatives_panel(user, view.id, view.version, view.edit_refusal is None)
    with tabs[5]:
        show_publishing_panel(user, view)
        st.divider()
        show_images_panel(user, view)
    with tabs[6]:
        show_review_tab(user, view, in_queue=in_queue, grounding=g)
        localise_panel(user, g)
    with tabs[7]:
        claims_tab(g)
    with tabs[8]:
        _comments(user, view)
    with tabs[9]:
        _revisions(user, view)
    with tabs[10]:
        _timeline(view)
    with tabs[11]:
        _generation(user, view)


def _text_and_checks(user: Person, view: DraftDetail) -> None:
    show_checks(user, view)


def _edit(user: Person, view: DraftDetail) -> None:
    """The writing surface: the Markdown editor beside the text rendered and as WordPress shows it."""
    if view.edit_refusal is not None:
        safe.message("info", view.edit_refusal)
        preview(view.body, key=f"preview_{view.id}")
        return
    body_key, note_key = f"edit_body_{view.id}_{view.revision}", f"edit_note_{view.id}_{view.revision}"
    left, right = st.columns(2)
    with left:
        new_body = st.text_area("Markdown", value=view.body, height=520, key=body_key,
                                help="The preview follows when you click outside the box (or press Ctrl+Enter).")
        live_word_count(body_key, new_body)
        st.text_input("What changed (optional)", key=note_key)
        # Outside a form, so the preview follows the text; the save runs in the button's
        # callback, once per click (a double-click saves one revision).
        actions.button(
            "Save as new revision", key=f"edit_save_{view.id}", type="primary",
            fields={"body": body_key, "note": note_key},
            action=lambda v: actions.said(
                ui.call(edit_text, view.id, user, v["body"] or "", view.version, note=v["note"] or ""),
                f"Saved revision {(view.revision or 0) + 1}; checks ran again.",
            ),
        )  # fmt: skip
    with right:
        preview(new_body, key=f"preview_{view.id}")


def _comments(user: Person, view: DraftDetail) -> None:
    if not view.comments:
        st.caption("No comments yet.")
    for c in view.comments:
        with st.chat_message("user"):
            st.markdown(f"**{ui.md_escape(c.author)}** · {ui.friendly_time(c.created_at)}")
            st.text(c.body)
    if "comment" in view.actions:
        body_key = f"comment_body_{view.id}"
        with st.form(f"comment_{view.id}"):
            st.text_area("Add a comment", key=body_key)
            actions.form_submit(
                "Comment", key=f"comment_go_{view.id}", fields={"body": body_key}, clear=[body_key],
                action=lambda v: actions.said(ui.call(add_comment, view.id, user, v["body"] or ""), "Comment added."),
            )  # fmt: skip


def _revisions(user: Person, view: DraftDetail) -> None:
    numbers = [r.number for r in view.revisions]
    if len(numbers) >= 2:
        st.markdown("**Compare two revisions**")
        c1, c2 = st.columns(2)
        # Keyed by the newest revision: a new revision starts the comparison again at the newest pair.
        newest = numbers[-1]
        old = c1.selectbox("From", numbers, index=len(numbers) - 2, key=f"cmp_old_{view.id}_{newest}")
        new = c2.selectbox("To", numbers, index=len(numbers) - 1, key=f"cmp_new_{view.id}_{newest}")
        bodies = {r.number: r.body for r in view.revisions}
        ops = diff_revisions(bodies[old], bodies[new])
        st.caption("Added text is underlined and marked “+”; removed text is struck through and marked “−”.")
        st.html(ops_html(ops))
    for r in reversed(view.revisions):
        label = safe.inline(
            f"Revision {r.number} · {r.reason.replace('_', ' ')} · {r.author or 'system'} · {ui.friendly_time(r.created_at)}"
        )
        with st.expander(label, expanded=False):
            if r.note:
                safe.message("caption", r.note)
            st.code(r.body, language=None, wrap_lines=True)


def _timeline(view: DraftDetail) -> None:
    rows = [
        {
            "When (UTC)": e.created_at.strftime("%Y-%m-%d %H:%M"),
            "Who": safe.inline(e.actor),
            "What": action_label(e.action),
            "Status": _moved(e.from_status, e.to_status),
            "Comment": safe.inline(e.comment),
        }
        for e in view.timeline
    ]
    # A plain table: every cell wraps, nothing is cut off, and screen readers read it as a table.
    # Its cells are Markdown, so names and comments (a person's or an AI server's words) are escaped.
    st.table(rows, hide_index=True)


def _moved(source: str | None, target: str | None) -> str:
    if not target:
        return ""
    if not source or source == target:
        return status_label(target)
    return f"{status_label(source)} → {status_label(target)}"


def _generation(user: Person, view: DraftDetail) -> None:
    generations = view.generations
    st.write("**Brief**")
    # A dataframe shows its cells as text (a table would render them as Markdown).
    st.dataframe(
        [{"Field": k, "Value": ", ".join(map(str, v)) if isinstance(v, list) else str(v)} for k, v in view.brief.items()],
        hide_index=True, width="stretch", key=f"brief_{view.id}", alt="The brief this draft was written from",
    )
    if not generations:
        st.caption("No generation record: this text was written by hand.")
    for g in generations:
        title = safe.inline(f"{g.provider} · {g.model} · {ui.friendly_time(g.created_at)}")
        with st.expander(title, expanded=g is generations[0]):
            cols = st.columns(4)
            cols[0].metric("First token", f"{g.time_to_first_token_ms:.0f} ms" if g.time_to_first_token_ms else "—")
            cols[1].metric("Total", f"{g.total_time_ms / 1000:.1f} s" if g.total_time_ms else "—")
            cols[2].metric("Prompt tokens", g.prompt_tokens if g.prompt_tokens is not None else "—")
            cols[3].metric("Completion tokens", g.completion_tokens if g.completion_tokens is not None else "—")
            if g.error:
                safe.message("error", g.error)
            if g.attempt_text:
                _attempt(user, view, g)
            st.caption("Parameters sent")
            st.json(g.parameters, expanded=True)
            st.caption("Prompt messages")
            for m in g.prompt_messages:
                st.text(f"[{m.get('role')}]\n{m.get('content')}")


def _attempt(user: Person, view: DraftDetail, g) -> None:  # type: ignore[no-untyped-def]
    """A regeneration that failed or was stopped: the draft kept its text; the fragment is here."""
    st.caption("This attempt did not finish, so the draft kept its text. What had arrived is kept here.")
    st.text(g.attempt_text)
    if view.edit_refusal is None:
        actions.button(
            "Restore this as the current text", key=f"restore_{view.id}_{g.id}",
            action=lambda _v: (
                f"Restored the unfinished attempt as revision "
                f"{ui.call(restore_attempt, view.id, user, g.id, view.version).number}; it is marked incomplete."
            ),
        )  # fmt: skip
