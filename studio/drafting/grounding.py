"""What the draft view shows about a draft's voice, sources, claims and languages (plain data):
the voice-match score of the current text, the passages it was written from, the claim ledger,
the output language the detector reads, and the drafts it is linked to by localisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import can
from studio.claims.schemas import ClaimView
from studio.claims.service import ledger
from studio.config import get_settings
from studio.drafting.service import get_draft
from studio.languages.catalog import LANGUAGES_BY_CODE, language_name
from studio.languages.detect import Detection, detect
from studio.languages.localise import LOCALISABLE
from studio.models import BrandVoice, Draft
from studio.sources.citations import labels_in
from studio.sources.schemas import Passage
from studio.sources.service import draft_passages
from studio.voices.checking import draft_voice_match
from studio.voices.match import VoiceMatch


@dataclass(frozen=True)
class LinkedDraft:
    id: int
    language: str
    title: str
    status: str

    @property
    def language_label(self) -> str:
        return language_name(self.language)


@dataclass(frozen=True)
class Grounding:
    draft_id: int
    language: str
    voice_name: str | None
    voice_version: int | None
    voice_match: VoiceMatch | None
    passages: list[Passage]
    cited: list[str]  # passage ids the text cites
    claims: list[ClaimView]
    detected: Detection
    localised_from: LinkedDraft | None
    localisations: list[LinkedDraft] = field(default_factory=list)
    can_localise: bool = False
    localise_to: list[str] = field(default_factory=list)  # language codes offered

    @property
    def open_claims(self) -> list[ClaimView]:
        """The claims an approval must acknowledge one by one."""
        return [c for c in self.claims if c.needs_acknowledgement]


def _linked(d: Draft) -> LinkedDraft:
    return LinkedDraft(d.id, d.language, d.title or d.topic[:80], d.status)


def grounding(session: Session, draft_id: int, actor: Any) -> Grounding:
    draft = get_draft(session, draft_id, actor)
    body = draft.current_revision.body if draft.current_revision else ""
    voice = session.get(BrandVoice, draft.voice_id) if draft.voice_id else None
    match = draft_voice_match(session, draft, body) if body else None
    source = session.get(Draft, draft.localised_from_id) if draft.localised_from_id else None
    children = session.scalars(select(Draft).where(Draft.localised_from_id == draft.id).order_by(Draft.id))
    localisations = [_linked(d) for d in children]
    taken = {draft.language, *(d.language for d in localisations)}
    may = can(actor, "draft.localise") and draft.status in LOCALISABLE and bool(body)
    return Grounding(
        draft_id=draft.id, language=draft.language, voice_name=voice.name if voice else None,
        voice_version=draft.voice_version, voice_match=match, passages=draft_passages(session, draft.id),
        cited=labels_in(body), claims=ledger(session, draft.id, actor),
        detected=detect(body, mode=get_settings().studio_language_detection) if body else Detection("", 0.0),
        localised_from=_linked(source) if source is not None else None, localisations=localisations,
        can_localise=may, localise_to=[c for c in LANGUAGES_BY_CODE if c not in taken] if may else [],
    )  # fmt: skip
