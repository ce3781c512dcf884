"""The export flow over the database: pick approved drafts, write the file, record it, move them.

``files`` is the pure core (rows in, bytes out); this module is the service the page and the CLI
call:

* :func:`exportable`: the drafts the picker offers (approved; exported ones too when asked), with
  the time each was approved and anything that would stop it from exporting.
* :func:`preview_export`: the first rows exactly as the file will have them, and every problem
  with the selection, without changing anything.
* :func:`run_export`: ONE transaction, the caller's: the file is built, an ``ExportBatch`` (who,
  when, preset, rows, SHA-256 of the file, the file itself) and one ``ExportItem`` per draft
  (revision and slug written) are added, every draft moves to ``exported`` through
  ``review.bulk.transition_many`` (permission ``export.run`` checked once, one ``review.export`` audit
  row each, all inserted at once) and one ``export.batch`` audit row records the batch. The
  drafts' columns are read first (a few ``IN (...)`` queries, never one per draft) to check and
  refuse; their text is read 500 posts at a time while the file is written, with the HTML each
  revision got when it was saved (``revisions.body_html``; rendered again when it is missing or
  from another renderer). The stored copy of the file is gzip-compressed. If anything fails
  half-way the caller's ``session_scope`` rolls back: no status changes, no batch, no file.

Earlier exports and their files are in ``batches``.

Slugs are unique against earlier exports: a slug an earlier export gave to another draft is
taken; a draft exported again keeps the slug it had. The slug written is stored on the draft, so a
later title change does not move the post in the CMS.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.orm import Session, selectinload

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.config import get_settings
from studio.content import HTML_VERSION, title_from_markdown
from studio.errors import VersionConflict
from studio.export.files import ExportFile, export_bytes
from studio.export.picker import EXPORT_PERMISSION, EXPORTABLE_STATUSES, RE_EXPORTABLE_STATUSES
from studio.export.presets import PRESETS
from studio.export.rows import ExportError, ExportRow, row_from_values, with_text
from studio.inbox.service import notify_exported
from studio.models import Draft, DraftImage, DraftSearch, ExportBatch, ExportItem, Revision, User
from studio.review.bulk import transition_many
from studio.review.rules import DraftStatus
from studio.search import index_draft
from studio.sources.citations import CITATION_MODES
from studio.sources.citations import apply as apply_citations
from studio.sources.service import export_citations
from studio.workspace.service import site_timezone as workspace_timezone

BATCH_ACTION = "export.batch"
_CHUNK = 500  # ids per IN (...), and drafts whose text is read at once while the file is written
_WRITE_CHUNK = 1000  # rows per bulk INSERT
MODES = {
    "cms": "CMS import",
    "spreadsheet": "Spreadsheet review",
}
MODE_HELP = {
    "cms": (
        "For the CMS importer. The HTML body is written exactly as sanitised; any other cell that "
        "starts with = + - @ (which a spreadsheet would run as a formula) gets a leading ' so the "
        "file stays safe if someone opens it. No byte-order mark."
    ),
    "spreadsheet": (
        "For checking the file in Excel, LibreOffice or Google Sheets before importing. Every "
        "cell, the HTML included, is checked for formulas (also after leading spaces and in "
        "fullwidth forms), and a byte-order mark makes Excel read accents, Chinese or emoji "
        "correctly."
    ),
}


# --------------------------------------------------------------------------------------------
# Settings


def disclosure_setting() -> str | None:
    """The workspace's AI-disclosure line (``STUDIO_AI_DISCLOSURE``), or None when unset."""
    value = getattr(get_settings(), "studio_ai_disclosure", None)
    value = (value or "").strip() if isinstance(value, str) else None
    return value or None


# --------------------------------------------------------------------------------------------
# Rows


def _normalise_ids(draft_ids: Iterable[int] | Mapping[int, int]) -> tuple[list[int], dict[int, int]]:
    """Ids in order without repeats, and the versions the person saw (when given)."""
    versions: dict[int, int] = {}
    if isinstance(draft_ids, Mapping):
        versions = {int(k): int(v) for k, v in draft_ids.items() if v is not None}
        items: Iterable[Any] = draft_ids.keys()
    else:
        items = draft_ids
    seen: dict[int, None] = {}
    for i in items:
        seen.setdefault(int(i), None)
    return list(seen), versions


