"""Variants side by side: 2–4 versions of the same brief (or of a draft's headline or
introduction) written concurrently at chosen temperatures.

`VariantsRun.stream()` yields ``(position, piece)`` as the variants' texts arrive, all at once;
when they are done the run saves them: a whole-draft run makes the draft (keeping the first, or
the one asked for) and stores every variant beside it as an alternative; a headline or
introduction run stores its variants on the draft for the marketer to pick. `keep_alternative`
makes any alternative the draft's text again (a new revision).

Reasoning models take no temperature: their variants differ by approach instead, and say so.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.audit.service import record
from studio.checks.text import flesch_reading_ease
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import TEMPERATURE_MAX, TEMPERATURE_MIN, Brief
from studio.drafting.context import keep_passages, resolved
from studio.drafting.failures import friendly_error
from studio.drafting.prompts import messages_as_records
from studio.drafting.providers import ProviderChoice, resolve_provider
from studio.drafting.service import add_revision, create_draft
from studio.errors import InputError
from studio.models import DraftAlternative, Generation, User
from studio.publishing.fields import derive_fields
from studio.publishing.service import apply_proposed_fields
from studio.writing import blocks
from studio.writing.calls import CallRecord, chat_model, complete, stream_text
from studio.writing.prompts import full_variant_messages, variant_messages
from studio.writing.service import alternative, editable_draft, next_batch

log = logging.getLogger(__name__)

DEFAULT_TEMPERATURES = (0.3, 0.9, 1.3)
KINDS = {"full": "Whole draft", "headline": "Headline", "intro": "Introduction"}
# How variants differ when the model takes no temperature.
APPROACHES = (
    "close to the brief: plain, direct and conventional",
    "a bolder angle: open with a surprising fact or claim the brief supports",
    "story-led: open with a short, concrete scene",
    "question-led: open with the question the reader is asking",
)


def parse_temperatures(value: str | list[float] | tuple[float, ...] | None) -> list[float]:
    """2–4 temperatures from "0.3,0.9,1.3" (or a list), each within the allowed range."""
    if value is None or value == "":
        return list(DEFAULT_TEMPERATURES)
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        temps = [round(float(str(t).strip()), 2) for t in items if str(t).strip()]
    except ValueError:
        raise InputError({"variants": "Temperatures are numbers separated by commas, e.g. 0.3,0.9,1.3."}) from None
    if not 2 <= len(temps) <= 4:
        raise InputError({"variants": f"Write 2 to 4 variants ({len(temps)} temperatures given)."})
    if any(not TEMPERATURE_MIN <= t <= TEMPERATURE_MAX for t in temps):
        raise InputError({"variants": f"Each temperature must be between {TEMPERATURE_MIN} and {TEMPERATURE_MAX}."})
    return temps


def reading_ease(text: str) -> float | None:
    return flesch_reading_ease(text)


@dataclass
class Variant:
    position: int
    temperature: float | None  # as sent; None when the model takes none
    approach: str
    text: str = ""
    error: str | None = None
    record: CallRecord = field(default_factory=CallRecord)
    done: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())

    def as_dict(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "approach": self.approach, "text": self.text, "words": self.words,
                "reading_ease": reading_ease(self.text), "error": self.error}


@dataclass
class VariantsOutcome:
    draft_id: int
    draft_version: int
    kind: str
    batch: int
    kept: int | None
    variants: list[Variant]
    notice: str | None
    provider_label: str
    revision_number: int | None
    total_time_ms: float

    @property
    def text(self) -> str:
        return self.variants[self.kept].text if self.kept is not None else ""


class VariantsRun:
    def __init__(
        self,
        brief: Brief,
        actor: Any,
        temperatures: list[float] | str | None = None,
        *,
        kind: str = "full",
        draft_id: int | None = None,
        keep: int = 0,
        engine: Engine | None = None,
        settings: Settings | None = None,
        provider: str | None = None,
        model: str | None = None,
        seed: int | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InputError(f"Unknown kind of variant '{kind}'. Choose one of: {', '.join(KINDS)}.")
        if kind != "full" and draft_id is None:
            raise InputError("Headline and introduction variants are written for an existing draft.")
        self.actor_id, self.kind, self.draft_id = actor.id, kind, draft_id
        self.engine, self.settings, self.seed = engine, settings or get_settings(), seed
        # The brand voice and source passages every variant's prompt carries (see LongformRun).
        self.brief = resolved(engine, brief, actor, self.settings, draft_id=draft_id)
        self.choice: ProviderChoice = resolve_provider(self.settings, provider, model)
        temps = parse_temperatures(temperatures)
        if not 0 <= keep < len(temps):
            raise InputError({"keep": f"--keep must be between 1 and {len(temps)}."})
        self.keep = keep
        sends = self.choice.sends_temperature
        self.variants = [Variant(i, t if sends else None, "" if sends else APPROACHES[i % len(APPROACHES)])
                         for i, t in enumerate(temps)]
        self.temperatures = temps
        self.notice = None if sends else (
            f"{self.choice.model} takes no temperature: the variants differ by approach instead "
            "(plain, bolder angle, story-led, question-led)."
        )
        self.current = ""
        if draft_id is not None:
            with session_scope(engine) as session:
                # Refused before any model is called when the person may not change this draft.
                draft, _ = editable_draft(session, draft_id, self._actor(session))
                self.current = draft.current_revision.body if draft.current_revision else ""
            if not self.current.strip():
                raise InputError("The draft has no text yet to write a headline or an introduction for.")
        self.outcome: VariantsOutcome | None = None
        self._stop = threading.Event()

    def _actor(self, session: Session) -> User:
        actor = session.get(User, self.actor_id)
        assert actor is not None
        return actor

    def _messages(self, v: Variant) -> list[Any]:
        if self.kind == "full":
            return full_variant_messages(self.brief, v.approach)
        return variant_messages(self.brief, self.kind, self.current, v.approach)

    def _write(self, v: Variant, out: queue.Queue) -> None:
        temperature = self.temperatures[v.position]
        chat = chat_model(self.settings, self.choice, feature="variant", temperature=temperature, seed=self.seed)
        msgs = self._messages(v)
        try:
            if self.kind == "full":
                for piece in stream_text(chat, msgs, v.record):
                    if self._stop.is_set():
                        break
                    v.text += piece
                    out.put((v.position, piece))
            else:
                v.text = complete(chat, msgs).strip().strip('"').lstrip("# ").strip()
                v.record.ended = time.perf_counter()
                out.put((v.position, v.text))
        except Exception as exc:  # noqa: BLE001 - one variant failing leaves the others
            v.error = friendly_error(exc, self.choice, mid_stream=bool(v.text))
            log.warning("variant %s failed: %s", v.position, type(exc).__name__)
        finally:
            v.done = True
            out.put((v.position, None))

    def stream(self) -> Iterator[tuple[int, str]]:
        """``(position, piece)`` from every variant as they arrive; saved when all are done."""
        started = time.perf_counter()
        out: queue.Queue = queue.Queue()
        threads = [threading.Thread(target=self._write, args=(v, out), daemon=True, name=f"variant-{v.position}")
                   for v in self.variants]
        for t in threads:
            t.start()
        finished = 0
        interrupted: BaseException | None = None
        try:
            while finished < len(threads):
                position, piece = out.get()
                if piece is None:
                    finished += 1
                    continue
                yield position, piece
        except BaseException as exc:  # noqa: BLE001 - Stop or page left: keep what arrived
            interrupted = exc
            self._stop.set()
        finally:
            for t in threads:
                t.join(timeout=None if interrupted is None else 5)
            for v in self.variants:
                if interrupted is not None and not v.error and not v.done:
                    v.error = friendly_error(interrupted, self.choice, mid_stream=bool(v.text))
            self.outcome = self._save((time.perf_counter() - started) * 1000)
        if interrupted is not None:
            raise interrupted

    def run(self) -> VariantsOutcome:
        for _ in self.stream():
            pass
        assert self.outcome is not None
        return self.outcome

    def _save(self, total_ms: float) -> VariantsOutcome:
        with session_scope(self.engine) as session:
            actor = self._actor(session)
            keep = self.keep if self.kind == "full" else None
            if keep is not None and not self.variants[keep].text.strip():
                keep = next((v.position for v in self.variants if v.text.strip() and not v.error), keep)
            revision = None
            if self.kind == "full":
                draft = create_draft(session, self.brief, actor)
                keep_passages(session, draft.id, self.brief)
                kept = self.variants[keep] if keep is not None else None
                if kept is not None and kept.text.strip():
                    ok = kept.error is None
                    revision = add_revision(session, draft, kept.text, actor, "generated" if ok else "partial",
                                            note=f"Kept variant {kept.position + 1} of {len(self.variants)}",
                                            run_checks=ok)
                    if ok:
                        apply_proposed_fields(session, draft, derive_fields(self.brief, kept.text), actor=actor)
                if kept is None or kept.error or not kept.text.strip():
                    draft.incomplete = True
                    draft.last_error = (kept.error if kept else None) or "No variant was written."
            else:
                draft, actor = editable_draft(session, self.draft_id, actor)
            batch = next_batch(session, draft.id)
            for v in self.variants:
                session.add(DraftAlternative(
                    draft_id=draft.id, batch=batch, position=v.position, kind=self.kind, temperature=v.temperature,
                    approach=v.approach, body=v.text, words=v.words, reading_ease=reading_ease(v.text),
                    error=v.error, kept=keep == v.position,
                ))  # fmt: skip
                params = v.record.params or {"model": self.choice.model, "temperature": v.temperature}
                session.add(Generation(
                    draft_id=draft.id, revision_id=revision.id if revision is not None and keep == v.position else None,
                    provider=self.choice.provider, model=self.choice.model, parameters=params,
                    prompt_messages=messages_as_records(self._messages(v)),
                    prompt_tokens=v.record.usage.get("prompt_tokens"),
                    completion_tokens=v.record.usage.get("completion_tokens"),
                    total_tokens=v.record.usage.get("total_tokens"), time_to_first_token_ms=v.record.ttft_ms,
                    total_time_ms=v.record.total_ms, error=v.error,
                ))  # fmt: skip
            record(session, actor, "draft.variants_written", draft_id=draft.id,
                   data={"kind": self.kind, "temperatures": [v.temperature for v in self.variants], "batch": batch})
            session.flush()
            self.draft_id = draft.id
            return VariantsOutcome(draft.id, draft.version, self.kind, batch, keep, self.variants, self.notice,
                                   self.choice.label, revision.number if revision else None, total_ms)


def keep_alternative(session: Session, draft_id: int, actor: Any, alternative_id: int,
                     expected_version: int | None) -> int:
    """Make an alternative the draft's text (a whole draft, its headline or its introduction):
    a new revision, checked again. Returns the revision's number."""
    draft, user = editable_draft(session, draft_id, actor, expected_version)
    alt = alternative(session, draft.id, alternative_id)
    body = draft.current_revision.body if draft.current_revision else ""
    if alt.kind == "full":
        new_body = alt.body
    elif alt.kind == "headline":
        new_body = blocks.replace_title(body, alt.body.strip())
    else:
        new_body = blocks.replace_block(body, 0, alt.body)
    if new_body == body:
        raise InputError("That variant is already the draft's text.")
    label = f"temperature {alt.temperature}" if alt.temperature is not None else alt.approach.split(":")[0]
    revision = add_revision(session, draft, new_body, user, "variant_kept",
                            note=f"{KINDS[alt.kind]} variant {alt.position + 1} ({label}) kept")
    for other in session.query(DraftAlternative).filter_by(draft_id=draft.id, batch=alt.batch):
        other.kept = other.id == alt.id
    record(session, user, "draft.variant_kept", draft_id=draft.id,
           data={"alternative": alt.id, "kind": alt.kind, "revision": revision.number})
    return revision.number
