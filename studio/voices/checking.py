"""A draft and its brand voice, at the version the draft was written in: the voice's rules as a
rule backend of the draft's check (avoid/prefer terms with the preferred term as the suggestion,
spelling, Oxford comma, headline case), and the voice-match score of its text."""

from __future__ import annotations

from sqlalchemy.orm import Session

from studio.models import Draft
from studio.voices.match import VoiceMatch, match
from studio.voices.rules import VoiceRules, findings
from studio.voices.service import voice_version


def voice_check(session: Session, draft: Draft):  # type: ignore[no-untyped-def]
    """``("voice-rules", fn(text) -> findings)``, or None when the draft has no voice."""
    if draft.voice_id is None:
        return None
    row = voice_version(session, draft.voice_id, draft.voice_version)
    if row is None:
        return None
    # Read now: the check runs later, once this session has closed.
    rules, language = VoiceRules.from_dict(row.rules), draft.language or row.language
    return ("voice-rules", lambda text: findings(text, rules, language))


def draft_voice_match(session: Session, draft: Draft, text: str) -> VoiceMatch | None:
    """How close ``text`` is to the draft's voice (at the version it was written in), or None."""
    if draft.voice_id is None:
        return None
    row = voice_version(session, draft.voice_id, draft.voice_version)
    if row is None:
        return None
    return match(text, row.profile or {}, row.rules or {}, draft.language or row.language)
