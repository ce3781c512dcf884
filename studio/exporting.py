"""The export flow over the database: pick approved drafts, write the file, record it, move them.

``studio/export.py`` is the pure core (rows, HTML, slugs, presets, bytes); this module is the
service the page and the CLI call:

* :func:`exportable`: the drafts the picker offers (approved; exported ones too when asked), with
  the time each was approved and anything that would stop it from exporting.
* :func:`preview_export`: the first rows exactly as the file will have them, and every problem
  with the selection, without changing anything.
* :func:`run_export`: ONE transaction, the caller's: the file is built, an ``ExportBatch`` (who,
  when, preset, rows, SHA-256 of the file, the file itself) and one ``ExportItem`` per draft
  (revision and slug written) are added, every draft moves to ``exported`` through
  ``review.transition_many`` (permission ``export.run`` checked once, one ``review.export`` audit
  row each, all inserted at once) and one ``export.batch`` audit row records the batch. The
  drafts' columns are read first (a few ``IN (...)`` queries, never one per draft) to check and
  refuse; their text is read 500 posts at a time while the file is written, with the HTML each
  revision got when it was saved (``revisions.body_html``; rendered again when it is missing or
  from another renderer). The stored copy of the file is gzip-compressed. If anything fails
  half-way the caller's ``session_scope`` rolls back: no status changes, no batch, no file.
* :func:`past_exports` / :func:`download_batch`: earlier files, downloadable again (the checksum is
  verified first).

Slugs are unique against earlier exports: a slug an earlier export gave to another draft is
taken; a draft exported again keeps the slug it had. The slug written is stored on the draft, so a
later title change does not move the post in the CMS.
"""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select
from sqlalchemy.orm import Session, selectinload

from studio import audit, review
from studio.auth import authorize
from studio.config import get_settings
from studio.drafts import VersionConflict
from studio.export import (
    HTML_VERSION,
    PRESETS,
    ExportError,
    ExportFile,
    ExportRow,
    export_bytes,
    gunzip,
    row_from_draft,
    title_from_markdown,
    with_text,
)
from studio.models import AuditEvent, Draft, DraftSearch, ExportBatch, ExportItem, Revision, User
from studio.search import index_draft

__all__ = [
    "EXPORTABLE_STATUSES",
    "BatchSummary",
    "batch_reader",
    "ExportCandidate",
    "ExportPreview",
    "disclosure_setting",
    "download_batch",
    "exportable",
    "past_exports",
    "preview_export",
    "run_export",
]

EXPORT_PERMISSION = "export.run"
BATCH_ACTION = "export.batch"
EXPORTABLE_STATUSES = ("approved",)
RE_EXPORTABLE_STATUSES = ("approved", "exported")
_CHUNK = 500  # ids per IN (...), and drafts whose text is read at once while the file is written
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
# The picker


@dataclass(frozen=True)
class ExportCandidate:
    id: int
    title: str  # the title the export will use ("" when there is none: see `problem`)
    content_type: str
    status: str
    author: str
    approved_at: datetime | None
    last_exported_at: datetime | None
    revision_number: int | None
    version: int
    slug: str
    publish_status: str
    publish_date: datetime | None
    problem: str | None = None  # why this draft would be refused, in words


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(0), tzinfo=timezone.utc)


