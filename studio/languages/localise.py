"""Localising an approved draft into another language: a new draft, linked to the original.

The model is asked to adapt, not translate word for word: it writes the piece as a native writer
of the target language would (``catalog.writing_instructions``), keeps the brand voice's terms
that are never translated, uses the voice's glossary, and keeps citation marks and
``[NEEDS SOURCE]`` as they are. The new draft keeps the original's brief, voice and source
passages, starts as a draft of the person who localised it, and goes through its own checks
(in the new language: the language is verified by the detector, toxicity uses the multilingual
tier) and its own review. The model call happens outside any database transaction.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from sqlalchemy import Engine

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.checks.service import latest_report
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.failures import friendly_error
from studio.drafting.providers import get_chat_model, resolve_provider
from studio.drafting.service import add_revision, create_draft, get_draft
from studio.errors import InputError, StudioError
from studio.languages.catalog import LANGUAGES_BY_CODE, language_name, same_language, writing_instructions
from studio.languages.detect import detect
from studio.languages.fidelity import glossary_for
from studio.models import Draft, User
from studio.publishing.fields import derive_fields
from studio.publishing.service import apply_proposed_fields
from studio.review.rules import DraftStatus
from studio.sources.schemas import Passage
from studio.sources.service import draft_passages, save_draft_passages
from studio.voices.rules import VoiceRules
from studio.voices.service import voice_version

log = logging.getLogger(__name__)

LOCALISABLE = frozenset({DraftStatus.APPROVED.value, DraftStatus.EXPORTED.value})


class LocaliseError(StudioError):
    """Localisation refused or failed; nothing was saved."""


@dataclass
class Localised:
    draft_id: int
    source_draft_id: int
    language: str
    language_detected: str
    language_confidence: float
    verdict: str | None
    model: str
    total_time_ms: float
    kept_terms: list[str] = field(default_factory=list)
    glossary_used: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id, "source_draft_id": self.source_draft_id, "language": self.language,
            "language_detected": self.language_detected, "language_confidence": round(self.language_confidence, 3),
            "verdict": self.verdict, "model": self.model, "total_time_ms": round(self.total_time_ms, 1),
            "kept_terms": self.kept_terms, "glossary_used": self.glossary_used,
        }  # fmt: skip


SYSTEM = (
    "You localise marketing content for a brand. {instructions}\n\n"
    "Adapt the piece for {language} readers as a native {language} copywriter would write it: idioms, "
    "examples, units and conventions of the target market; keep every fact, figure, name, date and "
    "quotation exactly as in the original, and keep its structure (headings, lists, paragraphs). "
    "Keep the citation marks such as [S2] and the mark [NEEDS SOURCE] exactly as written, at the same "
    "facts. Output the localised Markdown only: no preamble, no notes.{voice}{keep}{glossary}"
)


def _voice_lines(draft: Draft, rules: VoiceRules, description: str, target: str) -> tuple[str, str, str, list[str], dict[str, str]]:
    voice = f"\n\nThe brand voice, to carry into {language_name(target)}: {description}" if description else ""
    body = draft.current_revision.body if draft.current_revision else ""
    keep = [t for t in rules.keep if t in body]
    keep_line = ("\n\nNever translate these terms; write them exactly as given: " + ", ".join(f"“{t}”" for t in keep)
                 + ".") if keep else ""  # fmt: skip
    glossary = {k: v for k, v in glossary_for(rules, target).items() if k.lower() in body.lower()}
    glossary_line = ("\n\nThe brand's glossary for " + language_name(target) + ": "
                     + "; ".join(f"“{k}” → “{v}”" for k, v in glossary.items()) + ".") if glossary else ""  # fmt: skip
    return voice, keep_line, glossary_line, keep, glossary


def localise(
    draft_id: int, actor: Any, target: str, *, engine: Engine | None = None, settings: Settings | None = None,
    provider: str | None = None, model: str | None = None,
) -> Localised:  # fmt: skip
    """Localise approved draft ``draft_id`` into ``target`` (see the module docstring)."""
    settings = settings or get_settings()
    if target not in LANGUAGES_BY_CODE:
        raise InputError({"to": f"Unsupported language “{target}”. Choose one of: {', '.join(LANGUAGES_BY_CODE)}."})
    choice = resolve_provider(settings, provider, model)
    if choice.is_demo:
        raise LocaliseError("Localising needs an AI model: the demo writer cannot translate. Set OPENAI_API_KEY or "
                            "OPENAI_BASE_URL.")  # fmt: skip
    with session_scope(engine) as session:
        user = authorize(session, actor, "draft.localise")
        draft = get_draft(session, draft_id, user)
        if draft.status not in LOCALISABLE:
            raise LocaliseError(f"Draft {draft_id} is {DraftStatus(draft.status).phrase}; only an approved draft is "
                                "localised (so the original is settled before it is adapted).")  # fmt: skip
        if same_language(draft.language, target):
            raise LocaliseError(f"Draft {draft_id} is already in {language_name(draft.language)}.")
        row = voice_version(session, draft.voice_id, draft.voice_version) if draft.voice_id else None
        rules = VoiceRules.from_dict(row.rules if row else {})
        voice, keep_line, glossary_line, keep, glossary = _voice_lines(draft, rules, row.description if row else "", target)
        body = draft.current_revision.body if draft.current_revision else ""
        brief = Brief.create(
            content_type=draft.content_type, topic=draft.topic, audience=draft.audience, keywords=draft.keywords,
            tone=draft.tone, formality=draft.formality, temperature=draft.temperature,
            target_words=draft.target_words, language=target, voice_id=draft.voice_id,
            use_default_voice=False, source_ids=draft.source_ids or [], search_sources=draft.search_sources,
        )  # fmt: skip
        passages: list[Passage] = draft_passages(session, draft.id)
        voice_id, voice_ver = draft.voice_id, draft.voice_version
    messages = [
        SystemMessage(SYSTEM.format(instructions=writing_instructions(target, brief.formality),
                                    language=language_name(target), voice=voice, keep=keep_line,
                                    glossary=glossary_line)),  # fmt: skip
        HumanMessage(f"Localise this {brief.type_label.lower()} into {language_name(target)}:\n\n{body}"),
    ]
    started = time.perf_counter()
    try:
        reply = get_chat_model(settings, choice, temperature=min(brief.temperature, 0.5)).invoke(messages)
    except Exception as exc:  # noqa: BLE001 - said in words; nothing is saved
        raise LocaliseError(friendly_error(exc, choice)) from exc
    text = str(reply.content).strip() + "\n"
    elapsed = (time.perf_counter() - started) * 1000
    if not text.strip():
        raise LocaliseError("The model returned no text. Nothing was saved; try again.")
    found = detect(text, mode=settings.studio_language_detection)
    with session_scope(engine) as session:
        user = session.get(User, actor.id)
        new = create_draft(session, brief, user)
        new.localised_from_id = draft_id
        new.voice_id, new.voice_version = voice_id, voice_ver
        if passages:
            save_draft_passages(session, new.id, passages)
        revision = add_revision(session, new, text, user, "localised",
                                note=f"Localised from draft {draft_id} into {language_name(target)}.")  # fmt: skip
        apply_proposed_fields(session, new, derive_fields(brief, text), actor=user)
        record(session, user, "draft.localised", draft_id=new.id,
               data={"from_draft": draft_id, "language": target, "detected": found.as_dict(), "model": choice.model})  # fmt: skip
        record(session, user, "draft.localised_to", draft_id=draft_id, data={"draft": new.id, "language": target})
        report = latest_report(session, revision.id)
        new_id = new.id
        verdict = report.verdict if report else None
    return Localised(new_id, draft_id, target, found.code, found.confidence, verdict, choice.model, elapsed,
                     [t for t in keep if t in text], {k: v for k, v in glossary.items() if v.lower() in text.lower()})  # fmt: skip
