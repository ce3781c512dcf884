"""Images for a draft: suggested prompts and alt text per slot (hero, sections), edited by people,
candidate images ranked with CLIP, and the chosen image per slot.

Who may do what follows the publishing fields (`review.rules.edit_refusal(..., "fields")`): the
images and their alt text ship with the post. The hero's alt text is one of the fields the checks
read (``image_alt``), so changing it (or the chosen hero image) checks the draft again once the
change commits and sends an approved draft back to review, as any publishing field does.
Ranking only reads: anyone who may open the draft may rank images for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.service import check_version, get_draft
from studio.errors import PermissionDenied, StudioError
from studio.images import clip, uploads
from studio.images.schemas import ImageSlotView, Ranked
from studio.images.slots import HERO, Slot, clean_alt, clean_prompt, featured_url, is_image_name, slots_for
from studio.images.suggest import Suggestions, suggest
from studio.models import Draft, DraftImage, User, utcnow
from studio.publishing.fields import PUBLISHING_UPDATED
from studio.publishing.service import _after_content_change
from studio.review.rules import edit_refusal

MAX_CANDIDATES = 500


class ImageError(StudioError, ValueError):
    """The image request cannot be done as asked; the message says why."""


def _editable(session: Session, draft_id: int, actor: Any, expected_version: int | None, *, lock: bool = True) -> Draft:
    draft = get_draft(session, draft_id, actor)
    if lock:
        check_version(session, draft, expected_version)
    reason = edit_refusal(draft, actor, "fields")
    if reason is not None:
        raise PermissionDenied(reason)
    return draft


def _rows(session: Session, draft_id: int) -> dict[str, DraftImage]:
    rows = session.scalars(select(DraftImage).where(DraftImage.draft_id == draft_id)).all()
    return {r.slot: r for r in rows}


def _slots(draft: Draft) -> list[Slot]:
    body = draft.current_revision.body if draft.current_revision is not None else ""
    return slots_for(draft.title or "", body)


def _view(row: DraftImage, settings: Settings, present: bool = True) -> ImageSlotView:
    slot = Slot(row.slot, row.position, row.heading)
    url = featured_url(row.chosen_file, row.chosen_url, settings.studio_media_base_url)
    return ImageSlotView(slot=row.slot, label=slot.label, heading=row.heading, prompt=row.prompt,
                         alt_text=row.alt_text, source=row.source, chosen_file=row.chosen_file,
                         chosen_url=url if row.chosen_file or row.chosen_url else "", score=row.score,
                         in_text=present)  # fmt: skip


def list_images(session: Session, draft_id: int, actor: Any, settings: Settings | None = None) -> list[ImageSlotView]:
    """The draft's slots in order: the stored ones, then the text's slots with nothing stored."""
    settings = settings or get_settings()
    draft = get_draft(session, draft_id, actor)
    rows = _rows(session, draft.id)
    current = {s.slot: s for s in _slots(draft)}
    views = [_view(r, settings, r.slot in current) for r in sorted(rows.values(), key=lambda r: (r.position, r.slot))]
    for s in current.values():
        if s.slot not in rows:
            views.append(ImageSlotView(slot=s.slot, label=s.label, heading=s.heading, prompt="", alt_text="",
                                       source="", chosen_file="", chosen_url="", score=None, in_text=True))  # fmt: skip
    return sorted(views, key=lambda v: (0 if v.slot == HERO else 1, int(v.slot.split("-")[-1]) if v.slot != HERO else 0))


def plan_suggestions(session: Session, draft_id: int, actor: Any) -> tuple[list[Slot], str, str, str]:
    """What a suggestion needs, read in a short read: the slots, the text, the topic, the language.
    The model call runs outside any transaction (`suggest_images` does both)."""
    draft = _editable(session, draft_id, actor, None, lock=False)
    body = draft.current_revision.body if draft.current_revision is not None else ""
    if not body.strip():
        raise ImageError("This draft has no text yet: write it first, then ask for image suggestions.")
    return _slots(draft), body, draft.topic or "", draft.language or "en"


def store_suggestions(
    session: Session, draft_id: int, actor: Any, slots: Sequence[Slot], found: Suggestions, *, keep_edited: bool = True
) -> list[ImageSlotView]:
    """Store ``found`` for ``slots``. A slot a person edited keeps their words (``keep_edited``);
    a chosen image stays chosen."""
    draft = _editable(session, draft_id, actor, None)
    rows = _rows(session, draft.id)
    changed: list[str] = []
    for s in slots:
        prompt, alt = found.by_slot[s.slot]
        row = rows.get(s.slot)
        if row is None:
            row = DraftImage(draft_id=draft.id, slot=s.slot, chosen_file="", chosen_url="")
            session.add(row)
        elif keep_edited and row.source == "person":
            continue
        row.position, row.heading, row.prompt, row.alt_text = s.position, s.heading, prompt, alt
        row.source = "model" if s.slot in found.from_model else "demo"
        row.updated_by_id, row.updated_at = actor.id, utcnow()
        changed.append(s.slot)
    record(session, actor, PUBLISHING_UPDATED, draft_id=draft.id, comment=found.note,
           data={"changed": ["images"], "slots": changed, "source": found.source})  # fmt: skip
    session.flush()
    if HERO in changed:
        _after_content_change(session, draft, actor, ["image alt text"])
    return list_images(session, draft.id, actor)


def suggest_images(engine: Any, draft_id: int, actor_id: int, settings: Settings | None = None) -> tuple[list[ImageSlotView], str]:
    """Read, ask the model outside any transaction, store: the views and the note."""
    settings = settings or get_settings()
    with session_scope(engine, read_only=True) as s:
        actor = _actor(s, actor_id)
        slots, body, topic, language = plan_suggestions(s, draft_id, actor)
    found = suggest(settings, slots, body, topic=topic, language=language)
    with session_scope(engine) as s:
        views = store_suggestions(s, draft_id, _actor(s, actor_id), slots, found)
    return views, found.note


def _actor(session: Session, actor_id: int) -> Any:
    user = session.get(User, actor_id)
    if user is None:
        raise PermissionDenied("That account no longer exists.")
    return user


def edit_image(
    session: Session, draft_id: int, actor: Any, slot: str, *, prompt: str | None = None, alt_text: str | None = None,
    expected_version: int | None = None,
) -> ImageSlotView:  # fmt: skip
    """A person sets a slot's prompt and/or alt text."""
    draft = _editable(session, draft_id, actor, expected_version)
    row = _slot_row(session, draft, slot)
    changes: dict[str, str] = {}
    if prompt is not None and clean_prompt(prompt) != row.prompt:
        row.prompt = changes["prompt"] = clean_prompt(prompt)
    if alt_text is not None and clean_alt(alt_text) != row.alt_text:
        if not clean_alt(alt_text) and (row.chosen_file or row.chosen_url):
            raise ImageError("An image that ships needs alt text: describe what it shows (or choose no image).")
        row.alt_text = changes["alt_text"] = clean_alt(alt_text)
    if changes:
        row.source, row.updated_by_id, row.updated_at = "person", actor.id, utcnow()
        record(session, actor, PUBLISHING_UPDATED, draft_id=draft.id,
               data={"changed": ["images"], "slot": slot, "values": changes})  # fmt: skip
        session.flush()
        if slot == HERO and "alt_text" in changes:
            _after_content_change(session, draft, actor, ["image alt text"])
    return _view(row, get_settings())


