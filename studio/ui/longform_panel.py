"""Long-form drafts on screen: the outline editor, the sections streaming in place, the
repetition findings, and the per-section actions (continue, write again)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.ui.generation import effective_settings
from studio.ui.text_views import finished, running, stop_button, was_stopped
from studio.writing.longform import LongformRun
from studio.writing.outline import KIND_LABELS
from studio.writing.schemas import OutlineView
from studio.writing.service import draft_brief, outline_view, save_edited_outline

RUN_KEY = "longform_run"


def outline_table(view: OutlineView) -> pd.DataFrame:
    return pd.DataFrame([
        {"Order": n + 1, "Part": KIND_LABELS[s.kind], "Heading": s.heading, "What it is for": s.intent,
         "Key points": "; ".join(s.points), "Written": "✓" if s.done else "", "id": s.id, "kind": s.kind}
        for n, s in enumerate(view.sections)
    ])  # fmt: skip


def outline_editor(user: Person, view: OutlineView, *, key: str, editable: bool = True) -> bool:
    """The outline as an editable table (rename, add, remove rows; change Order to move a
    section). Returns True when it was saved."""
    st.caption("Rename a section by editing its heading; add or remove rows; change **Order** to move a "
               "section. Key points are separated by ';'. The introduction and conclusion are written last.")
    title = st.text_input("Title", value=view.title, key=f"{key}_title_{view.draft_version}", disabled=not editable)
    edited = st.data_editor(
        outline_table(view),
        key=f"{key}_table_{view.draft_version}",
        num_rows="dynamic" if editable else "fixed",
        disabled=not editable,
        hide_index=True,
        width="stretch",
        column_order=["Order", "Part", "Heading", "What it is for", "Key points", "Written"],
        column_config={
            "Order": st.column_config.NumberColumn(min_value=1, max_value=30, step=1, width="small"),
            "Part": st.column_config.TextColumn(disabled=True, width="small"),
            "Heading": st.column_config.TextColumn(required=False, max_chars=160, width="medium"),
            "What it is for": st.column_config.TextColumn(width="medium"),
            "Key points": st.column_config.TextColumn(width="large"),
            "Written": st.column_config.TextColumn(disabled=True, width="small"),
        },
    )
    if not editable:
        return False
    if st.button("Save the outline", key=f"{key}_save", icon=":material/save:"):
        rows = edited_rows(edited)
        if ui.attempt(save_edited_outline, view.draft_id, user, title, rows, view.draft_version):
            ui.flash("Outline saved.")
            return True
    return False


def edited_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows in the order people gave them (new rows last when they gave none)."""
    rows = []
    for n, r in enumerate(frame.to_dict("records")):
        order = r.get("Order")
        order = float(order) if order == order and order is not None else 1000 + n
        rows.append({"order": order, "n": n, "id": r.get("id"), "kind": r.get("kind") if r.get("kind") == r.get("kind") else "body",
                     "heading": r.get("Heading") or "", "intent": r.get("What it is for") or "",
                     "points": r.get("Key points") or ""})
    rows.sort(key=lambda r: (r["order"], r["n"]))
    return rows


def write_sections(run: LongformRun, *, only: int | None = None, expected_version: int | None = None,
                   key: str = "longform") -> None:
    """Stream the sections into the page where they belong, with our Stop button."""
    st.session_state[RUN_KEY] = run
    stop = stop_button(f"{key}_stop")
    running(RUN_KEY)
    status = st.empty()
    boxes: dict[int, Any] = {}
    texts: dict[int, str] = {}
    events = run.write(only=only, expected_version=expected_version)
    try:
        with st.container(border=True, key=f"{key}_stream"):
            for event in events:
                if event.kind == "start":
                    status.caption(f"Writing “{ui.md_escape(event.heading)}” · prompt {event.prompt_tokens:,} tokens")
                    st.markdown(f"#### {ui.md_escape(event.heading)}")
                    boxes[event.index] = st.empty()
                    texts[event.index] = ""
                elif event.kind == "text":
                    texts[event.index] += event.text
                    ui.safe.markdown_in(boxes[event.index], texts[event.index] + " ▌")
                else:
                    ui.safe.markdown_in(boxes[event.index], event.text)
    finally:
        events.close()
    finished(RUN_KEY)
    status.empty()
    stop.empty()


