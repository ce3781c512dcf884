"""The writing context of a brief, resolved from the workspace just before writing: the brand
voice's guide (the voice named, or the workspace default), the source passages that best match
the brief, with the ids the writer cites, and the prompt version (picked at the configured A/B
shares, studio.prompts). A new draft gets them from ``with_context`` (DraftRun,
the long-form writer and variants call it before any model call); writing more of an existing
draft (a section again, a headline or an introduction variant, a revise turn) uses
``brief_of``: the voice at the version the draft was written with, its prompt version and the
passages it was given, under the same ids, so the citations already in its text keep their meaning."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import Brief, WritingContext
from studio.drafting.service import get_draft
from studio.errors import InputError
from studio.models import Draft, User
from studio.prompts.service import draft_prompt, prompt_for_new_draft
from studio.sources.service import draft_passages, existing_ids, save_draft_passages, search_passages
from studio.voices.schemas import VoiceGuide
from studio.voices.service import VoiceNotFound, default_voice_id, voice_guide

log = logging.getLogger(__name__)

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
    prompt = prompt_for_new_draft(session, brief.content_type)
    return replace(brief, voice_id=voice_id, context=WritingContext(guide, tuple(passages), grounded, prompt))


def resolved(
    engine: Engine | None, brief: Brief, actor: Any, settings: Settings | None = None, *, draft_id: int | None = None
) -> Brief:
    """``brief`` with its context, read in a session of its own unless it already has one (a
    brief made by ``brief_of``): for more of the draft ``draft_id``, the draft's own context
    (refused like the draft itself), else the workspace's for a new draft."""
    if brief.context is not None:
        return brief
    with session_scope(engine) as session:
        person = session.get(User, actor.id) or actor
        if draft_id is not None:
            draft = get_draft(session, draft_id, person)
            return replace(brief, context=brief_of(session, draft).context)
        return with_context(session, brief, person, settings)


def keep_passages(session: Session, draft_id: int, brief: Brief) -> None:
    """Store the passages a new draft is written from: the claim ledger checks its text against
    them, and the export turns their ids into footnotes."""
    if brief.context is not None and brief.context.grounded:
        save_draft_passages(session, draft_id, brief.context.passages)


def _draft_voice(session: Session, draft: Draft) -> VoiceGuide | None:
    if draft.voice_id is None:
        return None
    for version in (draft.voice_version, None):
        try:
            return voice_guide(session, draft.voice_id, version)
        except VoiceNotFound:
            continue
    log.warning("draft %s names brand voice %s, which no longer exists", draft.id, draft.voice_id)
    return None


def brief_of(session: Session, draft: Draft) -> Brief:
    """The brief a draft was written from, with the context it was written with (the caller has
    loaded the draft through a permission check)."""
    passages = tuple(draft_passages(session, draft.id))
    grounded = bool(draft.source_ids) or bool(draft.search_sources) or bool(passages)
    return Brief(
        content_type=draft.content_type, topic=draft.topic, audience=draft.audience,
        keywords=list(draft.keywords or []), tone=draft.tone, formality=draft.formality,
        temperature=draft.temperature, target_words=draft.target_words, language=draft.language,
        voice_id=draft.voice_id, use_default_voice=False, source_ids=tuple(draft.source_ids or ()),
        search_sources=bool(draft.search_sources),
        context=WritingContext(_draft_voice(session, draft), passages, grounded,
                               draft_prompt(session, draft.prompt_version_id)),
    )  # fmt: skip
