"""Knowledge sources over the database: added (upload, paste, URL), listed, shown, archived and
searched, with the actor checked every time. Sources are shared in the workspace."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.errors import InputError, NotFound, PermissionDenied
from studio.languages.detect import detect
from studio.models import DraftPassage, Source, SourceChunk, User
from studio.sources.chunking import chunk_text
from studio.sources.citations import Cited
from studio.sources.embeddings import EmbeddingsUnavailable, embed, embeddings_config
from studio.sources.extract import Extracted, decode, extract, tidy
from studio.sources.fetch import fetch_url
from studio.sources.index import Doc, search
from studio.sources.schemas import Passage, SourceDetail, SourceRow

log = logging.getLogger(__name__)

TITLE_MAX = 300
PASTE_MIN_CHARS = 20


class SourceNotFound(NotFound):
    pass


def add_source(
    session: Session,
    actor: Any,
    *,
    data: bytes | None = None,
    filename: str | None = None,
    text: str | None = None,
    url: str | None = None,
    title: str | None = None,
    settings: Settings | None = None,
) -> SourceDetail:
    """One source from an uploaded file (``data`` + ``filename``), pasted ``text`` or a ``url``."""
    settings = settings or get_settings()
    actor = authorize(session, actor, "sources.add")
    given = [name for name, value in (("file", data), ("text", text), ("url", url)) if value not in (None, "", b"")]
    if len(given) != 1:
        raise InputError("Give one source: a file, pasted text or a web address.")
    media_type = ""
    if url:
        fetched = fetch_url(
            url, max_bytes=settings.studio_sources_max_bytes, timeout=settings.studio_sources_fetch_timeout,
            allow_private=settings.studio_sources_allow_private_urls,
        )  # fmt: skip
        url, media_type = fetched.url, fetched.media_type
        name = url.rstrip("/").rsplit("/", 1)[-1]
        extracted = extract(fetched.data, filename=name if "." in name else "", media_type=media_type or "text/html")
        kind = "url"
    elif data is not None and data != b"":
        if len(data) > settings.studio_sources_max_bytes:
            raise InputError(f"{filename or 'The file'} is larger than the limit of "
                             f"{settings.studio_sources_max_bytes / 1_000_000:g} MB.")
        extracted = extract(data, filename=filename or "")
        kind = "upload"
    else:
        body = tidy(decode(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else "")
        if len(body.strip()) < PASTE_MIN_CHARS:
            raise InputError(f"The pasted text is too short to be a source (at least {PASTE_MIN_CHARS} characters).")
        extracted = Extracted(body, "text")
        kind = "paste"
    chosen_title = " ".join((title or "").split()) or extracted.title or _first_line(extracted.text) or (filename or url or "Source")
    source = Source(
        title=chosen_title[:TITLE_MAX], kind=kind, url=url if kind == "url" else None,
        filename=filename if kind == "upload" else None, media_type=(media_type or extracted.kind)[:120],
        text=extracted.text, chars=len(extracted.text), language=detect(extracted.text).code,
        created_by_id=actor.id,
    )  # fmt: skip
    session.add(source)
    session.flush()
    chunks = [
        SourceChunk(source_id=source.id, ordinal=i, start=c.start, end=c.end, text=c.text)
        for i, c in enumerate(chunk_text(extracted.text), start=1)
    ]
    session.add_all(chunks)
    session.flush()
    note = _embed_chunks(session, chunks, settings)
    record(session, actor, "source.added", data={"source_id": source.id, "kind": kind, "title": source.title,
                                                  "url": source.url, "chunks": len(chunks)})  # fmt: skip
    return _detail(session, source, note=note)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:120]
    return ""


def _embed_chunks(session: Session, chunks: Sequence[SourceChunk], settings: Settings) -> str:
    """Vectors for chunks that have none from the configured model; "" or why not."""
    config = embeddings_config(settings)
    if config is None:
        return ""
    todo = [c for c in chunks if c.embedding_model != config.model]
    if not todo:
        return ""
    try:
        vectors = embed(config, [c.text for c in todo], settings)
    except EmbeddingsUnavailable as exc:
        log.warning("embeddings failed: %s", exc)
        return str(exc)
    for chunk, vector in zip(todo, vectors):
        chunk.embedding = vector
        chunk.embedding_model = config.model
    session.flush()
    return ""


def _row(source: Source, chunks: int, added_by: str) -> SourceRow:
    return SourceRow(source.id, source.title, source.kind, source.url, source.filename, source.chars, chunks,
                     source.language, added_by, source.created_at)  # fmt: skip


def _detail(session: Session, source: Source, *, note: str = "") -> SourceDetail:
    passages = list(session.scalars(select(SourceChunk.text).where(SourceChunk.source_id == source.id)
                                    .order_by(SourceChunk.ordinal)))  # fmt: skip
    who = session.get(User, source.created_by_id) if source.created_by_id else None
    row = _row(source, len(passages), who.label if who else "")
    return SourceDetail(**vars(row), text=source.text, passages=passages, note=note)


def list_sources(session: Session, actor: Any) -> list[SourceRow]:
    authorize(session, actor, "workspace.read")
    counts = (select(SourceChunk.source_id, func.count().label("n")).group_by(SourceChunk.source_id).subquery())
    rows = session.execute(
        select(Source, counts.c.n, User)
        .join(counts, counts.c.source_id == Source.id, isouter=True)
        .join(User, User.id == Source.created_by_id, isouter=True)
        .where(Source.archived.is_(False))
        .order_by(Source.created_at.desc(), Source.id.desc())
    )
    return [_row(s, n or 0, u.label if u else "") for s, n, u in rows]


def _get(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None or source.archived:
        raise SourceNotFound(f"Source {source_id} does not exist (or was archived).")
    return source


def source_detail(session: Session, source_id: int, actor: Any) -> SourceDetail:
    authorize(session, actor, "workspace.read")
    return _detail(session, _get(session, source_id))


def archive_source(session: Session, source_id: int, actor: Any) -> None:
    """Take a source out of search and pickers. Drafts written from it keep their passages."""
    actor = authorize(session, actor, "workspace.read")
    source = _get(session, source_id)
    if source.created_by_id != actor.id and not can(actor, "sources.manage"):
        raise PermissionDenied("Only the person who added this source, an editor or an admin can archive it.")
    source.archived = True
    record(session, actor, "source.archived", data={"source_id": source.id, "title": source.title})


def existing_ids(session: Session, ids: Sequence[int]) -> list[int]:
    """Those of ``ids`` that name sources in use, in the order given."""
    found = set(session.scalars(select(Source.id).where(Source.id.in_(list(ids)), Source.archived.is_(False))))
    return [i for i in ids if i in found]


def search_passages(
    session: Session, actor: Any, query: str, *, source_ids: Sequence[int] | None = None, k: int = 6,
    settings: Settings | None = None,
) -> list[Passage]:  # fmt: skip
    """The ``k`` passages that best match ``query`` among ``source_ids`` (None: every source),
    labelled S1…Sk in rank order."""
    settings = settings or get_settings()
    authorize(session, actor, "workspace.read")
    stmt = (select(SourceChunk, Source.title, Source.url).join(Source, Source.id == SourceChunk.source_id)
            .where(Source.archived.is_(False)))  # fmt: skip
    if embeddings_config(settings) is not None:
        stmt = stmt.options(undefer(SourceChunk.embedding))
    if source_ids is not None:
        if not source_ids:
            return []
        stmt = stmt.where(Source.id.in_(list(source_ids)))
    rows = session.execute(stmt).all()
    if not rows:
        return []
    chunks = {c.id: (c, title, url) for c, title, url in rows}
    docs = [Doc(c.id, c.text) for c, _, _ in rows]
    query_vector, vectors = _vectors(session, [c for c, _, _ in rows], query, settings)
    hits = search(docs, query, k, query_vector=query_vector, vectors=vectors)
    out = []
    for n, hit in enumerate(hits, start=1):
        chunk, title, url = chunks[hit.id]
        out.append(Passage(f"S{n}", chunk.text, chunk.source_id, chunk.id, title, url, round(hit.score, 4), hit.how))
    return out


def _vectors(session: Session, chunks: list[SourceChunk], query: str, settings: Settings):  # type: ignore[no-untyped-def]
    config = embeddings_config(settings)
    if config is None:
        return None, None
    if _embed_chunks(session, chunks, settings):
        return None, None
    try:
        (query_vector,) = embed(config, [query], settings)
    except EmbeddingsUnavailable as exc:
        log.warning("query embedding failed: %s", exc)
        return None, None
    return query_vector, {c.id: c.embedding for c in chunks if c.embedding is not None}


def save_draft_passages(session: Session, draft_id: int, passages: Sequence[Passage]) -> None:
    """The passages a draft's latest generation was given, replacing the earlier run's."""
    for old in session.scalars(select(DraftPassage).where(DraftPassage.draft_id == draft_id)):
        session.delete(old)
    session.flush()
    session.add_all(
        DraftPassage(draft_id=draft_id, label=p.label, source_id=p.source_id, chunk_id=p.chunk_id,
                     title=p.title[:TITLE_MAX], url=p.url, text=p.text, score=p.score)  # fmt: skip
        for p in passages
    )
    session.flush()


def draft_passages(session: Session, draft_id: int) -> list[Passage]:
    """The passages a draft was written from (no permission check: callers load the draft first)."""
    rows = session.scalars(select(DraftPassage).where(DraftPassage.draft_id == draft_id).order_by(DraftPassage.id))
    return [Passage(p.label, p.text, p.source_id, p.chunk_id, p.title, p.url, p.score) for p in rows]


def export_citations(session: Session, draft_ids: Sequence[int]) -> dict[int, dict[str, Cited]]:
    """For each of ``draft_ids`` that was written from sources: passage id → what its footnote
    shows (the source's title and URL)."""
    if not draft_ids:
        return {}
    rows = session.execute(
        select(DraftPassage.draft_id, DraftPassage.label, DraftPassage.title, DraftPassage.url)
        .where(DraftPassage.draft_id.in_(list(draft_ids)))
    )  # fmt: skip
    out: dict[int, dict[str, Cited]] = {}
    for draft_id, label, title, url in rows:
        out.setdefault(draft_id, {})[label] = Cited(title or "Source", url)
    return out
