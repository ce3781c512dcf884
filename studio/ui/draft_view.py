"""One draft opened: text, edit, revisions and the generation record."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.drafts import edit_text, generations_for, get_draft
from studio.errors import user_message
from studio.generation.brief import CONTENT_TYPES, FORMALITY, LANGUAGES
from studio.models import User


def _report_error(exc: Exception) -> None:
    message = user_message(exc)
    if message is None:
        raise exc
    st.error(message)


def show_draft(user: User, draft_id: int) -> None:
    with ui.db() as session:
        draft = get_draft(session, draft_id, user)
        revisions = [(r.number, r.reason, r.created_at, r.body, r.note) for r in draft.revisions]
        current = draft.current_revision
        body = current.body if current else ""
        current_number = current.number if current else None
        generations = generations_for(session, draft_id, user)
        info = {
            "title": draft.title or draft.topic,
            "status": draft.status,
            "incomplete": draft.incomplete,
            "last_error": draft.last_error,
            "version": draft.version,
            "brief": {
                "Type": CONTENT_TYPES.get(draft.content_type, draft.content_type),
                "Topic": draft.topic,
                "Audience": draft.audience or "—",
                "Keywords": ", ".join(draft.keywords or []) or "—",
                "Voice": draft.tone.capitalize(),
                "Formality": FORMALITY[draft.formality][0] if draft.formality in FORMALITY else draft.formality,
                "Temperature": draft.temperature,
                "Target words": draft.target_words,
                "Language": LANGUAGES.get(draft.language, draft.language),
            },
        }

    st.subheader(info["title"])
    st.markdown(ui.status_badge(info["status"], info["incomplete"]) + f"  ·  revision {current_number or '—'}")
    if info["incomplete"] and info["last_error"]:
        st.warning(f"This draft is incomplete: {info['last_error']}")

    tab_text, tab_edit, tab_revisions, tab_generation = st.tabs(["Text", "Edit", "Revisions", "How it was made"])
    with tab_text:
        if body:
            with st.container(border=True):
                st.markdown(body)
        else:
            st.info("No text yet: the generation did not produce any. Retry from the New draft page.")
    with tab_edit:
        with st.form(f"edit_form_{draft_id}"):
            new_body = st.text_area("Markdown", value=body, height=420, key=f"edit_body_{draft_id}_{current_number}")
            note = st.text_input("What changed (optional)", key=f"edit_note_{draft_id}_{current_number}")
            saved = st.form_submit_button("Save as new revision", type="primary")
        if saved:
            try:
                with ui.db() as session:
                    revision = edit_text(session, draft_id, user, new_body, info["version"], note=note)
                    number = revision.number
            except Exception as exc:  # noqa: BLE001
                _report_error(exc)
            else:
                ui.flash(f"Saved revision {number}.")
                st.rerun()
    with tab_revisions:
        for number, reason, created, text, rnote in reversed(revisions):
            label = f"Revision {number} · {reason.replace('_', ' ')} · {ui.friendly_time(created)}"
            with st.expander(label, expanded=False):
                if rnote:
                    st.caption(rnote)
                st.code(text, language="markdown", wrap_lines=True)
    with tab_generation:
        st.write("**Brief**")
        st.table({"Field": list(info["brief"].keys()), "Value": [str(v) for v in info["brief"].values()]})
        if not generations:
            st.caption("No generation record: this text was written by hand.")
        for g in generations:
            title = f"{g.provider} · {g.model} · {ui.friendly_time(g.created_at)}"
            with st.expander(title, expanded=g is generations[0]):
                cols = st.columns(4)
                cols[0].metric("First token", f"{g.time_to_first_token_ms:.0f} ms" if g.time_to_first_token_ms else "—")
                cols[1].metric("Total", f"{g.total_time_ms / 1000:.1f} s" if g.total_time_ms else "—")
                cols[2].metric("Prompt tokens", g.prompt_tokens if g.prompt_tokens is not None else "—")
                cols[3].metric("Completion tokens", g.completion_tokens if g.completion_tokens is not None else "—")
                if g.error:
                    st.error(g.error)
                st.caption("Parameters sent")
                st.json(g.parameters, expanded=True)
                st.caption("Prompt messages")
                for m in g.prompt_messages:
                    st.text(f"[{m.get('role')}]\n{m.get('content')}")
