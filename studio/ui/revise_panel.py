"""Revise by instruction: a chat panel on the draft. Each turn is a new revision with its diff
and a one-click undo; the conversation is kept with the draft."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.schemas import DraftDetail
from studio.ui.generation import effective_settings
from studio.ui.text_views import diff_counts, diff_html, finished, running, stop_button, was_stopped
from studio.writing.blocks import split_blocks
from studio.writing.revise import ReviseRun, undo_turn
from studio.writing.service import turns

RUN_KEY = "revise_run"
EXAMPLES = "e.g. “make the intro punchier”, “cut section 2 to 100 words”, “add a call to action for the webinar”"


def part_options(body: str) -> list[tuple[int | None, str]]:
    """What a turn can revise: the whole draft, the introduction, each level-2 section."""
    _, blocks = split_blocks(body)
    options: list[tuple[int | None, str]] = [(None, "The whole draft")]
    for b in blocks:
        if b.number == 0:
            if b.text.strip():
                options.append((0, "Introduction"))
        else:
            options.append((b.number, f"Section {b.number}: {b.heading}"))
    return options


def show_revise_panel(user: Person, view: DraftDetail) -> None:
    history = ui.call(turns, view.id, user)
    bodies = {r.number: r.body for r in view.revisions}
    options = part_options(view.body)
    names = dict(options)
    if not history:
        st.caption(f"Tell the writer what to change, {EXAMPLES}. Each request makes a new revision you can undo.")
    for t in history:
        part = "the whole draft" if t.section is None else names.get(t.section, f"section {t.section}").lower()
        with st.chat_message("user"):
            st.markdown(f"**{ui.md_escape(t.author or 'Someone')}** · turn {t.number} · {ui.md_escape(part)}")
            st.text(t.instruction)
        with st.chat_message("assistant"):
            if t.error:
                ui.safe.message("warning", t.error)
                continue
            before, after = bodies.get(t.revision_before or -1, ""), bodies.get(t.revision_after or -1, "")
            added, removed = diff_counts(before, after)
            state = " · undone" if t.undone else ""
            st.markdown(f"Revision {t.revision_after}: +{added} / −{removed} words{state}")
            with st.expander("What changed", expanded=t is history[-1] and not t.undone):
                st.html(diff_html(before, after))
            undoable = (view.edit_refusal is None and not t.undone and t.revision_after == view.revision)
            if undoable and st.button("Undo", key=f"undo_{view.id}_{t.number}", icon=":material/undo:"):
                number = ui.attempt(undo_turn, view.id, user, t.number, view.version)
                if number:
                    ui.flash(f"Turn {t.number} undone: revision {number} has the text from before it.")
                    st.rerun()
    if view.edit_refusal is not None:
        st.info(view.edit_refusal)
        return
    if not view.body.strip():
        st.info("No text yet to revise.")
        return
    part = st.selectbox("Revise", range(len(options)), format_func=lambda i: options[i][1],
                        key=f"revise_part_{view.id}")
    instruction = st.chat_input("Tell the writer what to change…", key=f"revise_input_{view.id}")
    last = st.session_state.get(RUN_KEY)
    if last is not None and last.draft_id == view.id and was_stopped(
            RUN_KEY, lambda: last.result is not None or last.error is not None):
        st.info("Stopped: nothing was changed; the draft keeps its text.")
    if instruction:
        _turn(user, view, instruction, options[part][0])


def _turn(user: Person, view: DraftDetail, instruction: str, section: int | None) -> None:
    with st.chat_message("user"):
        st.text(instruction)
    try:
        run = ReviseRun(view.id, user, instruction, section=section, expected_version=view.version,
                        engine=ui.engine(), settings=effective_settings())
    except Exception as exc:
        message = ui.user_message(exc)
        if message is None:
            raise
        ui.safe.message("error", message)
        return
    st.session_state[RUN_KEY] = run
    with st.chat_message("assistant"):
        st.caption(f"Revising · prompt {run.prompt_tokens:,} tokens ({run.budget.label})")
        stop = stop_button(f"revise_stop_{view.id}")
        running(RUN_KEY)
        with st.container(border=True, key=f"revise_stream_{view.id}"):
            ui.safe.stream_markdown(run.stream())  # closes the stream whatever ends it
        finished(RUN_KEY)
        stop.empty()
    if run.result is None:
        ui.safe.message("error", run.error or "Nothing was changed.")
        return
    ui.flash(f"Revision {run.result.revision} saved; checks ran again. Undo is one click below.")
    st.rerun()
