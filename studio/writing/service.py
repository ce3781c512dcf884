"""The writing workspace's data: outlines and sections, alternatives, revise turns. Functions
take a session and the actor and check the actor may edit the draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.audit.service import record
from studio.drafting.brief import Brief
from studio.drafting.context import brief_of
from studio.drafting.service import editable_draft, get_draft
from studio.errors import InputError, NotFound
from studio.models import DraftAlternative, DraftOutline, DraftSection, ReviseTurn, User, utcnow
from studio.validation import problem, storable_fields
from studio.writing.outline import Outline, edited_outline
from studio.writing.schemas import AlternativeView, OutlineView, SectionView, TurnView

# -- outlines ---------------------------------------------------------------------------------


def save_outline(session: Session, draft_id: int, actor: Any, outline: Outline, *,
                 ids: list[int | None] | None = None, expected_version: int | None = None) -> OutlineView:
    """Store `outline` as the draft's plan. `ids` (one per section, None for a new one) keep what
    was written of a section that was renamed or moved; every other section starts pending."""
    draft, user = editable_draft(session, draft_id, actor, expected_version)
    row = session.get(DraftOutline, draft.id)
    if row is None:
        row = DraftOutline(draft_id=draft.id, title=outline.title)
        session.add(row)
        session.flush()
    old = {s.id: s for s in row.sections}
    keep: list[DraftSection] = []
    for n, section in enumerate(outline.sections):
        sid = ids[n] if ids and n < len(ids) else None
        existing = old.pop(sid, None) if sid is not None else None
        if existing is None:
            existing = DraftSection(draft_id=draft.id, status="pending")
        elif list(existing.points or []) != list(section.points) or existing.kind != section.kind:
            existing.status = "pending"  # a section with other points is written again
        existing.position, existing.kind, existing.heading = n, section.kind, section.heading
        existing.intent, existing.points, existing.words = section.intent, list(section.points), section.words
        keep.append(existing)
    row.title = outline.title
    row.sections[:] = keep
    for gone in old.values():
        session.delete(gone)
    draft.updated_at = utcnow()
    session.flush()
    record(session, user, "draft.outline_saved", draft_id=draft.id, data={"sections": len(keep)})
    session.flush()
    session.refresh(draft)
    return outline_view(session, draft.id, actor)


def outline_view(session: Session, draft_id: int, actor: Any) -> OutlineView | None:
    draft = get_draft(session, draft_id, actor)
    row = session.get(DraftOutline, draft.id)
    if row is None:
        return None
    return OutlineView(
        draft_id=draft.id,
        draft_version=draft.version,
        title=row.title,
        sections=[
            SectionView(s.id, s.position, s.kind, s.heading, s.intent, list(s.points or []), s.words, s.status,
                        s.text, s.summary, list(s.covered or []), s.prompt_tokens)
            for s in row.sections
        ],  # fmt: skip
        repetition=list(row.repetition or []),
    )


def store_section(session: Session, draft_id: int, section_id: int, *, text: str | None = None,
                  summary: str | None = None, covered: list[str] | None = None,
                  prompt_tokens: int | None = None, done: bool | None = None) -> None:
    """What the run learned about one section (called by the run, which checked the actor)."""
    section = session.get(DraftSection, section_id)
    if section is None or section.draft_id != draft_id:
        raise NotFound("That section is no longer in the outline (it was removed meanwhile).")
    if text is not None:
        section.text = text
    if summary is not None:
        section.summary = summary
    if covered is not None:
        section.covered = list(covered)
    if prompt_tokens is not None:
        section.prompt_tokens = prompt_tokens
    if done is not None:
        section.status = "done" if done else "pending"


def store_repetition(session: Session, draft_id: int, findings: list[dict[str, Any]]) -> None:
    row = session.get(DraftOutline, draft_id)
    if row is not None:
        row.repetition = findings


def assemble(title: str, sections: list[Any], content_type: str, *, partial: dict[int, str] | None = None) -> str:
    """The draft's Markdown from its outline: title, introduction, sections, conclusion.

    Only written sections appear (and `partial`: text that arrived for an unfinished one).
    Stories have no headings after the title; their scenes are separated by '***'.
    """
    parts = [f"# {title}"]
    for i, s in enumerate(sections):
        text = s.text if s.status == "done" else (partial or {}).get(i, "")
        text = text.strip()
        if not text:
            continue
        if content_type == "story":
            parts.append(text if s.kind == "intro" else f"***\n\n{text}")
        elif s.kind == "intro":
            parts.append(text)
        else:
            parts.append(f"## {s.heading}\n\n{text}")
    return "\n\n".join(parts) + "\n"


# -- alternatives -----------------------------------------------------------------------------


def next_batch(session: Session, draft_id: int) -> int:
    return (session.scalar(select(func.max(DraftAlternative.batch)).where(DraftAlternative.draft_id == draft_id)) or 0) + 1


def alternatives(session: Session, draft_id: int, actor: Any) -> list[AlternativeView]:
    get_draft(session, draft_id, actor)
    rows = session.scalars(
        select(DraftAlternative).where(DraftAlternative.draft_id == draft_id)
        .order_by(DraftAlternative.batch.desc(), DraftAlternative.position)
    )
    return [
        AlternativeView(a.id, a.batch, a.position, a.kind, a.temperature, a.approach, a.body, a.words,
                        a.reading_ease, a.error, a.kept, a.created_at)
        for a in rows
    ]  # fmt: skip


def alternative(session: Session, draft_id: int, alternative_id: int) -> DraftAlternative:
    row = session.get(DraftAlternative, alternative_id)
    if row is None or row.draft_id != draft_id:
        raise NotFound("That alternative does not belong to this draft.")
    if row.error or not row.body.strip():
        raise InputError("That variant has no text (it failed); choose another.")
    return row


# -- revise turns -----------------------------------------------------------------------------


def turns(session: Session, draft_id: int, actor: Any) -> list[TurnView]:
    get_draft(session, draft_id, actor)
    rows = session.execute(
        select(ReviseTurn, User.name, User.display_name)
        .join(User, User.id == ReviseTurn.author_id, isouter=True)
        .where(ReviseTurn.draft_id == draft_id)
        .order_by(ReviseTurn.number)
    )
    return [
        TurnView(t.number, t.instruction, t.section, t.reply, t.revision_before, t.revision_after, t.error,
                 t.undone, t.prompt_tokens, display or name or "", t.created_at)
        for t, name, display in rows
    ]  # fmt: skip


def turn_rows(session: Session, draft_id: int) -> list[ReviseTurn]:
    return list(session.scalars(select(ReviseTurn).where(ReviseTurn.draft_id == draft_id).order_by(ReviseTurn.number)))


def next_turn_number(session: Session, draft_id: int) -> int:
    return (session.scalar(select(func.max(ReviseTurn.number)).where(ReviseTurn.draft_id == draft_id)) or 0) + 1


def save_edited_outline(session: Session, draft_id: int, actor: Any, title: str, rows: list[dict[str, Any]],
                        expected_version: int | None = None) -> OutlineView:
    """The outline as a person edited it in the table (rows in their order, `id` on rows that
    were there before), checked and stored."""
    draft = get_draft(session, draft_id, actor)
    problems = storable_fields({"title": title}, {"title": "The title"})
    for n, r in enumerate(rows, start=1):
        for field, label in (("heading", "heading"), ("intent", "what it is for"), ("points", "key points")):
            found = problem(r.get(field) or "", f"Row {n}'s {label}")
            if found is not None:
                problems.setdefault(f"row{n}_{field}", found)
    if problems:
        raise InputError(problems)
    outline = edited_outline(title, rows, target_words=draft.target_words)
    kept_rows = [r for r in rows if str(r.get("heading") or "").strip()]
    order = {s.heading: n for n, s in enumerate(outline.sections)}
    ids: list[int | None] = [None] * len(outline.sections)
    for r in kept_rows:
        n = order.get(" ".join(str(r.get("heading")).split())[:160].strip(" -*#"))
        if n is not None and ids[n] is None:
            ids[n] = _row_id(r.get("id"))
    return save_outline(session, draft_id, actor, outline, ids=ids, expected_version=expected_version)


def _row_id(value: Any) -> int | None:
    """A row's id as the table hands it back (a new row's is empty, or NaN from a data frame)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def draft_brief(session: Session, draft_id: int, actor: Any) -> Brief:
    """The brief a draft was written from, with its voice and passages (to continue or rewrite it)."""
    return brief_of(session, get_draft(session, draft_id, actor))
