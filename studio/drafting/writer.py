"""The writer: one generation run from brief to saved draft, streamed.

`DraftRun.stream()` yields text chunks as they arrive (the page hands it to st.write_stream, the
CLI prints it). Whatever happens (success, provider error, a dropped stream, the person stopping
the run or leaving the page), the run ends by saving: the brief, the text exactly as streamed,
and a Generation record. A failure leaves the draft marked incomplete with the error in words.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.failures import friendly_error
from studio.drafting.field_proposals import propose_for_choice
from studio.drafting.prompts import build_messages, messages_as_records
from studio.drafting.providers import (
    ProviderChoice,
    RequestRecorder,
    current_recorder,
    get_chat_model,
    resolve_provider,
)
from studio.drafting.service import add_revision, create_draft, get_draft, update_brief
from studio.models import Draft, Generation, Revision, User
from studio.publishing.fields import PublishingFields, derive_fields
from studio.publishing.service import apply_proposed_fields, refine_proposed_fields

log = logging.getLogger(__name__)


@dataclass
class GenerationOutcome:
    draft_id: int
    draft_version: int
    revision_number: int | None
    status: str
    incomplete: bool
    text: str
    provider: str
    model: str
    provider_label: str
    temperature: float | None
    error: str | None = None
    time_to_first_token_ms: float | None = None
    total_time_ms: float | None = None
    usage: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "status": self.status,
            "incomplete": self.incomplete,
            "revision": self.revision_number,
            "text": self.text,
            "provider": self.provider,
            "provider_label": self.provider_label,
            "model": self.model,
            "temperature": self.temperature,
            "error": self.error,
            "time_to_first_token_ms": self.time_to_first_token_ms,
            "total_time_ms": self.total_time_ms,
            "usage": self.usage,
        }


class DraftRun:
    """One generation. Use `stream()` once; read `outcome` afterwards."""

    def __init__(
        self,
        brief: Brief,
        actor: User,
        *,
        engine: Engine | None = None,
        settings: Settings | None = None,
        provider: str | None = None,
        model: str | None = None,
        seed: int | None = None,
        draft_id: int | None = None,
    ) -> None:
        self.brief = brief
        self.actor_id = actor.id
        self.engine = engine
        self.settings = settings or get_settings()
        self.seed = seed
        self.draft_id = draft_id
        # Raises ProviderConfigError before anything is called or saved.
        self.choice: ProviderChoice = resolve_provider(self.settings, provider, model)
        self.outcome: GenerationOutcome | None = None
        self.refinement: threading.Thread | None = None

    def stream(self) -> Iterator[str]:
        started = time.perf_counter()
        first_token_at: float | None = None
        parts: list[str] = []
        usage: dict[str, int] = {}
        error: BaseException | None = None
        recorder = RequestRecorder()
        messages = build_messages(self.brief)
        chat = get_chat_model(self.settings, self.choice, temperature=self.brief.temperature, seed=self.seed)
        try:
            for chunk in _recording(chat.stream(messages), recorder):
                meta = getattr(chunk, "usage_metadata", None)
                if meta:
                    usage = {
                        "prompt_tokens": int(meta.get("input_tokens", 0)),
                        "completion_tokens": int(meta.get("output_tokens", 0)),
                        "total_tokens": int(meta.get("total_tokens", 0)),
                    }
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                parts.append(piece)
                yield piece
        except BaseException as exc:  # noqa: BLE001 - includes GeneratorExit and KeyboardInterrupt
            error = exc
            if not isinstance(exc, (GeneratorExit, KeyboardInterrupt)):
                log.warning("generation failed: %s", type(exc).__name__)
        finally:
            ended = time.perf_counter()
            self.outcome = self._save(
                text="".join(parts),
                error=error,
                params=recorder.last if not self.choice.is_demo else self._demo_params(),
                prompt=messages_as_records(messages),
                usage=usage,
                ttft_ms=(first_token_at - started) * 1000 if first_token_at else None,
                total_ms=(ended - started) * 1000,
            )
        if isinstance(error, (GeneratorExit, KeyboardInterrupt)):
            raise error

    def run(self) -> GenerationOutcome:
        for _ in self.stream():
            pass
        assert self.outcome is not None
        return self.outcome

    def _demo_params(self) -> dict[str, Any]:
        return {"model": self.choice.model, "temperature": self.brief.temperature, "seed": self.seed, "stream": True}

    def _save(
        self,
        *,
        text: str,
        error: BaseException | None,
        params: dict[str, Any],
        prompt: list[dict[str, str]],
        usage: dict[str, int],
        ttft_ms: float | None,
        total_ms: float,
    ) -> GenerationOutcome:
        message = friendly_error(error, self.choice, mid_stream=bool(text)) if error is not None else None
        if error is not None and not params and not self.choice.is_demo:
            # The request may not have gone out; record what we would have sent.
            params = {"model": self.choice.model, "stream": True}
            if self.choice.sends_temperature:
                params["temperature"] = self.brief.temperature
        # Fields derived from the text now (instant); the model's proposal follows in the
        # background, so nobody waits for a second model call after the text is done.
        derived = derive_fields(self.brief, text) if error is None and text else None
        with session_scope(self.engine) as session:
            actor = session.get(User, self.actor_id)
            assert actor is not None
            draft = self._draft(session, actor)
            revision = None
            if text:
                revision = add_revision(
                    session, draft, text, actor, "generated" if error is None else "partial",
                    note="" if error is None else message or "", run_checks=error is None,
                )  # fmt: skip
            if derived is not None:
                apply_proposed_fields(session, draft, derived, actor=actor)
            if error is not None:
                draft.incomplete = True
                draft.last_error = message
            session.add(self._generation(draft, revision, params, prompt, usage, ttft_ms, total_ms, message, error))
            record(
                session, actor, "draft.generated" if error is None else "draft.generation_failed",
                draft_id=draft.id, comment=message or "",
                data={"provider": self.choice.provider, "model": self.choice.model},
            )  # fmt: skip
            session.flush()
            self.draft_id = draft.id
            outcome = GenerationOutcome(
                draft_id=draft.id,
                draft_version=draft.version,
                revision_number=revision.number if revision else None,
                status=draft.status,
                incomplete=draft.incomplete,
                text=text,
                provider=self.choice.provider,
                model=self.choice.model,
                provider_label=self.choice.label,
                temperature=params.get("temperature") if isinstance(params, dict) else None,
                error=message,
                time_to_first_token_ms=ttft_ms,
                total_time_ms=total_ms,
                usage=usage,
            )
        if derived is not None and not self.choice.is_demo:
            self._refine_in_background(outcome.draft_id, text, derived)
        return outcome

    def _draft(self, session: Any, actor: User) -> Draft:
        """The draft this run writes: a new one, or the one being retried with the brief as sent."""
        if self.draft_id is None:
            return create_draft(session, self.brief, actor)
        draft = get_draft(session, self.draft_id, actor)
        update_brief(session, draft, self.brief)
        return draft

    def _generation(
        self, draft: Draft, revision: Revision | None, params: dict[str, Any], prompt: list[dict[str, str]],
        usage: dict[str, int], ttft_ms: float | None, total_ms: float, message: str | None,
        error: BaseException | None,
    ) -> Generation:  # fmt: skip
        return Generation(
            draft_id=draft.id,
            revision_id=revision.id if revision else None,
            provider=self.choice.provider,
            model=self.choice.model,
            parameters=params,
            prompt_messages=prompt,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            total_tokens=usage.get("total_tokens"),
            time_to_first_token_ms=ttft_ms,
            total_time_ms=total_ms,
            error=message,
            error_detail=type(error).__name__ if error is not None else None,
        )

    def _refine_in_background(self, draft_id: int, text: str, derived: PublishingFields) -> None:
        def refine() -> None:
            try:
                proposed = propose_for_choice(self.settings, self.choice, self.brief, text, seed=self.seed)
                with session_scope(self.engine) as session:
                    refine_proposed_fields(session, draft_id, derived, proposed)
            except Exception:  # noqa: BLE001 - the derived fields stay; the draft is already saved
                log.warning("publishing-field proposal failed for draft %s", draft_id, exc_info=True)

        self.refinement = threading.Thread(target=refine, name=f"fields-{draft_id}", daemon=True)
        self.refinement.start()

    def wait_for_fields(self, timeout: float | None = None) -> None:
        """Wait for the background proposal (the CLI does, before it exits)."""
        if self.refinement is not None:
            self.refinement.join(timeout)


def _recording(chunks: Iterator[Any], recorder: RequestRecorder) -> Iterator[Any]:
    """Iterate with `recorder` listening, but only while this run's own code is executing."""
    while True:
        token = current_recorder.set(recorder)
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        finally:
            current_recorder.reset(token)
        yield chunk
