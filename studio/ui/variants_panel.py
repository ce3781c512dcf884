"""Variants side by side: written concurrently into columns, compared (words, reading ease, the
changes against the first), one kept; the draft's alternatives to view or restore."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.ui.generation import effective_settings
from studio.ui.text_views import diff_counts, diff_html, finished, running, stop_button
from studio.writing.service import alternatives, draft_brief
from studio.writing.variants import KINDS, VariantsRun, keep_alternative

RUN_KEY = "variants_run"
_HEADING = re.compile(r"^(#{1,3})(\s)", re.MULTILINE)


def compact(text: str) -> str:
    """Markdown for a narrow column: headings three levels smaller (the text itself unchanged)."""
    return _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + 3) + m.group(2), text)


@dataclass(frozen=True)
class Card:
    position: int
    label: str  # temperature or approach, as a person reads it
    text: str
    words: int
    reading_ease: float | None
    error: str | None
    kept: bool
    alternative_id: int | None


def label_for(temperature: float | None, approach: str) -> str:
    if temperature is not None:
        return f"temperature {temperature:g}"
    return approach.split(":")[0] or "approach"


def stream_variants(run: VariantsRun, *, key: str) -> None:
    """The variants written side by side, each column filling as its text arrives."""
    st.session_state[RUN_KEY] = run
    if run.notice:
        ui.safe.message("info", run.notice, icon=":material/info:")
    stop = stop_button(f"{key}_stop")
    running(RUN_KEY)
    cols = st.columns(len(run.variants))
    boxes = []
    for col, v in zip(cols, run.variants):
        with col:
            st.markdown(f"**Variant {v.position + 1}** · {label_for(v.temperature, v.approach)}")
            boxes.append(st.empty())
    texts = [""] * len(run.variants)
    shown = [0.0] * len(run.variants)
    stream = run.stream()
    try:
        for position, piece in stream:
            texts[position] += piece
            now = time.monotonic()
            if now - shown[position] >= 0.1:  # not every token: each redraw renders the whole column
                ui.safe.markdown_in(boxes[position], compact(texts[position]) + " ▌", height=460,
                                    label=f"Variant {position + 1}")
                shown[position] = now
    finally:
        stream.close()
    for position, (box, text) in enumerate(zip(boxes, texts)):
        ui.safe.markdown_in(box, compact(text), height=460, label=f"Variant {position + 1}")
    finished(RUN_KEY)
    stop.empty()


def batch_cards(user: Person, draft_id: int, batch: int) -> list[Card]:
    rows = [a for a in ui.call(alternatives, draft_id, user) if a.batch == batch]
    return [Card(a.position, label_for(a.temperature, a.approach), a.body, a.words, a.reading_ease, a.error,
                 a.kept, a.id) for a in sorted(rows, key=lambda a: a.position)]


def show_cards(user: Person, draft_id: int, version: int, cards: list[Card], *, key: str, can_keep: bool,
               kind: str = "full") -> None:
    """Side by side: each variant with its figures, the changes against the first, and Keep."""
    first = cards[0].text if cards else ""
    cols = st.columns(len(cards))
    for col, c in zip(cols, cards):
        with col:
            badge = " :green-badge[kept]" if c.kept else ""
            st.markdown(f"**Variant {c.position + 1}** · {c.label}{badge}")
            ease = f"{c.reading_ease:.0f}" if c.reading_ease is not None else "—"
            st.caption(f"{c.words:,} words · reading ease {ease}")
            if c.error:
                ui.safe.message("warning", c.error)
            ui.safe.markdown(compact(c.text), height=420 if kind == "full" else 160,
                             label=f"Variant {c.position + 1}")
            if c.position:
                added, removed = diff_counts(first, c.text)
                with st.expander(f"Against variant 1: +{added} / −{removed} words"):
                    st.html(diff_html(first, c.text))
            if can_keep and not c.kept and c.alternative_id is not None and c.text.strip() and not c.error:
                if st.button("Keep this one", key=f"{key}_keep_{c.position}", icon=":material/check:"):
                    number = ui.attempt(keep_alternative, draft_id, user, c.alternative_id, version)
                    if number:
                        ui.flash(f"Variant {c.position + 1} kept as revision {number}; the others stay as alternatives.")
                        st.rerun()


def show_alternatives_panel(user: Person, draft_id: int, version: int, editable: bool) -> None:
    """The draft's alternatives by batch; headline and introduction variants on request."""
    if editable:
        with st.form(f"variants_form_{draft_id}"):
            kind = st.radio("Write variants of", ["headline", "intro"], horizontal=True,
                            format_func=lambda k: {"headline": "the headline", "intro": "the introduction"}[k],
                            key=f"variant_kind_{draft_id}",
                            help="Whole-draft variants: “Variants side by side” on the New draft page.")
            temps = st.text_input("Temperatures (2–4)", value="0.3, 0.9, 1.3", key=f"variant_temps_{draft_id}")
            go = st.form_submit_button("Write variants", icon=":material/view_column:")
        if go:
            _write(user, draft_id, kind, temps)
    rows = ui.call(alternatives, draft_id, user)
    if not rows:
        st.caption("No alternatives yet. Variants written for this draft stay here to compare and restore.")
        return
    batches: dict[int, list] = defaultdict(list)
    for a in rows:
        batches[a.batch].append(a)
    for batch, items in batches.items():
        items.sort(key=lambda a: a.position)
        st.markdown(f"##### {KINDS[items[0].kind]} variants · {ui.friendly_time(items[0].created_at)}")
        cards = [Card(a.position, label_for(a.temperature, a.approach), a.body, a.words, a.reading_ease, a.error,
                      a.kept, a.id) for a in items]  # fmt: skip
        show_cards(user, draft_id, version, cards, key=f"alt_{draft_id}_{batch}", can_keep=editable,
                   kind=items[0].kind)
        st.divider()


def _write(user: Person, draft_id: int, kind: str, temps: str) -> None:
    try:
        run = VariantsRun(ui.call(draft_brief, draft_id, user), user, temps, kind=kind, draft_id=draft_id,
                          engine=ui.engine(), settings=effective_settings())
    except Exception as exc:
        message = ui.user_message(exc)
        if message is None:
            raise
        ui.safe.message("error", message)
        return
    with st.spinner(f"Writing {len(run.variants)} variants at once…"):
        run.run()
    ui.flash(f"{len(run.variants)} {KINDS[kind].lower()} variants written; pick one below.")
    st.rerun()
