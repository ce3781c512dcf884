"""Brand voices over the database: made from 3–10 samples, edited (each change a new version),
one the workspace default, and the guide a prompt carries. Editors and admins manage voices;
everyone in the workspace uses them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.orm import Session, undefer

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.errors import InputError, NotFound, VersionConflict
from studio.languages.catalog import LANGUAGES_BY_CODE
from studio.languages.detect import detect
from studio.drafting.brief import VOICES
from studio.models import BrandVoice, BrandVoiceVersion, Draft
from studio.voices.describe import DESCRIPTION_MAX, describe
from studio.voices.profile import split_sentences, voice_profile, words
from studio.voices.rules import VoiceRules, detected_rules, prompt_lines
from studio.voices.schemas import Sample, VoiceDetail, VoiceGuide, VoiceRow

SAMPLES_MIN = 3
SAMPLES_MAX = 10
SAMPLE_MIN_WORDS = 30
SAMPLE_MAX_CHARS = 50_000
NAME_MAX = 80
EXCERPTS = 3
EXCERPT_MAX_WORDS = 70


class VoiceNotFound(NotFound):
    pass


def _check_samples(samples: Sequence[Sample]) -> list[Sample]:
    kept = [Sample(s.name.strip() or f"Sample {i}", s.text.strip()) for i, s in enumerate(samples, 1) if s.text.strip()]
    if not SAMPLES_MIN <= len(kept) <= SAMPLES_MAX:
        raise InputError({"samples": f"A voice needs {SAMPLES_MIN} to {SAMPLES_MAX} samples; {len(kept)} given."})
    for s in kept:
        n = len(words(s.text)) or len(s.text) // 2  # Chinese and Japanese: about two characters a word
        if n < SAMPLE_MIN_WORDS:
            raise InputError({"samples": f"“{s.name}” has {n} words; each sample needs at least {SAMPLE_MIN_WORDS}."})
        if len(s.text) > SAMPLE_MAX_CHARS:
            raise InputError({"samples": f"“{s.name}” has {len(s.text):,} characters; the limit is {SAMPLE_MAX_CHARS:,}."})
    return kept


def _clean_name(session: Session, name: str, *, own_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputError({"name": "Give the voice a name."})
    if len(name) > NAME_MAX:
        raise InputError({"name": f"The name is {len(name)} characters; the limit is {NAME_MAX}."})
    clash = session.scalar(select(BrandVoice.id).where(func.lower(BrandVoice.name) == name.lower()))
    if clash is not None and clash != own_id:
        raise InputError({"name": f"A voice called “{name}” exists already."})
    return name


def pick_excerpts(samples: Sequence[str], profile: Mapping[str, Any], n: int = EXCERPTS) -> list[str]:
    """Two or three short passages that sound most like the voice, each from another sample:
    sentence runs of at most EXCERPT_MAX_WORDS words whose sentence length is nearest the voice's
    and that use its go-to words."""
    target = profile.get("sentence_length_mean") or 15
    go = {w["word"] for w in profile.get("go_to_words") or []}
    candidates: list[tuple[float, int, str]] = []
    for i, text in enumerate(samples):
        sents = [s for s in split_sentences(re.sub(r"^\s{0,3}#{1,6}\s.*$", "", text, flags=re.M)) if len(words(s)) >= 4]
        for j in range(len(sents)):
            run: list[str] = []
            for s in sents[j : j + 4]:
                if sum(len(words(x)) for x in run) + len(words(s)) > EXCERPT_MAX_WORDS:
                    break
                run.append(s)
                if len(run) >= 2:
                    ws = [w.lower() for w in words(" ".join(run))]
                    mean = len(ws) / len(run)
                    fit = abs(mean - target) / max(target, 1) - 0.05 * len(go & set(ws)) - 0.02 * len(run)
                    candidates.append((fit, i, " ".join(run)))
    chosen: list[str] = []
    used: set[int] = set()
    for fit, i, text in sorted(candidates, key=lambda c: (c[0], c[1], c[2])):
        if i in used:
            continue
        chosen.append(text)
        used.add(i)
        if len(chosen) >= n:
            break
    return chosen


def create_voice(
    session: Session, actor: Any, name: str, samples: Sequence[Sample], *, language: str | None = None,
    rules: Mapping[str, Any] | None = None, description: str | None = None, make_default: bool = False,
    settings: Settings | None = None,
) -> VoiceDetail:  # fmt: skip
    """A new voice from samples: measured, its rules detected (``rules`` adds to and overrides
    them), its description written by the model unless given, its excerpts picked."""
    actor = authorize(session, actor, "voices.manage")
    settings = settings or get_settings()
    name = _clean_name(session, name)
    kept = _check_samples(samples)
    texts = [s.text for s in kept]
    if language is None:
        found = detect("\n\n".join(texts)).code or "en"
        language = found if found in LANGUAGES_BY_CODE else "en"
    elif language not in LANGUAGES_BY_CODE:
        raise InputError({"language": f"Unsupported language “{language}”."})
    profile = voice_profile(texts, language)
    merged = {**detected_rules(profile), **{k: v for k, v in dict(rules or {}).items() if v not in (None, "", [], {})}}
    voice_rules = VoiceRules.from_dict(merged)
    note = "Description given when the voice was made."
    if description is None or not description.strip():
        description, note = describe(texts, profile, settings)
    voice = BrandVoice(
        name=name, description=description.strip()[:DESCRIPTION_MAX], language=language, profile=profile,
        rules=voice_rules.as_dict(), excerpts=pick_excerpts(texts, profile),
        samples=[{"name": s.name, "text": s.text} for s in kept], created_by_id=actor.id, version=1,
    )  # fmt: skip
    session.add(voice)
    session.flush()
    if make_default or not session.scalar(select(func.count()).select_from(BrandVoice).where(BrandVoice.is_default)):
        _make_default(session, voice)
    _snapshot(session, voice, actor, note)
    record(session, actor, "voice.created", data={"voice_id": voice.id, "name": voice.name, "samples": len(kept)})
    return _detail(voice, note)


def _snapshot(session: Session, voice: BrandVoice, actor: Any, note: str) -> None:
    session.add(BrandVoiceVersion(
        voice_id=voice.id, version=voice.version, name=voice.name, description=voice.description,
        language=voice.language, profile=voice.profile, rules=voice.rules, excerpts=voice.excerpts,
        note=note, created_by_id=actor.id,
    ))  # fmt: skip
    session.flush()


def _make_default(session: Session, voice: BrandVoice) -> None:
    session.execute(update(BrandVoice).where(BrandVoice.id != voice.id).values(is_default=False))
    voice.is_default = True


def _detail(voice: BrandVoice, note: str = "") -> VoiceDetail:
    return VoiceDetail(
        id=voice.id, name=voice.name, description=voice.description, language=voice.language,
        profile=dict(voice.profile or {}), rules=dict(voice.rules or {}), excerpts=list(voice.excerpts or []),
        is_default=voice.is_default, version=voice.version,
        sample_names=[s.get("name", "") for s in voice.samples or []], note=note,
    )  # fmt: skip


def _get(session: Session, voice_id: int) -> BrandVoice:
    voice = session.get(BrandVoice, voice_id, options=[undefer(BrandVoice.samples)])
    if voice is None or voice.archived:
        raise VoiceNotFound(f"Brand voice {voice_id} does not exist (or was archived).")
    return voice


def find_voice(session: Session, actor: Any, name_or_id: str | int) -> VoiceDetail:
    """A voice by id or by name (case-insensitive)."""
    authorize(session, actor, "workspace.read")
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        return _detail(_get(session, int(name_or_id)))
    voice = session.scalars(select(BrandVoice).where(func.lower(BrandVoice.name) == str(name_or_id).strip().lower(),
                                                     BrandVoice.archived.is_(False))).first()  # fmt: skip
    if voice is None:
        raise VoiceNotFound(f"No brand voice called “{name_or_id}”.")
    return _detail(voice)


def voice_detail(session: Session, voice_id: int, actor: Any) -> VoiceDetail:
    authorize(session, actor, "workspace.read")
    return _detail(_get(session, voice_id))


def list_voices(session: Session, actor: Any) -> list[VoiceRow]:
    authorize(session, actor, "workspace.read")
    voices = session.scalars(select(BrandVoice).options(undefer(BrandVoice.samples))
                             .where(BrandVoice.archived.is_(False)).order_by(BrandVoice.name))  # fmt: skip
    return [VoiceRow(v.id, v.name, v.language, v.is_default, v.version, v.updated_at, len(v.samples or [])) for v in voices]


def default_voice_id(session: Session) -> int | None:
    return session.scalar(select(BrandVoice.id).where(BrandVoice.is_default, BrandVoice.archived.is_(False)))


def update_voice(
    session: Session, actor: Any, voice_id: int, *, expected_version: int | None, name: str | None = None,
    description: str | None = None, rules: Mapping[str, Any] | None = None, excerpts: Sequence[str] | None = None,
    language: str | None = None, note: str = "",
) -> VoiceDetail:  # fmt: skip
    """Edit what editors may edit; each save is a new version (drafts keep the one they used)."""
    actor = authorize(session, actor, "voices.manage")
    voice = _get(session, voice_id)
    if expected_version is not None and voice.version != expected_version:
        raise VoiceConflict(voice)
    changed: list[str] = []
    if name is not None and " ".join(name.split()) != voice.name:
        voice.name = _clean_name(session, name, own_id=voice.id)
        changed.append("name")
    if description is not None and description.strip() != voice.description:
        if not description.strip():
            raise InputError({"description": "The description is empty: a voice is applied through it."})
        voice.description = description.strip()[:DESCRIPTION_MAX]
        changed.append("description")
    if rules is not None:
        new_rules = VoiceRules.from_dict(rules).as_dict()
        if new_rules != voice.rules:
            voice.rules = new_rules
            changed.append("rules")
    if excerpts is not None:
        cleaned = [" ".join(e.split()) for e in excerpts if e.strip()][:EXCERPTS + 2]
        if cleaned != voice.excerpts:
            voice.excerpts = cleaned
            changed.append("excerpts")
    if language is not None and language != voice.language:
        if language not in LANGUAGES_BY_CODE:
            raise InputError({"language": f"Unsupported language “{language}”."})
        voice.language = language
        voice.profile = voice_profile([s["text"] for s in voice.samples or []], language)
        changed.append("language")
    if not changed:
        raise InputError("No changes to save.")
    voice.version += 1
    _snapshot(session, voice, actor, note or "Edited: " + ", ".join(changed) + ".")
    record(session, actor, "voice.edited", data={"voice_id": voice.id, "version": voice.version, "changed": changed})
    return _detail(voice)


class VoiceConflict(VersionConflict):
    def __init__(self, voice: BrandVoice) -> None:
        super().__init__(f"The voice “{voice.name}” changed since you opened it (now version {voice.version}) — "
                         "reload to see it. Nothing was changed.")  # fmt: skip


def redescribe(session: Session, actor: Any, voice_id: int, *, settings: Settings | None = None) -> VoiceDetail:
    """Ask the model for a new description (a new version); the note says how it was written."""
    actor = authorize(session, actor, "voices.manage")
    voice = _get(session, voice_id)
    text, note = describe([s["text"] for s in voice.samples or []], voice.profile, settings or get_settings())
    voice.description = text
    voice.version += 1
    _snapshot(session, voice, actor, note)
    record(session, actor, "voice.edited", data={"voice_id": voice.id, "version": voice.version, "changed": ["description"]})
    return _detail(voice, note)


def set_default_voice(session: Session, actor: Any, voice_id: int) -> None:
    actor = authorize(session, actor, "voices.manage")
    voice = _get(session, voice_id)
    _make_default(session, voice)
    record(session, actor, "voice.default", data={"voice_id": voice.id, "name": voice.name})


def archive_voice(session: Session, actor: Any, voice_id: int) -> None:
    """Out of pickers; drafts written in it keep their version."""
    actor = authorize(session, actor, "voices.manage")
    voice = _get(session, voice_id)
    voice.archived = True
    voice.is_default = False
    record(session, actor, "voice.archived", data={"voice_id": voice.id, "name": voice.name})


def voice_version(session: Session, voice_id: int, version: int | None = None) -> BrandVoiceVersion | None:
    """One stored version of a voice (the newest when ``version`` is None)."""
    stmt = select(BrandVoiceVersion).where(BrandVoiceVersion.voice_id == voice_id)
    stmt = stmt.where(BrandVoiceVersion.version == version) if version is not None else stmt.order_by(
        BrandVoiceVersion.version.desc())
    return session.scalars(stmt.limit(1)).first()


def guide(row: BrandVoiceVersion) -> VoiceGuide:
    rules = VoiceRules.from_dict(row.rules)
    return VoiceGuide(row.voice_id, row.name, row.version, row.description, prompt_lines(rules),
                      list(row.excerpts or [])[:EXCERPTS], row.language, rules.keep, rules.glossary)  # fmt: skip


def voice_guide(session: Session, voice_id: int, version: int | None = None) -> VoiceGuide:
    """The guide for a voice at ``version`` (its newest when None), for a prompt."""
    row = voice_version(session, voice_id, version)
    if row is None:
        raise VoiceNotFound(f"Brand voice {voice_id} (version {version}) does not exist.")
    return guide(row)




# -- "Voice" as a filter (dashboard, feedback export) ---------------------------------------------

BRAND_KEY = "brand:"


def voice_options(session: Session) -> dict[str, str]:
    """What a "Voice" filter offers, key → label: each brand voice (archived ones too, their
    drafts remain), then each preset tone (briefs written without a brand voice)."""
    out = {f"{BRAND_KEY}{v.id}": f"{v.name} (brand voice)"
           for v in session.scalars(select(BrandVoice).order_by(func.lower(BrandVoice.name)))}  # fmt: skip
    out.update({tone: f"{tone.capitalize()} (preset tone)" for tone in VOICES})
    return out


def voice_key(session: Session, name: str) -> str:
    """The filter key of a voice named in words (a brand voice's name, or a preset tone); an
    InputError lists the names there are."""
    wanted = " ".join(name.split()).casefold()
    options = voice_options(session)
    for key, label in options.items():
        if wanted in (key.casefold(), label.rsplit(" (", 1)[0].casefold()):
            return key
    names = ", ".join(label.rsplit(" (", 1)[0] for label in options.values())
    raise InputError({"voice": f"No voice named “{name}”. Voices: {names}."})


def voice_condition(keys: Sequence[str]) -> Any:
    """Drafts written in any of the voices ``keys`` (from ``voice_options``): a brand voice by
    its id, a preset tone when no brand voice was used."""
    ids = [int(k.removeprefix(BRAND_KEY)) for k in keys if k.startswith(BRAND_KEY) and k[len(BRAND_KEY):].isdigit()]
    tones = [k for k in keys if not k.startswith(BRAND_KEY)]
    conditions = []
    if ids:
        conditions.append(Draft.voice_id.in_(ids))
    if tones:
        conditions.append(and_(Draft.voice_id.is_(None), Draft.tone.in_(tones)))
    return or_(*conditions) if conditions else false()