def _until(value: date | datetime) -> datetime:
    """An exclusive upper bound: a datetime as given, a date up to the end of that day."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value + timedelta(days=1), time(0), tzinfo=timezone.utc)


def _approved_at_subquery() -> Any:
    return (
        select(AuditEvent.draft_id, func.max(AuditEvent.created_at).label("approved_at"))
        .where(AuditEvent.action == "review.approve")
        .group_by(AuditEvent.draft_id)
        .subquery()
    )


def _exported_at_subquery() -> Any:
    return (
        select(ExportItem.draft_id, func.max(ExportBatch.created_at).label("exported_at"))
        .join(ExportBatch, ExportBatch.id == ExportItem.batch_id)
        .group_by(ExportItem.draft_id)
        .subquery()
    )


def exportable(
    session: Session,
    actor: User,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    content_type: str | None = None,
    include_exported: bool = False,
    limit: int | None = None,
) -> list[ExportCandidate]:
    """Approved drafts (and exported ones when ``include_exported``), oldest approval first.

    ``since``/``until`` filter on when the draft was approved: ``since`` inclusive, ``until``
    exclusive for a datetime and inclusive of the whole day for a date.
    """
    authorize(session, actor, EXPORT_PERMISSION)
    statuses = RE_EXPORTABLE_STATUSES if include_exported else EXPORTABLE_STATUSES
    approved = _approved_at_subquery()
    exported = _exported_at_subquery()
    when = func.coalesce(approved.c.approved_at, Draft.updated_at)
    stmt = (
        select(Draft, User, approved.c.approved_at, exported.c.exported_at)
        .join(User, User.id == Draft.author_id, isouter=True)
        .join(approved, approved.c.draft_id == Draft.id, isouter=True)
        .join(exported, exported.c.draft_id == Draft.id, isouter=True)
        .where(Draft.status.in_(statuses))
        .options(selectinload(Draft.current_revision))
        .order_by(when.asc(), Draft.id.asc())
    )
    if content_type:
        stmt = stmt.where(Draft.content_type == content_type)
    if since is not None:
        stmt = stmt.where(when >= _day_start(since))
    if until is not None:
        stmt = stmt.where(when < _until(until))
    if limit is not None:
        stmt = stmt.limit(limit)
    out: list[ExportCandidate] = []
    for draft, author, approved_at, exported_at in session.execute(stmt):
        revision = draft.current_revision
        body = revision.body if revision is not None else ""
        title = (draft.title or "").strip() or title_from_markdown(body)
        problem = None
        try:
            row_from_draft(draft, revision, html=False)
        except ExportError as exc:
            problem = str(exc)
        out.append(
            ExportCandidate(
                id=draft.id,
                title=title,
                content_type=draft.content_type,
                status=draft.status,
                author=author.label if author is not None else "",
                approved_at=approved_at,
                last_exported_at=exported_at,
                revision_number=revision.number if revision is not None else None,
                version=draft.version,
                slug=draft.slug or "",
                publish_status=draft.publish_status or "draft",
                publish_date=draft.publish_date,
                problem=problem,
            )
        )
    return out


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
)  # fmt: skip


def _load(session: Session, ids: Sequence[int]) -> dict[int, Row[Any]]:
    heads: dict[int, Row[Any]] = {}
    for start in range(0, len(ids), _CHUNK):  # stay under SQLite's bound-parameter limit
        stmt = (
            select(*_HEAD_COLUMNS)
            .join(Revision, Revision.id == Draft.current_revision_id, isouter=True)
            .join(User, User.id == Draft.author_id, isouter=True)
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
        self, session: Session, rows: Sequence[ExportRow], revision_ids: Sequence[int], *, markdown: bool = True
    ) -> None:
        self.session, self.rows, self.revision_ids, self.markdown = session, rows, revision_ids, markdown

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ExportRow]:
        for start in range(0, len(self.rows), _CHUNK):
            ids = self.revision_ids[start : start + _CHUNK]
            text = _texts(self.session, ids, markdown=self.markdown)
            for row, revision_id in zip(self.rows[start : start + _CHUNK], ids):
                body, body_html = text[revision_id]
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
    from studio.review import STATUS_LABELS

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
                f"{label(h)} is {STATUS_LABELS.get(h.status, h.status).lower()}, not approved."
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
        revision = None
        if h.current_revision_id is not None:
            revision = SimpleNamespace(
                number=h.revision_number, body=untitled.get(h.current_revision_id, ""), html_version=None
            )
        try:
            rows.append(row_from_draft(h, revision, author_name=h.author_label or ""))
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
    site_timezone: tzinfo = timezone.utc,
) -> ExportPreview:
    """The first ``limit`` rows of the file :func:`run_export` would write, read back from the
    real bytes; nothing is recorded or changed. A refusal comes back in ``problems``."""
    authorize(session, actor, EXPORT_PERMISSION)
    try:
        _heads, rows = _build_rows(session, draft_ids, include_exported=include_exported)
        disclosure = disclosure if disclosure is not None else disclosure_setting()
        taken = _taken_slugs(session)
        head = export_bytes(
            _WithText(
                session, rows.rows[:limit], rows.revision_ids[:limit],
                markdown=preset not in PRESETS or PRESETS[preset].uses_markdown,
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
    site_timezone: tzinfo = timezone.utc,
    now: datetime | None = None,
) -> tuple[ExportBatch, ExportFile]:
    """Export ``draft_ids`` in ``preset`` inside the caller's transaction; see the module doc.

    ``draft_ids``: ids, or ``{id: version seen}`` to refuse drafts changed since the list was
    loaded (VersionConflict). Refusals (ExportError, naming the draft): nothing selected, a draft
    that is not approved (or exported, with ``include_exported``), a draft with no title and no
    heading, an unknown preset or mode. ``disclosure`` defaults to ``STUDIO_AI_DISCLOSURE``.
    """
    actor = authorize(session, actor, EXPORT_PERMISSION)
    if preset not in PRESETS:
        raise ExportError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    heads, rows = _build_rows(session, draft_ids, include_exported=include_exported)
    rows.markdown = PRESETS[preset].uses_markdown
    disclosure = disclosure if disclosure is not None else disclosure_setting()
    file = export_bytes(
        rows, preset, mode=mode, bom=bom, taken_slugs=_taken_slugs(session),  # type: ignore[arg-type]
        disclosure=disclosure, site_timezone=site_timezone, now=now, compressed=True,
    )  # fmt: skip

    # The stored copy is the gzip made while the file was written (~5x smaller for HTML-heavy
    # CSV); the file itself is not held while the export is recorded (file.content decompresses).
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
    comment = f"Export {batch.id}: {PRESETS[preset].label}, {file.row_count} row(s)"
    ids = [h.id for h in heads]
    for start in range(0, len(heads), 1000):  # the table, not the entity: no ORM bookkeeping per row
        session.execute(
            insert(ExportItem.__table__),
            [
                {"batch_id": batch.id, "draft_id": h.id, "revision_id": h.current_revision_id, "slug": slug}
                for h, slug in zip(heads[start : start + 1000], file.slugs[start : start + 1000])
            ],
        )
    # The slug written (a later export keeps it, so the CMS updates instead of duplicating) and
    # a title taken from the first heading (the title the CMS got) go into the same UPDATE as
    # the status: each draft is written once.
    written: dict[int, dict[str, object]] = {h.id: {"slug": slug} for h, slug in zip(heads, file.slugs)}
    untitled: list[int] = []
    for h, row in zip(heads, rows.rows):
        if not (h.title or "").strip():
            written[h.id]["title"] = row.title
            untitled.append(h.id)
    review.transition_many(
        session, ids, actor, "export",
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
    session.expire(batch, ["content"])  # the session need not hold the stored copy
    audit.record(
        session,
        actor,
        BATCH_ACTION,
        comment=comment,
        data={
            "batch_id": batch.id,
            "preset": file.preset,
            "mode": mode,
            "bom": bom,
            "rows": file.row_count,
            "sha256": file.sha256,
            "filename": file.filename_suggestion,
            "bytes": file.size,
            "draft_ids": ids,
            "disclosure": bool(disclosure),
        },
    )
    session.flush()
    return batch, file


def stored_file(content: bytes | None, encoding: str | None, size: int | None = None) -> bytes | None:
    """An ExportBatch's file as it was handed out, from what the database holds."""
    if content is None:
        return None
    if encoding == "gzip":
        return gunzip(content, size)
    if encoding is None:
        return bytes(content)
    raise ExportError(f"An export file is stored as {encoding!r}, which this version cannot read.")