# A selected draft as the export reads it first: its columns and its revision's number, not the
# text (10,000 posts of text are read a chunk at a time while the file is written: _WithText).
_HEAD_COLUMNS = (
    Draft.id, Draft.status, Draft.version, Draft.author_id, Draft.title, Draft.topic, Draft.slug,
    Draft.excerpt, Draft.meta_description, Draft.tags, Draft.categories, Draft.publish_date,
    Draft.publish_status, Draft.language, Draft.content_type, Draft.current_revision_id,
    Revision.number.label("revision_number"),
    func.coalesce(func.nullif(User.display_name, ""), User.name).label("author_label"),
    User.email.label("author_email"), DraftImage.chosen_file.label("image_file"),
    DraftImage.chosen_url.label("image_url"), DraftImage.alt_text.label("image_alt"),
)  # fmt: skip


def _load(session: Session, ids: Sequence[int]) -> dict[int, Row[Any]]:
    heads: dict[int, Row[Any]] = {}
    for start in range(0, len(ids), _CHUNK):  # stay under SQLite's bound-parameter limit
        stmt = (
            select(*_HEAD_COLUMNS)
            .join(Revision, Revision.id == Draft.current_revision_id, isouter=True)
            .join(User, User.id == Draft.author_id, isouter=True)
            .join(DraftImage, (DraftImage.draft_id == Draft.id) & (DraftImage.slot == "hero"), isouter=True)
            .where(Draft.id.in_(ids[start : start + _CHUNK]))
        )
        heads.update((h.id, h) for h in session.execute(stmt))
    return heads


def _bodies(session: Session, revision_ids: Sequence[int]) -> dict[int, str]:
    """revision id → its Markdown."""
    found: dict[int, str] = {}
    for start in range(0, len(revision_ids), _CHUNK):
        stmt = select(Revision.id, Revision.body).where(Revision.id.in_(revision_ids[start : start + _CHUNK]))
        for revision_id, body in session.execute(stmt):
            found[revision_id] = body
    return found


def _texts(session: Session, revision_ids: Sequence[int], *, markdown: bool) -> dict[int, tuple[str, str | None]]:
    """revision id → (Markdown, stored HTML or None when it must be rendered). With
    ``markdown=False`` (a preset without a Markdown column) the Markdown is read only for the
    revisions whose HTML must be rendered; the others get ``""``."""
    stmt = select(Revision.id, Revision.body_html, Revision.html_version).where(Revision.id.in_(revision_ids))
    if markdown:
        stmt = stmt.add_columns(Revision.body)
    found: dict[int, tuple[str, str | None]] = {}
    stale: list[int] = []
    for row in session.execute(stmt):
        html = row[1] if row[2] == HTML_VERSION else None
        found[row[0]] = (row[3] if markdown else "", html)
        if html is None and not markdown:
            stale.append(row[0])
    for revision_id, body in _bodies(session, stale).items():
        found[revision_id] = (body, None)
    return found


def _label(head: Row[Any], body: str = "") -> str:
    title = (head.title or "").strip() or title_from_markdown(body)
    name = title or (head.topic or "").strip()
    return f"Draft {head.id}" + (f" ({name[:60]!r})" if name else "")


