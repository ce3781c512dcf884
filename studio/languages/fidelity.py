"""What a localised draft must keep from the draft it came from: the brand voice's terms that are
never translated, the voice's glossary for the new language, and the citation marks. Checked on
every revision of a localised draft, so an editor's later edit is held to the same rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from studio.checks.report import Finding
from studio.languages.catalog import base_code, language_name
from studio.models import Draft
from studio.sources.citations import labels_in
from studio.voices.rules import VoiceRules
from studio.voices.service import voice_version


def _has(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None


def _has_folded(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I) is not None


def glossary_for(rules: VoiceRules, language: str) -> dict[str, str]:
    return dict(rules.glossary.get(language) or rules.glossary.get(base_code(language)) or {})


def fidelity_findings(source: str, target: str, keep: Sequence[str], glossary: Mapping[str, str],
                      language: str) -> list[Finding]:  # fmt: skip
    out: list[Finding] = []
    for term in keep:
        if _has(term, source) and not _has(term, target):
            out.append(Finding("voice", "term translated", 0, 0, "", "warn", rule="voice.keep",
                               note=f"“{term}” is never translated, but the localised text does not have it."))  # fmt: skip
    for term, translation in glossary.items():
        if _has_folded(term, source) and not _has_folded(translation, target):
            out.append(Finding("voice", "glossary", 0, 0, "", "warn", rule="voice.glossary",
                               note=f"The voice's glossary says “{term}” is “{translation}” in {language_name(language)}; "
                                    "the localised text does not use it."))  # fmt: skip
    lost = [label for label in labels_in(source) if label not in labels_in(target)]
    if lost:
        out.append(Finding("claims", "citation lost", 0, 0, "", "warn", rule="claims.citation_lost",
                           note=f"The original cites {', '.join(lost)}; the localised text does not, so those facts "
                                "lost their source."))  # fmt: skip
    return out


def fidelity_check(session: Session, draft: Draft):  # type: ignore[no-untyped-def]
    """``("localisation", fn)`` for a localised draft, else None."""
    if draft.localised_from_id is None:
        return None
    original = session.get(Draft, draft.localised_from_id)
    if original is None or original.current_revision is None:
        return None
    source = original.current_revision.body
    row = voice_version(session, draft.voice_id, draft.voice_version) if draft.voice_id else None
    rules = VoiceRules.from_dict(row.rules if row else {})
    # Read now: the check runs later, once this session has closed.
    language = draft.language
    keep, glossary = rules.keep, glossary_for(rules, language)
    return ("localisation", lambda text: fidelity_findings(source, text, keep, glossary, language))
