"""The writer: one generation run from brief to saved draft, streamed.

`DraftRun.stream()` yields text chunks as they arrive (the page shows them, the CLI prints
them). Nothing waits for the end to be saved:

- `start()` (called by `stream()` if the caller did not) saves the draft with its brief and a
  Generation record before the first request, after checking the person may write drafts: a
  refusal stops the run before any model is called;
- while the text streams, a `saver.StreamSaver` keeps it saved every few seconds (or when a
  paragraph ends), so a killed process keeps the brief and the text up to the last save;
- whatever ends the stream (the end, a provider error, a dropped connection, the person
  stopping, Ctrl-C, SIGTERM or SIGHUP in the CLI), the run ends with one last save: the text
  exactly as streamed, the publishing fields derived from it and the generation record; the
  text and its fields are checked once that save has committed, outside any transaction
  (`checks.service.check_after_commit`). A failure leaves the draft marked incomplete with the
  error in words;
- a reply longer than a draft may be is cut at the limit, marked where it was cut, and saved;
- if the last save fails even after retries, the brief and the text go to a recovery file whose
  path the error message names.

A regeneration of a draft that has a complete text leaves that text as it is until the run
succeeds: the text so far is saved with the run's Generation record (its *attempt*), not as a
revision, so a failed, stopped or killed regeneration keeps the current revision untouched and
its fragment as an attempt that can be viewed or restored (`drafting.service.restore_attempt`).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.critic.service import after_writing
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.context import with_context
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
from studio.drafting.saver import (
    IN_PROGRESS,
    SAVE_ATTEMPTS,
    StreamSaver,
    save_with_retries,
    write_recovery_file,
)
from studio.drafting.schemas import GenerationOutcome
from studio.drafting.service import (
    MAX_BODY_CHARS,
    add_revision,
    create_draft,
    get_draft,
    rewrite_revision,
    update_brief,
)
from studio.errors import user_message
from studio.interrupts import shielded
from studio.models import Draft, Generation, Revision, User
from studio.publishing.fields import PublishingFields, derive_fields
from studio.publishing.service import apply_proposed_fields, refine_proposed_fields
from studio.sources.citations import cited_passages
from studio.sources.service import save_draft_passages
from studio.voices.checking import draft_voice_match

log = logging.getLogger(__name__)

TRUNCATION_MARK = (
    f"\n\n---\n\n**[Cut here: the reply passed the {MAX_BODY_CHARS:,}-character limit of a draft. "
    "The rest was not saved.]**\n"
)
TOO_LONG = (
    f"The reply was longer than a draft may be ({MAX_BODY_CHARS:,} characters), so it was cut there and "
    "the cut is marked at the end of the text. The text up to the cut is kept: shorten or finish it "
    "before submitting, or retry with a lower target length."
)


class ReplyTooLong(Exception):
    """The reply passed MAX_BODY_CHARS; the run stopped reading it there."""


class DraftRun:
    """One generation. Use `stream()` once (or `run()`); read `outcome` afterwards."""

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
        # The brand voice and source passages the prompt carries (InputError for a missing source).
        # Only a grounded brief writes here (the passages' embeddings, once).
        grounded = bool(brief.source_ids) or brief.search_sources
        with session_scope(self.engine, read_only=not grounded) as session:
            self.brief = with_context(session, brief, session.get(User, actor.id) or actor, self.settings)
        self.outcome: GenerationOutcome | None = None
        self.refinement: threading.Thread | None = None
        self.generation_id: int | None = None
        self.draft_version: int | None = None
        self.saver: StreamSaver | None = None
        #: A regeneration of a draft with a complete text: that text stays until this run succeeds.
        self.keeps_text = False

    def start(self) -> int:
        """Save the draft with its brief, marked as being written, and its Generation record;
        return the draft's id. Refuses (PermissionDenied: a disabled account, or someone who may
        not write drafts) before any model is called. Idempotent."""
        if self.generation_id is not None:
            assert self.draft_id is not None
            return self.draft_id
        messages = build_messages(self.brief)
        with session_scope(self.engine) as session:
            actor = authorize(session, _Ref(self.actor_id), "draft.create")
            draft = self._draft(session, actor)
            if not self.keeps_text:
                draft.incomplete, draft.last_error = True, IN_PROGRESS
            if self.brief.context is not None and self.brief.context.grounded:
                # Saved before the text: the claim ledger checks the text against them.
                save_draft_passages(session, draft.id, self.brief.context.passages)
            generation = Generation(
                draft_id=draft.id, provider=self.choice.provider, model=self.choice.model,
                parameters=self._planned_params(), prompt_messages=messages_as_records(messages),
                error=IN_PROGRESS, error_detail="unfinished",
            )  # fmt: skip
            session.add(generation)
            session.flush()
            self.draft_id, self.generation_id, self.draft_version = draft.id, generation.id, draft.version
        return self.draft_id

    def stream(self) -> Iterator[str]:
        self.start()
        assert self.draft_id is not None
        started = time.perf_counter()
        first_token_at: float | None = None
        parts: list[str] = []
        length = 0
        usage: dict[str, int] = {}
        error: BaseException | None = None
        recorder = RequestRecorder()
        messages = build_messages(self.brief)
        chat = get_chat_model(self.settings, self.choice, temperature=self.brief.temperature, seed=self.seed)
        self.saver = saver = StreamSaver(
            self.engine, self.draft_id, self.actor_id, generation_id=self.generation_id, attempt=self.keeps_text
        )
        chunks = _recording(chat.stream(messages), recorder)
        try:
            for chunk in chunks:
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
                room = MAX_BODY_CHARS - len(TRUNCATION_MARK) - length
                cut = len(piece) > room
                if cut:
                    piece = piece[: max(room, 0)] + TRUNCATION_MARK
                parts.append(piece)
                length += len(piece)
                saver.add(piece)
                yield piece
                if cut:
                    raise ReplyTooLong()
        except BaseException as exc:  # noqa: BLE001 - includes GeneratorExit and KeyboardInterrupt
            error = exc
            if not isinstance(exc, (GeneratorExit, KeyboardInterrupt, ReplyTooLong)):
                log.warning("generation failed: %s", type(exc).__name__)
        finally:
            with shielded():  # Ctrl-C, SIGTERM or SIGHUP now waits for the save, then applies
                chunks.close()
                saver.stop(flush=True)  # every character saved before the last transaction
                ended = time.perf_counter()
                self.outcome = self._save(
                    text="".join(parts),
                    error=error,
                    params=recorder.last if not self.choice.is_demo else self._demo_params(),
                    usage=usage,
                    ttft_ms=(first_token_at - started) * 1000 if first_token_at else None,
                    total_ms=(ended - started) * 1000,
                )
        if error is None and self.outcome is not None and not self.outcome.incomplete:
            # Before the run ends, so the person sees "done" after it (studio/critic).
            after_writing(self.outcome, self.actor_id, self.brief.critic_rounds, engine=self.engine,
                          settings=self.settings, choice=self.choice)
        if isinstance(error, (GeneratorExit, KeyboardInterrupt)):
            raise error

    def run(self) -> GenerationOutcome:
        for _ in self.stream():
            pass
        assert self.outcome is not None
        return self.outcome

    def _demo_params(self) -> dict[str, Any]:
        return {"model": self.choice.model, "temperature": self.brief.temperature, "seed": self.seed, "stream": True}

    def _planned_params(self) -> dict[str, Any]:
        """What the request will send, as far as it is known before it goes out."""
        if self.choice.is_demo:
            return self._demo_params()
        params: dict[str, Any] = {"model": self.choice.model, "stream": True}
        if self.choice.sends_temperature:
            params["temperature"] = self.brief.temperature
        return params

    def _save(
        self,
        *,
        text: str,
        error: BaseException | None,
        params: dict[str, Any],
        usage: dict[str, int],
        ttft_ms: float | None,
        total_ms: float,
    ) -> GenerationOutcome:
        too_long = isinstance(error, ReplyTooLong)
        if too_long:
            message: str | None = TOO_LONG
        else:
            message = friendly_error(error, self.choice, mid_stream=bool(text)) if error is not None else None
        if error is not None and not params and not self.choice.is_demo:
            # The request may not have gone out; record what we would have sent.
            params = self._planned_params()
        # The voice match is measured here, before the save's transaction; the checks run once the
        # save has committed (`add_revision`), so they read the publishing fields as saved.
        voice_match = self._measure_voice(text) if text.strip() else None
        # Fields derived from the text now (instant); the model's proposal follows in the
        # background, so nobody waits for a second model call after the text is done.
        derived = derive_fields(self.brief, text) if error is None and text else None
        revision_id = self.saver.revision_id if self.saver is not None else None

        def write(session: Any) -> GenerationOutcome:
            return self._write(session, text, message, error, revision_id, derived, params, usage,
                               ttft_ms, total_ms)  # fmt: skip

        # The model's proposal is asked for now, while the text is saved and checked, and applied
        # once the save has ended: its call's latency no longer follows theirs.
        saved = self._refine_in_background(text, derived) if derived is not None and not self.choice.is_demo else None
        try:
            outcome, failure = save_with_retries(self.engine, write)
            if outcome is None:
                outcome = self._recover(text, message, failure, params, usage, ttft_ms, total_ms)
            if saved is not None:
                saved.ended_well = True
        finally:
            if saved is not None:
                saved.set()
        outcome.voice_match = voice_match
        return outcome

    def _measure_voice(self, text: str) -> dict[str, Any] | None:
        """The voice match of the text, a figure shown with it: a short read (the draft's voice),
        then the measure. When it cannot be read the text is saved without it."""
        try:
            with session_scope(self.engine, read_only=True) as session:
                draft = session.get(Draft, self.draft_id)
                assert draft is not None
                return _voice_match(session, draft, text)
        except Exception:  # noqa: BLE001 - a figure, not a check: the text is saved without it
            log.warning("the voice match of draft %s could not be measured", self.draft_id, exc_info=True)
            return None

    def _write(
        self, session: Any, text: str, message: str | None, error: BaseException | None, revision_id: int | None,
        derived: PublishingFields | None, params: dict[str, Any], usage: dict[str, int],
        ttft_ms: float | None, total_ms: float,
    ) -> GenerationOutcome:  # fmt: skip
        """The last save, in one transaction (tried again by `save_with_retries`). The text and
        its fields are checked once it commits (`add_revision`'s after-commit check reads the
        fields as committed, proposals included)."""
        actor = session.get(User, self.actor_id)
        draft = session.get(Draft, self.draft_id)
        assert actor is not None and draft is not None
        # A failed regeneration of a complete text keeps it (and the brief it was written from).
        kept = draft.current_revision if error is not None and self.keeps_text else None
        if self.keeps_text and kept is None:
            update_brief(session, draft, self.brief)
        reason = "generated" if error is None else "partial"
        note = "" if error is None else message or ""
        revision: Revision | None = None
        if text and kept is None and revision_id is not None:
            revision = rewrite_revision(session, draft, session.get(Revision, revision_id), text, reason, note,
                                        run_checks=error is None)  # fmt: skip
        elif text and kept is None:
            revision = add_revision(session, draft, text, actor, reason, note=note, run_checks=error is None)
        if derived is not None:
            apply_proposed_fields(session, draft, derived, actor=actor)
        if kept is None:
            draft.incomplete = error is not None
            draft.last_error = message
        generation = session.get(Generation, self.generation_id)
        self._fill_generation(generation, revision, params, usage, ttft_ms, total_ms, message, error)
        attempt = generation is not None and kept is not None and bool(text)
        if generation is not None and self.keeps_text:
            generation.attempt_text = text if attempt else None  # a text that became a revision is no attempt
        data: dict[str, Any] = {"provider": self.choice.provider, "model": self.choice.model}
        if kept is not None:
            data.update(kept_revision=kept.number, attempt=self.generation_id if attempt else None)
        record(
            session, actor, "draft.generated" if error is None else "draft.generation_failed",
            draft_id=draft.id, comment=message or "", data=data,
        )  # fmt: skip
        session.flush()
        outcome = self._outcome(draft.version, revision.number if revision else None, draft.status,
                                bool(draft.incomplete), text, message, params, usage, ttft_ms, total_ms)  # fmt: skip
        outcome.kept_revision = kept.number if kept is not None else None
        outcome.attempt_id = self.generation_id if attempt else None
        return outcome

    def _recover(
        self, text: str, message: str | None, failure: BaseException | None, params: dict[str, Any],
        usage: dict[str, int], ttft_ms: float | None, total_ms: float,
    ) -> GenerationOutcome:  # fmt: skip
        """Every try to save failed: the brief and the text go to a recovery file."""
        why = (user_message(failure) if failure is not None else None) or "the database refused the save"
        if failure is not None and user_message(failure) is None:
            why = f"an unexpected error ({type(failure).__name__})"
        brief = self.brief.as_dict()
        path, problems = write_recovery_file(text, brief, draft_id=self.draft_id, why=why)
        said = f"The draft could not be saved, even after {SAVE_ATTEMPTS} tries: {why[:1].lower()}{why[1:]}"
        said = said if said.endswith(".") else said + "."
        if path is not None:
            said += f" Nothing is lost: the brief and the text are in the recovery file {path}."
        else:
            said += (f" The recovery file could not be written either ({problems.rstrip('.')}): copy the text "
                     "shown now before leaving.")  # fmt: skip
        if message:
            said = f"{message} {said}"
        outcome = self._outcome(self.draft_version or 0, None, "draft", True, text, said, params, usage,
                                ttft_ms, total_ms)  # fmt: skip
        outcome.recovery_file = str(path) if path is not None else None
        return outcome

    def _outcome(
        self, version: int, revision_number: int | None, status: str, incomplete: bool, text: str,
        message: str | None, params: dict[str, Any], usage: dict[str, int], ttft_ms: float | None, total_ms: float,
    ) -> GenerationOutcome:  # fmt: skip
        assert self.draft_id is not None
        return GenerationOutcome(
            draft_id=self.draft_id,
            draft_version=version,
            revision_number=revision_number,
            status=status,
            incomplete=incomplete,
            text=text,
            provider=self.choice.provider,
            model=self.choice.model,
            provider_label=self.choice.label,
            temperature=params.get("temperature") if isinstance(params, dict) else None,
            error=message,
            time_to_first_token_ms=ttft_ms,
            total_time_ms=total_ms,
            usage=usage,
            citations=cited_passages(text, self.brief.context.passages if self.brief.context else ()),
        )

    def _draft(self, session: Any, actor: User) -> Draft:
        """The draft this run writes: a new one, or the one being retried with the brief as sent
        (a regeneration of a complete text takes the brief when it succeeds, see `_write`)."""
        if self.draft_id is None:
            return create_draft(session, self.brief, actor)
        draft = get_draft(session, self.draft_id, actor)
        self.keeps_text = _complete(draft)
        if not self.keeps_text:
            update_brief(session, draft, self.brief)
        return draft

    def _fill_generation(
        self, generation: Generation | None, revision: Revision | None, params: dict[str, Any],
        usage: dict[str, int], ttft_ms: float | None, total_ms: float, message: str | None,
        error: BaseException | None,
    ) -> None:  # fmt: skip
        if generation is None:  # pragma: no cover - made by start() in its own committed transaction
            return
        generation.revision_id = revision.id if revision else None
        generation.parameters = params
        generation.prompt_tokens = usage.get("prompt_tokens")
        generation.completion_tokens = usage.get("completion_tokens")
        generation.total_tokens = usage.get("total_tokens")
        generation.time_to_first_token_ms = ttft_ms
        generation.total_time_ms = total_ms
        generation.error = message
        generation.error_detail = type(error).__name__ if error is not None else None

    def _refine_in_background(self, text: str, derived: PublishingFields) -> _Saved:
        """Ask the model for the publishing fields of ``text`` in a thread; they replace the
        ``derived`` ones once the last save has ended (the returned event is set), and only if it
        ended with the draft saved."""
        draft_id = self.draft_id
        saved = _Saved()

        def refine() -> None:
            try:
                proposed = propose_for_choice(self.settings, self.choice, self.brief, text, seed=self.seed)
                saved.wait()
                if not saved.ended_well:
                    return
                with session_scope(self.engine) as session:
                    refine_proposed_fields(session, draft_id, derived, proposed)
            except Exception:  # noqa: BLE001 - the derived fields stay; the draft is already saved
                log.warning("publishing-field proposal failed for draft %s", draft_id, exc_info=True)

        # The thread runs in a copy of this context, so its model call is recorded for the same
        # person (studio.usage.context).
        self.refinement = threading.Thread(
            target=contextvars.copy_context().run, args=(refine,), name=f"fields-{draft_id}", daemon=True
        )
        self.refinement.start()
        return saved

    def wait_for_fields(self, timeout: float | None = None) -> None:
        """Wait for the background proposal (the CLI does, before it exits)."""
        if self.refinement is not None:
            self.refinement.join(timeout)


class _Saved(threading.Event):
    """Set when the last save has ended; ``ended_well``: with the draft saved."""

    ended_well = False


class _Ref:
    """An actor known by id only (`authorize` reads the account itself)."""

    def __init__(self, actor_id: int) -> None:
        self.id = actor_id


def _voice_match(session: Any, draft: Draft, text: str) -> dict[str, Any] | None:
    found = draft_voice_match(session, draft, text) if text else None
    return found.as_dict() if found is not None else None


def _complete(draft: Draft) -> bool:
    """Whether the draft has a complete text that a failed regeneration must not replace."""
    current = draft.current_revision
    return current is not None and bool(current.body.strip()) and not draft.incomplete


def _recording(chunks: Iterator[Any], recorder: RequestRecorder) -> Iterator[Any]:
    """Iterate with `recorder` listening, but only while this run's own code is executing.
    Closing it closes the model's stream (and its connection)."""
    try:
        while True:
            token = current_recorder.set(recorder)
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                current_recorder.reset(token)
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