class _WithText(Sized):
    """The validated rows, their text read from the database a chunk at a time as the file is
    written, so a 10,000-post export never holds every post's Markdown and HTML at once."""

    def __init__(
        self, session: Session, rows: Sequence[ExportRow], revision_ids: Sequence[int], *, markdown: bool = True,
        citations: str = "footnotes",
    ) -> None:
        self.session, self.rows, self.revision_ids, self.markdown = session, rows, revision_ids, markdown
        self.citations = citations

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ExportRow]:
        for start in range(0, len(self.rows), _CHUNK):
            ids = self.revision_ids[start : start + _CHUNK]
            text = _texts(self.session, ids, markdown=self.markdown)
            chunk = self.rows[start : start + _CHUNK]
            cited = export_citations(self.session, [r.draft_id for r in chunk])
            if cited and not self.markdown:
                need = [rid for row, rid in zip(chunk, ids) if row.draft_id in cited and not text[rid][0]]
                for rid, body in _bodies(self.session, need).items():
                    text[rid] = (body, text[rid][1])
            for row, revision_id in zip(chunk, ids):
                body, body_html = text[revision_id]
                if row.draft_id in cited:
                    # The stored HTML has the raw marks: this body is rendered again once they are turned.
                    body, body_html = apply_citations(body, self.citations, cited[row.draft_id], row.language), None
                yield with_text(row, body, body_html)


