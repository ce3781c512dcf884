"""The writing context of a brief, resolved from the workspace just before writing: the brand
voice's guide (the voice named, or the workspace default) and the source passages that best match
the brief, with the ids the writer cites. Every way of writing a draft goes through
``DraftRun``, which calls ``with_context`` first, so every prompt gets them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from studio.config import Settings, get_settings
from studio.drafting.brief import Brief, WritingContext
from studio.errors import InputError
from studio.sources.service import existing_ids, search_passages
from studio.voices.service import default_voice_id, voice_guide

PASSAGES = 6


def query_for(brief: Brief) -> str:
    """What the sources are searched with: the topic, the keywords and the audience."""
    return " ".join([brief.topic, " ".join(brief.keywords), brief.audience])


def with_context(session: Session, brief: Brief, actor: Any, settings: Settings | None = None) -> Brief:
    """``brief`` with its WritingContext (see the module docstring); InputError names a voice or
    source that does not exist (any more)."""
    settings = settings or get_settings()
    voice_id = brief.voice_id
    if voice_id is None and brief.use_default_voice:
        voice_id = default_voice_id(session)
    guide = voice_guide(session, voice_id) if voice_id is not None else None
    grounded = bool(brief.source_ids) or brief.search_sources
    passages: list = []
    if grounded:
        ids = None
        if not brief.search_sources:
            ids = existing_ids(session, brief.source_ids)
            missing = [i for i in brief.source_ids if i not in ids]
            if missing:
                raise InputError({"source_ids": f"Source {', '.join(map(str, missing))} does not exist (or was archived)."})
        passages = search_passages(session, actor, query_for(brief), source_ids=ids, k=PASSAGES, settings=settings)
    return replace(brief, voice_id=voice_id, context=WritingContext(guide, tuple(passages), grounded))
