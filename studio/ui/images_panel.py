"""The draft's images, under its publishing fields: a prompt and alt text per slot (the hero and
each section), suggested by the model and editable; candidate images uploaded here, ranked with
CLIP against a slot's heading, and one chosen per slot. Every text from the model or a person is
escaped; images are shown with ``st.image`` from the studio's own media folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.schemas import DraftDetail
from studio.errors import user_message
from studio.images.schemas import ImageSlotView
from studio.images.service import (
    choose_image,
    edit_image,
    list_images,
    rank,
    rank_texts,
    suggest_images,
    upload_candidates,
    uploaded_candidates,
)
from studio.images.slots import ALT_MAX, HERO, IMAGE_SUFFIXES
from studio.images.uploads import MAX_UPLOAD_BYTES
from studio.ui import actions, safe
from studio.ui.findings_panel import field_findings

SOURCES = {"model": "Written by the model", "demo": "Written from the headings (demo writer, no AI model)",
           "person": "Edited by a person"}  # fmt: skip
SHOWN = 12  # ranked candidates shown at once


def show_images_panel(user: Person, view: DraftDetail) -> None:
    st.markdown("**Images**")
    slots = ui.attempt(list_images, view.id, user)
    if not slots:
        return
    editable = view.fields_refusal is None
    if editable:
        actions.button("Suggest prompts and alt text", key=f"img_suggest_{view.id}",
                       help="The model writes an image prompt and alt text for the hero and each section; "
                            "your own edits are kept.",
                       action=lambda _v: _suggest(user, view.id))  # fmt: skip
    for v in slots:
        _slot(user, view, v, editable)
    _candidates(user, view, slots, editable)


def _suggest(user: Person, draft_id: int) -> str:
    _views, note = suggest_images(ui.engine(), draft_id, user.id)
    return "Image prompts and alt text suggested." + (f" {note}" if note else "")


def _slot(user: Person, view: DraftDetail, v: ImageSlotView, editable: bool) -> None:
    label = safe.inline(v.label + ("" if v.in_text else " (no longer in the text)"))
    with st.expander(label, expanded=v.slot == HERO):
        if v.source:
            st.caption(SOURCES.get(v.source, v.source))
        # Keyed by what is stored, so new suggestions or a save draw fresh widgets with the new text.
        stamp = hashlib.sha256(f"{v.prompt}\0{v.alt_text}\0{v.source}".encode()).hexdigest()[:12]
        k = f"img_{view.id}_{v.slot}_{stamp}_"
        with st.form(k + "form", border=False):
            st.text_area("Image prompt", value=v.prompt, key=k + "prompt", height=80, disabled=not editable)
            st.text_input("Alt text", value=v.alt_text, key=k + "alt", max_chars=ALT_MAX, disabled=not editable,
                          help="What the image shows, for people who cannot see it.")  # fmt: skip
            if editable:
                actions.form_submit(
                    "Save", key=k + "save", fields={"prompt": k + "prompt", "alt": k + "alt"},
                    action=lambda vals: actions.said(
                        ui.call(edit_image, view.id, user, v.slot, prompt=vals["prompt"] or "",
                                alt_text=vals["alt"] or "", expected_version=view.version),
                        "Image text saved.",
                    ),
                )  # fmt: skip
        if v.slot == HERO:
            field_findings(user, view, "image_alt", v.alt_text)
        if v.chosen_url:
            score = f" · CLIP score {v.score:.3f}" if v.score is not None else ""
            st.caption(safe.inline(f"Chosen: {v.chosen_url}{score}"))
            if v.chosen_file and Path(v.chosen_file).is_file():
                st.image(v.chosen_file, width=240, caption=None)


def _candidates(user: Person, view: DraftDetail, slots: list[ImageSlotView], editable: bool) -> None:
    st.markdown("**Candidate images**")
    if editable:
        # A new key after each upload empties the box (an uploader's files cannot be reset).
        up_key = f"img_upload_{view.id}_{st.session_state.get(f'img_uploads_{view.id}', 0)}"
        st.file_uploader("Upload candidate images", type=sorted(s.lstrip(".") for s in IMAGE_SUFFIXES),
                         accept_multiple_files=True, key=up_key,
                         help=f"Images up to {MAX_UPLOAD_BYTES // 2**20} MB each; they are kept with this draft.")  # fmt: skip
        actions.button("Add to candidates", key=f"img_upload_go_{view.id}", fields={"files": up_key},
                       action=lambda vals: _upload(user, view.id, vals["files"] or []))  # fmt: skip
    files = ui.attempt(uploaded_candidates, view.id, user)
    if not files:
        st.caption("No candidate images yet. Upload some here, or rank a media folder with "
                   "`python -m studio images rank DRAFT_ID DIR`.")  # fmt: skip
        return
    by_slot = {v.slot: v for v in slots}
    slot = st.selectbox("Rank against", list(by_slot), format_func=lambda s: by_slot[s].label,
                        key=f"img_rank_slot_{view.id}")  # fmt: skip
    result_key = f"img_ranked_{view.id}"
    if st.button(f"Rank {len(files)} image{'s' if len(files) != 1 else ''} with CLIP", key=f"img_rank_{view.id}"):
        st.session_state[result_key] = _rank(user, view.id, slot, files)
    ranked = st.session_state.get(result_key)
    if not ranked or ranked[0] != slot:
        return
    cols = st.columns(3)
    for i, (file, score) in enumerate(ranked[1][:SHOWN]):
        with cols[i % 3]:
            st.image(file, width=200)
            st.caption(safe.inline(f"{i + 1}. {Path(file).name} · score {score:.3f}"))
            if editable:
                actions.button(
                    "Use this image", key=f"img_use_{view.id}_{slot}_{i}",
                    action=lambda _v, f=file, s=score: actions.said(
                        ui.call(choose_image, view.id, user, slot, f, score=s, expected_version=view.version),
                        f"{by_slot[slot].label}: image chosen.",
                    ),
                )  # fmt: skip


def _upload(user: Person, draft_id: int, files: list) -> str:  # type: ignore[type-arg]
    if not files:
        return "Choose image files to upload first."
    saved = ui.call(upload_candidates, draft_id, user, [(f.name, f.getvalue()) for f in files])
    counter = f"img_uploads_{draft_id}"
    st.session_state[counter] = st.session_state.get(counter, 0) + 1
    return f"Uploaded {len(saved)} image{'s' if len(saved) != 1 else ''}."


def _rank(user: Person, draft_id: int, slot: str, files: list[Path]) -> tuple[str, list[tuple[str, float]]] | None:
    texts = ui.attempt(rank_texts, draft_id, user, slot)
    if not texts:
        return None
    try:
        with st.spinner("Ranking with CLIP…"):
            ranked = rank(texts, files)
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        safe.message("warning", message)
        return None
    for line in ranked.skipped:
        safe.message("caption", f"Skipped: {line}")
    return slot, ranked.files