def _slot_row(session: Session, draft: Draft, slot: str) -> DraftImage:
    row = _rows(session, draft.id).get(slot)
    if row is not None:
        return row
    known = {s.slot: s for s in _slots(draft)}
    if slot not in known:
        names = ", ".join(known)
        raise ImageError(f"This draft has no image slot “{slot}”; its slots are: {names}.")
    s = known[slot]
    row = DraftImage(draft_id=draft.id, slot=slot, position=s.position, heading=s.heading, prompt="", alt_text="",
                     source="person", chosen_file="", chosen_url="")  # fmt: skip
    session.add(row)
    return row


def candidate_files(folder: str | Path) -> list[Path]:
    """The image files directly in ``folder`` (by name), or ImageError saying what is wrong."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise ImageError(f"{path} is not a folder: point at the folder that holds the candidate images.")
    files = sorted(p for p in path.iterdir() if p.is_file() and is_image_name(p.name))
    if not files:
        raise ImageError(f"{path} holds no images (.jpg, .jpeg, .png, .webp, .gif or .bmp).")
    if len(files) > MAX_CANDIDATES:
        raise ImageError(f"{path} holds {len(files):,} images; rank at most {MAX_CANDIDATES} at a time.")
    return files


def rank_texts(session: Session, draft_id: int, actor: Any, slot: str = HERO) -> list[str]:
    """The texts a slot's candidates are scored against: its heading (the headline for the hero)
    and its image prompt when there is one."""
    draft = get_draft(session, draft_id, actor)
    row = _rows(session, draft.id).get(slot)
    known = {s.slot: s for s in _slots(draft)}
    if row is None and slot not in known:
        raise ImageError(f"This draft has no image slot “{slot}”; its slots are: {', '.join(known)}.")
    heading = row.heading if row is not None else known[slot].heading
    return [t for t in (heading, row.prompt if row is not None else "") if t.strip()]


def rank(texts: list[str], files: list[Path], settings: Settings | None = None) -> Ranked:
    """Score ``files`` against ``texts`` with CLIP (outside any transaction: the model is slow)."""
    try:
        scored, skipped = clip.score_images(settings or get_settings(), texts, files)
    except clip.ClipUnavailable as exc:
        raise ImageError(f"Images cannot be ranked: {exc}.") from None
    return Ranked(files=[(s.file, s.score) for s in scored], skipped=skipped)


def choose_image(
    session: Session, draft_id: int, actor: Any, slot: str, file: str, *, url: str = "", score: float | None = None,
    alt_text: str | None = None, expected_version: int | None = None,
) -> ImageSlotView:  # fmt: skip
    """Choose the image for ``slot`` (an empty ``file`` and ``url`` clears it). Needs alt text."""
    draft = _editable(session, draft_id, actor, expected_version)
    row = _slot_row(session, draft, slot)
    url = (url or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise ImageError(f"“{url[:80]}” is not a web address; it should start with https://.")
    if alt_text is not None:
        row.alt_text = clean_alt(alt_text)
    if (file or url) and not row.alt_text:
        raise ImageError("Write alt text for this image first: describe what it shows, in a sentence.")
    row.chosen_file, row.chosen_url, row.score = (file or "")[:500], url[:1000], score
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    record(session, actor, PUBLISHING_UPDATED, draft_id=draft.id,
           data={"changed": ["images"], "slot": slot, "values": {"image": row.chosen_file or row.chosen_url}})  # fmt: skip
    session.flush()
    if slot == HERO:
        _after_content_change(session, draft, actor, ["featured image"])
    return _view(row, get_settings())


def upload_candidates(
    session: Session, draft_id: int, actor: Any, files: Sequence[tuple[str, bytes]], settings: Settings | None = None
) -> list[str]:
    """Keep uploaded candidate images in the draft's media folder (who may change its images)."""
    draft = _editable(session, draft_id, actor, None, lock=False)
    try:
        return uploads.save(settings or get_settings(), draft.id, files)
    except uploads.UploadRefused as exc:
        raise ImageError(f"{exc} Nothing was uploaded.") from None


def uploaded_candidates(session: Session, draft_id: int, actor: Any, settings: Settings | None = None) -> list[Path]:
    """The images uploaded for the draft so far (none: an empty list)."""
    draft = get_draft(session, draft_id, actor)
    folder = uploads.draft_folder(settings or get_settings(), draft.id)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and is_image_name(p.name))