def show_outcome(run: LongformRun) -> None:
    """What the last run left: saved, or incomplete with the reason and Retry."""
    outcome = run.outcome
    if outcome is None:
        return
    view = outcome.outline
    if outcome.error:
        ui.safe.message("error", outcome.error, icon=":material/warning:")
        done = sum(1 for s in view.sections if s.done) if view else 0
        st.caption(f"Saved as draft #{outcome.draft_id}, marked incomplete: the outline and {done} finished "
                   "section(s) are kept. Retry continues at the first unfinished section.")
    else:
        timing = outcome.sections_timing
        st.success(f"Saved as draft #{outcome.draft_id} · {ui.md_escape(outcome.provider_label)} · {len(outcome.text.split()):,} words"
                   f" in {len(view.sections) if view else 0} sections"
                   + (f" · first words after {timing[0]['first_words_ms'] / 1000:.1f} s" if timing and timing[0].get("first_words_ms") else ""))
    if view is not None:
        show_findings(view)


def show_findings(view: OutlineView) -> None:
    findings = view.repetition
    if not findings:
        st.caption("Repetition check: no sentence or idea repeated across sections.")
        return
    names = {i: s.heading for i, s in enumerate(view.sections)}
    kinds = {"sentence": "Same sentence", "phrase": "Same words", "idea": "Same point in other words"}
    with st.expander(f"Repetition across sections: {len(findings)} finding(s)", expanded=True):
        for f in findings:
            where = " and ".join(f"“{names.get(i, i)}”" for i in f["sections"])
            st.markdown(f"**{kinds.get(f['kind'], f['kind'])}** in {ui.md_escape(where)}")
            st.text(f["text"] + (f"\n≈ {f['other']}" if f.get("other") else ""))
        st.caption("Write one of those sections again (Sections tab of the draft), or revise it by instruction.")


def show_sections_panel(user: Person, draft_id: int, version: int, editable: bool) -> None:
    """The Sections tab of a long-form draft: outline, what is written, continue or write again."""
    last = st.session_state.get(RUN_KEY)
    if last is not None and last.draft_id == draft_id and was_stopped(RUN_KEY, lambda: last.outcome is not None):
        st.info("Stopped: the finished sections are kept; Continue writing picks up where it stopped.")
    view = ui.call(outline_view, draft_id, user)
    if view is None:
        st.info("This draft was written in one pass; it has no outline. Long-form drafts (from 1,200 words, or "
                "“In sections” on the New draft page) are planned and written section by section.")
        return
    if outline_editor(user, view, key=f"sections_{draft_id}", editable=editable):
        st.rerun()
    if not editable:
        return
    pending = view.next_pending
    cols = st.columns([2, 3])
    if pending is not None:
        label = f"Continue writing at “{ui.md_escape(view.sections[pending].heading)}”"
        if cols[0].button(label, type="primary", key=f"continue_{draft_id}"):
            _start(user, draft_id, None, version)
    names = [f"{n + 1}. {s.heading}" for n, s in enumerate(view.sections) if s.done]
    done_index = [n for n, s in enumerate(view.sections) if s.done]
    if names:
        with cols[1]:
            pick = st.selectbox("Write one section again", range(len(names)), format_func=lambda i: names[i],
                                key=f"regen_pick_{draft_id}")
            if st.button("Write this section again", key=f"regen_{draft_id}", icon=":material/refresh:"):
                _start(user, draft_id, done_index[pick], version)
    show_findings(view)


def _start(user: Person, draft_id: int, only: int | None, version: int) -> None:
    try:
        run = LongformRun(ui.call(draft_brief, draft_id, user), user, engine=ui.engine(), settings=effective_settings(), draft_id=draft_id)
    except Exception as exc:
        message = ui.user_message(exc)
        if message is None:
            raise
        ui.safe.message("error", message)
        return
    try:
        write_sections(run, only=only, expected_version=version, key=f"sections_run_{draft_id}")
    except Exception as exc:
        message = ui.user_message(exc)
        if message is None:
            raise
        ui.safe.message("error", message)
        return
    if run.outcome is not None and run.outcome.error:
        ui.safe.message("error", run.outcome.error)
    else:
        ui.flash("Section written again; the rest of the text is unchanged." if only is not None
                 else "All sections written.")
        st.rerun()