def _build_rows(
    session: Session,
    draft_ids: Iterable[int] | Mapping[int, int],
    *,
    include_exported: bool,
) -> tuple[list[Row[Any]], _WithText]:
    """The drafts' columns and their rows, or ExportError naming every draft that cannot go."""
    ids, versions = _normalise_ids(draft_ids)
    if not ids:
        raise ExportError("Nothing to export: no drafts were selected. Choose at least one approved draft.")
    found = _load(session, ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ExportError(
            "Nothing was exported: "
            + ", ".join(f"draft {i}" for i in missing[:10])
            + (" does" if len(missing) == 1 else " do")
            + " not exist."
        )
    heads = [found[i] for i in ids]
    # Only a draft without a title needs its text now: the title comes from its first heading.
    untitled = _bodies(
        session,
        [h.current_revision_id for h in heads if not (h.title or "").strip() and h.current_revision_id],
    )
    allowed = RE_EXPORTABLE_STATUSES if include_exported else EXPORTABLE_STATUSES

    def label(h: Row[Any]) -> str:
        return _label(h, untitled.get(h.current_revision_id, ""))

    problems: list[str] = []
    if not any(h.status in allowed for h in heads):
        raise ExportError(
            "Nothing to export: none of the selected drafts is approved"
            + ("." if include_exported else " (already exported drafts need “include already exported”).")
        )
    for h in heads:
        if h.status == "exported" and not include_exported:
            problems.append(
                f"{label(h)} was already exported; tick “include already exported” to export it again."
            )
        elif h.status not in allowed:
            problems.append(
                f"{label(h)} is {DraftStatus(h.status).label.lower()}, not approved."
            )
    for h in heads:
        want = versions.get(h.id)
        if want is not None and h.version != want:
            raise VersionConflict(
                f"{label(h)} changed since the list was loaded; reload and export again. "
                "Nothing was exported."
            )
    rows: list[ExportRow] = []
    for h in heads:
        try:
            if h.current_revision_id is None:
                raise ExportError(f"Draft {h.id} has no text to export.")
            rows.append(
                row_from_values(
                    h, revision_number=h.revision_number, body=untitled.get(h.current_revision_id, ""),
                    author_name=h.author_label or "", author_email=h.author_email or "",
                )
            )
        except ExportError as exc:
            problems.append(str(exc))
    if problems:
        if len(problems) == 1:
            raise ExportError(problems[0])
        raise ExportError(
            f"Nothing was exported: {len(problems)} drafts need attention.\n"
            + "\n".join(f"• {p}" for p in problems)
        )
    return heads, _WithText(session, rows, [h.current_revision_id for h in heads])


def _taken_slugs(session: Session) -> dict[str, int]:
    """slug → the draft an earlier export first gave it to."""
    taken: dict[str, int] = {}
    for slug, draft_id in session.execute(
        select(ExportItem.slug, ExportItem.draft_id).order_by(ExportItem.id)
    ):
        taken.setdefault(slug.lower(), draft_id)
    return taken


# --------------------------------------------------------------------------------------------
# Preview


@dataclass(frozen=True)
class ExportPreview:
    columns: list[str]
    rows: list[dict[str, Any]]  # the first rows as the file will have them (long cells cut)
    total: int
    problems: list[str] = field(default_factory=list)  # non-empty: the export would be refused


def preview_export(
    session: Session,
    actor: User,
    draft_ids: Iterable[int] | Mapping[int, int],
    preset: str,
    *,
    mode: str = "cms",
    bom: bool | None = None,
    include_exported: bool = False,
    disclosure: str | None = None,
    limit: int = 5,
    max_chars: int = 300,
    site_timezone: tzinfo | None = None,
    citations: str | None = None,
) -> ExportPreview:
    """The first ``limit`` rows of the file :func:`run_export` would write, read back from the
    real bytes; nothing is recorded or changed. A refusal comes back in ``problems``."""
    authorize(session, actor, EXPORT_PERMISSION)
    if site_timezone is None:
        site_timezone = workspace_timezone(session)
    try:
        _heads, rows = _build_rows(session, draft_ids, include_exported=include_exported)
        disclosure = disclosure if disclosure is not None else disclosure_setting()
        taken = _taken_slugs(session)
        head = export_bytes(
            _WithText(
                session, rows.rows[:limit], rows.revision_ids[:limit],
                markdown=preset not in PRESETS or PRESETS[preset].uses_markdown,
                citations=citations or (PRESETS[preset].citations if preset in PRESETS else "footnotes"),
            ),
            preset, mode=mode, bom=bom, taken_slugs=taken,  # type: ignore[arg-type]
            disclosure=disclosure, site_timezone=site_timezone,
        )  # fmt: skip
    except (ExportError, VersionConflict) as exc:
        return ExportPreview(columns=[], rows=[], total=0, problems=str(exc).split("\n"))
    records = read_back(head.content, head.mimetype)
    columns = list(records[0].keys()) if records else []

    def cut(v: Any) -> Any:
        if isinstance(v, str) and len(v) > max_chars:
            return v[:max_chars] + "…"
        return v

    return ExportPreview(
        columns=columns,
        rows=[{k: cut(v) for k, v in r.items()} for r in records],
        total=len(rows),
    )


def read_back(content: bytes, mimetype: str) -> list[dict[str, Any]]:
    """The records of an export file (CSV through pandas, every cell a string; or JSON)."""
    if mimetype.startswith("application/json"):
        return list(json.loads(content.decode("utf-8")))
    import pandas as pd

    frame = pd.read_csv(
        io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return frame.to_dict(orient="records")


# --------------------------------------------------------------------------------------------
# The export


def run_export(
    session: Session,
    actor: User,
    draft_ids: Iterable[int] | Mapping[int, int],
    preset: str,
    *,
    mode: str = "cms",
    bom: bool | None = None,
    include_exported: bool = False,
    disclosure: str | None = None,
    site_timezone: tzinfo | None = None,
    now: datetime | None = None,
    citations: str | None = None,
) -> tuple[ExportBatch, ExportFile]:
    """Export ``draft_ids`` in ``preset`` inside the caller's transaction; see the module doc.

    ``draft_ids``: ids, or ``{id: version seen}`` to refuse drafts changed since the list was
    loaded (VersionConflict). Refusals (ExportError, naming the draft): nothing selected, a draft
    that is not approved (or exported, with ``include_exported``), a draft with no title and no
    heading, an unknown preset or mode. ``disclosure`` defaults to ``STUDIO_AI_DISCLOSURE``,
    ``site_timezone`` (WordPress ``post_date``) to the workspace's site time zone.
    """
    actor = authorize(session, actor, EXPORT_PERMISSION)
    if site_timezone is None:
        site_timezone = workspace_timezone(session)
    if preset not in PRESETS:
        raise ExportError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    if citations is not None and citations not in CITATION_MODES:
        raise ExportError(f"Unknown citation handling {citations!r}; choose one of {', '.join(CITATION_MODES)}.")
    heads, rows = _build_rows(session, draft_ids, include_exported=include_exported)
    rows.markdown = PRESETS[preset].uses_markdown
    rows.citations = citations or PRESETS[preset].citations
    disclosure = disclosure if disclosure is not None else disclosure_setting()
    file = export_bytes(
        rows, preset, mode=mode, bom=bom, taken_slugs=_taken_slugs(session),  # type: ignore[arg-type]
        disclosure=disclosure, site_timezone=site_timezone, now=now, compressed=True,
    )  # fmt: skip
    batch = _record_batch(session, actor, file, heads, now)
    comment = f"Export {batch.id}: {PRESETS[preset].label}, {file.row_count} row(s)"
    _mark_exported(session, actor, heads, rows.rows, file, comment)
    notify_exported(session, actor, batch.id, [(h.id, h.author_id, row.title) for h, row in zip(heads, rows.rows)])
    session.expire(batch, ["content"])  # the session need not hold the stored copy
    record(
        session,
        actor,
        BATCH_ACTION,
        comment=comment,
        data={
            "batch_id": batch.id, "preset": file.preset, "mode": mode, "bom": bom,
            "rows": file.row_count, "sha256": file.sha256, "filename": file.filename_suggestion,
            "bytes": file.size, "draft_ids": [h.id for h in heads], "disclosure": bool(disclosure),
        },
    )  # fmt: skip
    session.flush()
    return batch, file


@dataclass(frozen=True)
class ExportDone:
    """What the Export page keeps of a finished export."""

    batch_id: int
    file: ExportFile


def export_drafts(session: Session, actor: User, draft_ids: Iterable[int] | Mapping[int, int], preset: str,
                  **options: Any) -> ExportDone:
    """`run_export`, handing back plain data (the batch's id and the file)."""
    batch, file = run_export(session, actor, draft_ids, preset, **options)
    return ExportDone(batch.id, file)


def _record_batch(
    session: Session, actor: User, file: ExportFile, heads: Sequence[Row[Any]], now: datetime | None
) -> ExportBatch:
    """The ExportBatch and one ExportItem per draft. The stored copy is the gzip made while the
    file was written; the file itself is not held while the export is recorded."""
    batch = ExportBatch(
        actor_id=actor.id,
        preset=file.preset,
        row_count=file.row_count,
        checksum=file.sha256,
        filename=file.filename_suggestion,
        content=file.content_gzip,
        content_encoding="gzip",
        size=file.size,
    )
    if now is not None:
        batch.created_at = now
    session.add(batch)
    session.flush()
    for start in range(0, len(heads), _WRITE_CHUNK):  # the table, not the entity: no per-row ORM work
        session.execute(
            insert(ExportItem.__table__),
            [
                {"batch_id": batch.id, "draft_id": h.id, "revision_id": h.current_revision_id, "slug": slug}
                for h, slug in zip(heads[start : start + _WRITE_CHUNK], file.slugs[start : start + _WRITE_CHUNK])
            ],
        )
    return batch


def _mark_exported(
    session: Session, actor: User, heads: Sequence[Row[Any]], rows: Sequence[ExportRow], file: ExportFile,
    comment: str,
) -> None:  # fmt: skip
    """Every draft moves to exported, with the slug written (a later export keeps it, so the CMS
    updates instead of duplicating) and, for a draft without a title, the title the CMS got, in
    the same UPDATE as the status: each draft is written once."""
    written: dict[int, dict[str, object]] = {h.id: {"slug": slug} for h, slug in zip(heads, file.slugs)}
    untitled: list[int] = []
    for h, row in zip(heads, rows):
        if not (h.title or "").strip():
            written[h.id]["title"] = row.title
            untitled.append(h.id)
    transition_many(
        session, [h.id for h in heads], actor, "export",
        expected_versions={h.id: h.version for h in heads}, comment=comment, set_values=written,
    )  # fmt: skip
    for start in range(0, len(untitled), _CHUNK):
        chunk = untitled[start : start + _CHUNK]
        # The drafts and their search rows in two queries, held here so index_draft finds them.
        drafts = list(
            session.scalars(
                select(Draft).where(Draft.id.in_(chunk)).options(selectinload(Draft.current_revision))
            )
        )
        held = list(session.scalars(select(DraftSearch).where(DraftSearch.draft_id.in_(chunk))))
        for draft in drafts:
            index_draft(session, draft)
        del held, drafts
