"""The New draft page's three ways of writing, each shown where the person is looking (the
column beside the brief): one pass streamed, long-form (outline, then sections), variants side
by side. Each run is kept in the session, so after Stop (which reruns the page) the page still
shows what the run saved."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.brief import Brief
from studio.drafting.detail import draft_detail
from studio.drafting.writer import DraftRun
from studio.ui.generation import effective_settings
from studio.ui.longform_panel import RUN_KEY as LONG_KEY
from studio.ui.longform_panel import outline_editor, show_outcome, write_sections
from studio.ui.text_views import finished, running, stop_button, was_stopped
from studio.ui.variants_panel import RUN_KEY as VARIANTS_KEY
from studio.ui.variants_panel import batch_cards, show_cards, stream_variants
from studio.writing.longform import LongformRun
from studio.writing.service import outline_view
from studio.writing.variants import VariantsRun

MODE_KEY = "compose_mode"
ONE_KEY = "draft_run"


def _refusal(exc: Exception) -> bool:
    message = ui.user_message(exc)
    if message is None:
        raise exc
    ui.safe.message("error", message)
    return False


# -- one pass ---------------------------------------------------------------------------------


def one_pass(brief: Brief, user: Person, draft_id: int | None) -> None:
    try:
        run = DraftRun(brief, user, engine=ui.engine(), settings=effective_settings(), draft_id=draft_id)
        # The draft and its brief are saved before the first request (a refusal stops here); a
        # second click on Generate meanwhile finishes this same draft (pages/draft.py).
        st.session_state["generating"] = run.start()
    except Exception as exc:  # noqa: BLE001
        _refusal(exc)
        return
    st.session_state[MODE_KEY] = "one"
    st.session_state[ONE_KEY] = run
    stop = stop_button("stop_one_pass")
    running(ONE_KEY)
    with st.container(border=True, key="draft_stream"):
        ui.safe.stream_markdown(run.stream())  # closes the stream whatever ends it: the run saves
    finished(ONE_KEY)
    stop.empty()
    st.session_state.pop("generating", None)
    keep_one_pass(run)
    st.session_state["last_streamed"] = True


def keep_one_pass(run: DraftRun) -> None:
    if run.outcome is not None:
        voice = run.brief.context.voice if run.brief.context else None
        st.session_state["last_outcome"] = run.outcome.as_dict() | {"version": run.outcome.draft_version,
                                                                     "voice_name": voice.name if voice else None}


def after_stop() -> None:
    """A Stop press reruns the page: once the run it ended has saved, show what it kept."""
    one = st.session_state.get(ONE_KEY)
    if one is not None and was_stopped(ONE_KEY, lambda: one.outcome is not None):
        keep_one_pass(one)
    long = st.session_state.get(LONG_KEY)
    if long is not None:
        was_stopped(LONG_KEY, lambda: long.outcome is not None)
    variants = st.session_state.get(VARIANTS_KEY)
    if variants is not None:
        was_stopped(VARIANTS_KEY, lambda: variants.outcome is not None)


# -- long-form --------------------------------------------------------------------------------


def start_long(brief: Brief, user: Person) -> None:
    try:
        run = LongformRun(brief, user, engine=ui.engine(), settings=effective_settings())
    except Exception as exc:  # noqa: BLE001
        _refusal(exc)
        return
    st.session_state[MODE_KEY] = "long"
    st.session_state[LONG_KEY] = run
    with st.spinner("Planning the outline…"):
        try:
            run.plan()
        except Exception as exc:  # noqa: BLE001 - the draft keeps the brief; the message says why
            _refusal(exc)


def show_long(user: Person) -> None:
    run: LongformRun | None = st.session_state.get(LONG_KEY)
    if run is None or run.draft_id is None:
        return
    view = ui.call(outline_view, run.draft_id, user)
    action = st.session_state.pop("long_action", None)
    if view is None:
        ui.safe.message("error", run.error or "The outline could not be made.")
        st.caption(f"Saved as draft #{run.draft_id}, marked incomplete: the brief is kept.")
        if st.button("Retry", type="primary", key="long_retry_outline"):
            with st.spinner("Planning the outline…"):
                try:
                    run.plan()
                except Exception as exc:  # noqa: BLE001
                    _refusal(exc)
                    return
            st.rerun()
        return
    started = any(s.done for s in view.sections)
    if action in ("write", "retry"):
        try:
            write_sections(run, key="long")
        except Exception as exc:  # noqa: BLE001 - someone changed the draft meanwhile: a message
            _refusal(exc)
            return
        st.rerun()
    if not started and run.outcome is None:
        st.markdown(f"**Outline for draft #{view.draft_id}** · edit it, then write the sections")
        if outline_editor(user, view, key="compose_outline"):
            st.rerun()
        if st.button("Write the sections", type="primary", key="long_write", icon=":material/edit:"):
            st.session_state["long_action"] = "write"
            st.rerun()
        return
    show_outcome(run)
    if view.next_pending is not None and run.outcome is not None:
        if st.button("Retry", type="primary", key="long_retry",
                     help=f"Continues at “{view.sections[view.next_pending].heading}”"):
            st.session_state["long_action"] = "retry"
            st.rerun()
    if run.outcome is not None and run.outcome.text.strip() and action is None:
        with st.container(border=True):
            ui.safe.markdown(run.outcome.text)
    st.page_link("pages/my_drafts.py", label="Open in My drafts (Sections, Revise, Alternatives)",
                 icon=":material/description:")


# -- variants ---------------------------------------------------------------------------------


def start_variants(brief: Brief, user: Person, temperatures: str) -> None:
    try:
        run = VariantsRun(brief, user, temperatures, engine=ui.engine(), settings=effective_settings())
    except Exception as exc:  # noqa: BLE001
        _refusal(exc)
        return
    st.session_state[MODE_KEY] = "variants"
    st.session_state[VARIANTS_KEY] = run
    stream_variants(run, key="compose_variants")
    st.rerun()


def show_variants(user: Person) -> None:
    run: VariantsRun | None = st.session_state.get(VARIANTS_KEY)
    if run is None or run.outcome is None:
        return
    outcome = run.outcome
    failed = [v for v in outcome.variants if v.error]
    if failed:
        ui.safe.message("warning", f"{len(failed)} variant(s) did not finish: {failed[0].error}")
    if outcome.notice:
        ui.safe.message("info", outcome.notice, icon=":material/info:")
    st.success(f"Saved as draft #{outcome.draft_id} · {ui.md_escape(outcome.provider_label)} · variant "
               f"{(outcome.kept or 0) + 1} is the draft's text; the others stay with it as alternatives.")
    cards = batch_cards(user, outcome.draft_id, outcome.batch)
    version = ui.call(draft_detail, outcome.draft_id, user).version
    show_cards(user, outcome.draft_id, version, cards, key="compose_cards", can_keep=True)