# --------------------------------------------------------------------------------------------
# Earlier exports


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created_at: datetime
    actor: str
    preset: str
    row_count: int
    checksum: str
    filename: str
    size: int | None
    draft_ids: list[int]


def past_exports(session: Session, actor: User, *, limit: int = 50) -> list[BatchSummary]:
    """Earlier exports, newest first."""
    authorize(session, actor, EXPORT_PERMISSION)
    stmt = (
        select(ExportBatch, User, func.coalesce(ExportBatch.size, func.length(ExportBatch.content)))
        .join(User, User.id == ExportBatch.actor_id, isouter=True)
        .order_by(ExportBatch.created_at.desc(), ExportBatch.id.desc())
        .limit(limit)
    )
    found = session.execute(stmt).all()
    items: dict[int, list[int]] = {b.id: [] for b, _u, _n in found}
    if items:
        for batch_id, draft_id in session.execute(
            select(ExportItem.batch_id, ExportItem.draft_id)
            .where(ExportItem.batch_id.in_(list(items)))
            .order_by(ExportItem.id)
        ):
            items[batch_id].append(draft_id)
    return [
        BatchSummary(
            id=b.id,
            created_at=b.created_at,
            actor=u.label if u is not None else "",
            preset=b.preset,
            row_count=b.row_count,
            checksum=b.checksum,
            filename=b.filename,
            size=n,
            draft_ids=items[b.id],
        )
        for b, u, n in found
    ]


def _mimetype(filename: str) -> str:
    return "application/json" if filename.lower().endswith(".json") else "text/csv; charset=utf-8"


def download_batch(session: Session, actor: User, batch_id: int) -> tuple[str, bytes, str]:
    """``(filename, bytes, mimetype)`` of an earlier export, after checking its SHA-256."""
    authorize(session, actor, EXPORT_PERMISSION)
    batch = session.get(ExportBatch, batch_id)
    if batch is None:
        raise ExportError(f"Export {batch_id} does not exist.")
    try:
        content = stored_file(batch.content, batch.content_encoding, batch.size)
    except (OSError, EOFError, zlib.error):  # a damaged gzip stream
        content = b""
    if content is None:
        raise ExportError(f"Export {batch_id} was recorded without its file; export the drafts again.")
    if hashlib.sha256(content).hexdigest() != batch.checksum:
        raise ExportError(
            f"Export {batch_id}'s stored file does not match its checksum; it was not handed out. "
            "Export the drafts again."
        )
    return batch.filename, content, _mimetype(batch.filename)


def batch_reader(engine: Engine, actor: User, batch_id: int) -> Callable[[], bytes]:
    """What a download button calls when it is clicked: the earlier export's file, read and
    checked (:func:`download_batch`) in a session of its own, so the page holds no file."""

    def read() -> bytes:
        from studio.db import session_scope

        with session_scope(engine) as session:
            return download_batch(session, actor, batch_id)[1]

    return read
