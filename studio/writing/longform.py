"""Long-form drafts in sections: the outline first, then each section streamed in its sliding
window, the introduction and conclusion last, then a repetition pass.

`LongformRun.plan()` makes the draft and its outline (which the marketer may edit);
`LongformRun.write()` yields `SectionEvent`s while it writes every unfinished section (or one
section again, `only=`). Each section is saved the moment it is finished, with a short summary
made in the background (the next section does not wait for it: its prompt has the previous
section's ending and points). Whatever stops the run, the finished sections and the outline
stay, the text so far is saved as an incomplete draft, and a new run continues at the first
unfinished section.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine

from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.context import keep_passages, resolved
from studio.drafting.failures import friendly_error
from studio.drafting.prompts import messages_as_records
from studio.drafting.providers import ProviderChoice, resolve_provider
from studio.drafting.saver import SAVE_ATTEMPTS, save_with_retries, write_recovery_file
from studio.drafting.service import add_revision, create_draft, get_draft
from studio.errors import InputError, StudioError, user_message
from studio.interrupts import shielded
from studio.models import Generation, User
from studio.publishing.fields import derive_fields
from studio.publishing.service import apply_proposed_fields
from studio.writing import blocks
from studio.writing.budget import TokenBudget, budget_for
from studio.writing.calls import CallRecord, chat_model, complete, stream_text
from studio.writing.outline import Outline, body_section_count, parse_outline, writing_order
from studio.writing.prompts import (
    WrittenSection,
    build_window,
    outline_messages,
    section_messages,
    summary_messages,
)
from studio.writing.repetition import repetition_findings
from studio.writing.schemas import OutlineView, SectionView
from studio.writing.service import (
    assemble,
    editable_draft,
    outline_view,
    save_outline,
    store_repetition,
    store_section,
)

log = logging.getLogger(__name__)


class LongformError(StudioError):
    """The outline could not be made; the message says why (the brief is kept)."""


@dataclass(frozen=True)
class SectionEvent:
    kind: str  # start | text | done
    index: int
    heading: str
    text: str = ""
    prompt_tokens: int | None = None


@dataclass
class LongformOutcome:
    draft_id: int
    draft_version: int
    status: str
    incomplete: bool
    text: str
    provider: str
    provider_label: str
    model: str
    temperature: float | None
    outline: OutlineView | None
    error: str | None = None
    total_time_ms: float | None = None
    sections_timing: list[dict[str, Any]] = field(default_factory=list)
    revision_number: int | None = None
    #: Where the brief and the text were written when the database could not take them.
    recovery_file: str | None = None

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
            "total_time_ms": self.total_time_ms,
            "outline": self.outline.as_outline_json() if self.outline else [],
            "sections": self.outline.as_sections_json() if self.outline else [],
            "sections_timing": self.sections_timing,
            "repetition": self.outline.repetition if self.outline else [],
            "recovery_file": self.recovery_file,
        }


def _extractive_summary(text: str) -> str:
    sentences = re.findall(r"[^.!?\n]+[.!?]", text)
    return " ".join(s.strip() for s in sentences[:2])[:400]


def parse_summary(answer: str, points: list[str], text: str) -> tuple[str, list[str]]:
    """The model's summary JSON, or the section's first sentences and its planned points."""
    start, end = answer.find("{"), answer.rfind("}")
    try:
        data = json.loads(answer[start : end + 1]) if start >= 0 and end > start else None
    except ValueError:
        data = None
    if isinstance(data, dict) and str(data.get("summary") or "").strip():
        covered = [" ".join(str(c).split())[:200] for c in (data.get("covered") or []) if str(c).strip()]
        return " ".join(str(data["summary"]).split())[:600], covered[:8] or list(points)
    return _extractive_summary(text), list(points)


class LongformRun:
    """Plan and write one long-form draft. `summaries`/`covered` exist for the benchmark's
    comparison; the studio always sends both."""

    def __init__(
        self,
        brief: Brief,
        actor: Any,
        *,
        engine: Engine | None = None,
        settings: Settings | None = None,
        provider: str | None = None,
        model: str | None = None,
        seed: int | None = None,
        draft_id: int | None = None,
        summaries: bool = True,
        covered: bool = True,
    ) -> None:
        self.actor_id = actor.id
        self.engine = engine
        self.settings = settings or get_settings()
        # The brand voice and source passages every prompt of the run carries (InputError for a
        # missing source, before any model call); a draft's own brief (`draft_brief`) has them.
        self.brief = resolved(engine, brief, actor, self.settings, draft_id=draft_id)
        self.seed = seed
        self.draft_id = draft_id
        self.use_summaries = summaries
        self.use_covered = covered
        self.choice: ProviderChoice = resolve_provider(self.settings, provider, model)
        self.budget: TokenBudget = budget_for(self.settings, self.choice.model)
        self.outcome: LongformOutcome | None = None
        self.error: str | None = None
        self.started = time.perf_counter()
        self.timings: list[dict[str, Any]] = []
        self.title = ""  # the outline's, once a run has read it

    # -- helpers ---------------------------------------------------------------------------

    def _actor(self, session: Any) -> User:
        actor = session.get(User, self.actor_id)
        assert actor is not None
        return actor

    def _chat(self, *, temperature: float | None = None) -> Any:
        return chat_model(self.settings, self.choice, feature="section",
                          temperature=self.brief.temperature if temperature is None else temperature, seed=self.seed)

    def _generation(self, session: Any, draft_id: int, rec: CallRecord, prompt: list[Any], error: str | None,
                    revision_id: int | None = None) -> None:
        params = rec.params or ({"model": self.choice.model, "temperature": self.brief.temperature, "stream": True}
                                if self.choice.is_demo else {"model": self.choice.model})
        session.add(Generation(
            draft_id=draft_id, revision_id=revision_id, provider=self.choice.provider, model=self.choice.model,
            parameters=params, prompt_messages=messages_as_records(prompt),
            prompt_tokens=rec.usage.get("prompt_tokens"), completion_tokens=rec.usage.get("completion_tokens"),
            total_tokens=rec.usage.get("total_tokens"), time_to_first_token_ms=rec.ttft_ms,
            total_time_ms=rec.total_ms, error=error,
        ))  # fmt: skip

    # -- the outline -------------------------------------------------------------------------

    def plan(self) -> OutlineView:
        """Make the draft (kept whatever happens next) and its outline from the brief."""
        with session_scope(self.engine) as session:
            actor = self._actor(session)
            if self.draft_id is None:
                draft = create_draft(session, self.brief, actor)
                draft.incomplete = True
                keep_passages(session, draft.id, self.brief)
                self.draft_id = draft.id
            else:
                editable_draft(session, self.draft_id, actor)
        prompt = outline_messages(self.brief, body_section_count(self.brief.target_words))
        rec = CallRecord()
        try:
            answer = complete(self._chat(), prompt)
            rec.ended = time.perf_counter()
            outline: Outline = parse_outline(answer, topic=self.brief.topic, content_type=self.brief.content_type,
                                             target_words=self.brief.target_words)
        except Exception as exc:
            message = str(exc) if isinstance(exc, StudioError) else friendly_error(exc, self.choice)
            self.error = message
            with session_scope(self.engine) as session:
                draft = get_draft(session, self.draft_id, self._actor(session))
                draft.incomplete, draft.last_error = True, message
                self._generation(session, draft.id, rec, prompt, message)
                record(session, self._actor(session), "draft.generation_failed", draft_id=draft.id, comment=message)
            raise LongformError(message) from exc
        with session_scope(self.engine) as session:
            self._generation(session, self.draft_id, rec, prompt, None)
            view = save_outline(session, self.draft_id, self._actor(session), outline)
        assert view is not None
        return view

    # -- the sections ------------------------------------------------------------------------

    def _summarise(self, section: SectionView, text: str) -> tuple[str, list[str]]:
        try:
            answer = complete(self._chat(temperature=0.2), summary_messages(self.brief, section.heading,
                                                                            section.points, text))
        except Exception:
            log.warning("section summary failed; using the section's first sentences", exc_info=True)
            answer = ""
        return parse_summary(answer, section.points, text)

    def write(self, only: int | None = None, *, expected_version: int | None = None) -> Iterator[SectionEvent]:
        """Write every unfinished section in order, or section `only` again; yield as it goes."""
        assert self.draft_id is not None, "plan() first"
        with session_scope(self.engine) as session:
            actor = self._actor(session)
            editable_draft(session, self.draft_id, actor, expected_version)
            view = outline_view(session, self.draft_id, actor)
            current_body = get_draft(session, self.draft_id, actor).current_revision
            current_body = current_body.body if current_body is not None else ""
        if view is None:
            raise InputError("This draft has no outline; write it in one pass, or start a long-form draft.")
        self.title = view.title
        sections = list(view.sections)
        if only is not None and not 0 <= only < len(sections):
            raise InputError(f"The outline has no section {only + 1}.")
        if only is not None:
            target = sections[only]
            if target.kind != "intro" and blocks.find_heading(current_body, target.heading) is None:
                raise InputError(f"“{target.heading}” is not a heading in the current text any more; edit the "
                                 "outline or the text so they match, then try again.")
            sections = self._with_current_text(sections, current_body)
        order = [only] if only is not None else [i for i in writing_order(sections) if not sections[i].done]
        written = {i: WrittenSection(i, s.heading, s.summary, list(s.covered or s.points), s.text)
                   for i, s in enumerate(sections) if s.done and i != only}
        futures: dict[int, Future] = {}
        partial: dict[int, str] = {}
        last_done: int | None = None
        executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"summaries-{self.draft_id}")
        error: BaseException | None = None
        try:
            for i in order:
                s = sections[i]
                # The section just before may still be summarising: its ending and its points
                # stand in for its summary. The introduction and conclusion wait for every summary.
                self._collect(futures, written, sections, keep=last_done if s.kind == "body" else None)
                window = build_window(list(written.values()), i, self.budget,
                                      summaries=self.use_summaries, covered=self.use_covered)
                prompt = section_messages(self.brief, view.title, sections, i, window)
                tokens = self.budget.count_messages(prompt)
                yield SectionEvent("start", i, s.heading, prompt_tokens=tokens)
                rec = CallRecord()
                parts: list[str] = []
                first_at: float | None = None
                for piece in stream_text(self._chat(), prompt, rec):
                    if first_at is None:
                        first_at = time.perf_counter()
                    parts.append(piece)
                    partial[i] = "".join(parts)
                    yield SectionEvent("text", i, s.heading, piece)
                text = blocks.strip_heading("".join(parts), s.heading).strip()
                with session_scope(self.engine) as session:
                    store_section(session, self.draft_id, s.id, text=text, done=True, prompt_tokens=tokens,
                                  covered=list(s.points), summary="")
                    self._generation(session, self.draft_id, rec, prompt, None)
                partial.pop(i, None)  # saved: from here on the section's text is in `sections`
                sections[i] = replace(s, status="done", text=text, prompt_tokens=tokens)
                written[i] = WrittenSection(i, s.heading, "", list(s.points), text)
                futures[i] = executor.submit(self._summarise, sections[i], text)
                last_done = i
                self.timings.append({
                    "index": i, "heading": s.heading, "kind": s.kind, "prompt_tokens": tokens,
                    "first_words_ms": (first_at - self.started) * 1000 if first_at else None,
                    "words": len(text.split()), "ms": rec.total_ms,
                })  # fmt: skip
                yield SectionEvent("done", i, s.heading, text, tokens)
            self._collect(futures, written, sections, keep=None)
        except BaseException as exc:  # noqa: BLE001 - includes GeneratorExit (Stop, page left)
            error = exc
        finally:
            executor.shutdown(wait=error is None, cancel_futures=error is not None)
            self._finish(sections, partial, error, only=only, expected_version=expected_version,
                         current_body=current_body)
        if isinstance(error, (GeneratorExit, KeyboardInterrupt)):
            raise error

    def _with_current_text(self, sections: list[SectionView], body: str) -> list[SectionView]:
        """Sections as the draft's current text has them (people may have edited or revised it)."""
        out = []
        for s in sections:
            b = blocks.split_blocks(body)[1][0] if s.kind == "intro" else blocks.find_heading(body, s.heading)
            out.append(replace(s, text=b.text.strip()) if b is not None and s.done and b.text.strip() else s)
        return out

    def _collect(self, futures: dict[int, Future], written: dict[int, WrittenSection],
                 sections: list[SectionView], *, keep: int | None) -> None:
        for i in list(futures):
            if i == keep and not futures[i].done():
                continue
            summary, covered = futures.pop(i).result()
            written[i].summary, written[i].covered = summary, covered
            sections[i] = replace(sections[i], summary=summary, covered=covered)
            with session_scope(self.engine) as session:
                store_section(session, self.draft_id, sections[i].id, summary=summary, covered=covered)

    def _finish(self, sections: list[SectionView], partial: dict[int, str], error: BaseException | None, *,
                only: int | None, expected_version: int | None, current_body: str) -> None:
        message = None
        if error is not None:
            message = friendly_error(error, self.choice, mid_stream=bool(partial) or any(s.done for s in sections))
            if not isinstance(error, (GeneratorExit, KeyboardInterrupt)):
                log.warning("long-form run failed: %s", type(error).__name__)
        self.error = message

        def write(session: Any) -> LongformOutcome:
            return self._final_save(session, sections, partial, error, message, only, current_body)

        with shielded():  # Ctrl-C, SIGTERM or SIGHUP in the CLI waits for the save, then applies
            outcome, failure = save_with_retries(self.engine, write)
            self.outcome = outcome if outcome is not None else self._recover(sections, partial, message, failure)

    def _recover(self, sections: list[SectionView], partial: dict[int, str], message: str | None,
                 failure: BaseException | None) -> LongformOutcome:
        """Every try of the last save failed: the brief and every section written so far go to a
        recovery file (the sections saved one by one stay in the database too)."""
        why = user_message(failure) if failure is not None else None
        why = why or (f"an unexpected error ({type(failure).__name__})" if failure else "the database refused the save")
        text = assemble(self.title or self.brief.topic, sections, self.brief.content_type,
                        partial=partial)
        path, problems = write_recovery_file(text, self.brief.as_dict(), draft_id=self.draft_id, why=why)
        said = f"The draft could not be saved, even after {SAVE_ATTEMPTS} tries: {why[:1].lower()}{why[1:]}"
        said = said if said.endswith(".") else said + "."
        if path is not None:
            said += f" Nothing is lost: the brief and the text are in the recovery file {path}."
        else:
            said += (f" The recovery file could not be written either ({problems.rstrip('.')}): copy the text "
                     "shown now before leaving.")  # fmt: skip
        self.error = f"{message} {said}" if message else said
        assert self.draft_id is not None
        return LongformOutcome(
            draft_id=self.draft_id, draft_version=0, status="draft", incomplete=True, text=text,
            provider=self.choice.provider, provider_label=self.choice.label, model=self.choice.model,
            temperature=None, outline=None, error=self.error,
            total_time_ms=(time.perf_counter() - self.started) * 1000, sections_timing=list(self.timings),
            recovery_file=str(path) if path is not None else None,
        )  # fmt: skip

    def _final_save(self, session: Any, sections: list[SectionView], partial: dict[int, str],
                    error: BaseException | None, message: str | None, only: int | None,
                    current_body: str) -> LongformOutcome:
        """The last save of a run, in one transaction (tried again by `save_with_retries`)."""
        actor = self._actor(session)
        draft = get_draft(session, self.draft_id, actor)
        done_texts = [(i, s.text) for i, s in enumerate(sections) if s.done]
        findings = []
        for f in repetition_findings([t for _, t in done_texts]):
            d = f.as_dict()
            d["sections"] = [done_texts[k][0] for k in f.sections]
            findings.append(d)
        store_repetition(session, draft.id, findings)
        title = outline_view(session, draft.id, actor).title  # type: ignore[union-attr]
        revision = None
        if only is not None:
            if error is None:
                revision = self._replace_section(session, draft, actor, sections[only], current_body)
        elif error is None:
            body = assemble(title, sections, self.brief.content_type)
            revision = add_revision(session, draft, body, actor, "generated",
                                    note=f"Written in {len(sections)} sections")
            apply_proposed_fields(session, draft, derive_fields(self.brief, body), actor=actor)
            record(session, actor, "draft.generated", draft_id=draft.id,
                   data={"provider": self.choice.provider, "model": self.choice.model, "sections": len(sections)})
        else:
            body = assemble(title, sections, self.brief.content_type, partial=partial)
            if body.strip() != f"# {title}" and body != current_body:
                revision = add_revision(session, draft, body, actor, "partial", note=message or "", run_checks=False)
            draft.incomplete, draft.last_error = True, message
            record(session, actor, "draft.generation_failed", draft_id=draft.id, comment=message or "")
        session.flush()
        view = outline_view(session, draft.id, actor)
        current = draft.current_revision
        return LongformOutcome(
            draft_id=draft.id, draft_version=draft.version, status=draft.status, incomplete=draft.incomplete,
            text=current.body if current is not None else "", provider=self.choice.provider,
            provider_label=self.choice.label, model=self.choice.model,
            temperature=self.brief.temperature if self.choice.sends_temperature else None,
            outline=view, error=message, total_time_ms=(time.perf_counter() - self.started) * 1000,
            sections_timing=list(self.timings), revision_number=revision.number if revision else None,
        )  # fmt: skip

    def _replace_section(self, session: Any, draft: Any, actor: User, section: SectionView, body: str) -> Any:
        """Section `section` written again: its block in the current text replaced, nothing else."""
        found = blocks.find_heading(body, section.heading) if section.kind != "intro" else None
        number = found.number if found is not None else 0
        new_body = blocks.replace_block(body, number, section.text)
        revision = add_revision(session, draft, new_body, actor, "generated",
                                note=f"Section “{section.heading}” written again")
        record(session, actor, "draft.generated", draft_id=draft.id,
               data={"provider": self.choice.provider, "model": self.choice.model, "section": section.heading})
        return revision

    def run(self) -> LongformOutcome:
        """Plan when there is no outline yet, then write everything (the CLI's way)."""
        has_outline = False
        if self.draft_id is not None:
            with session_scope(self.engine) as session:
                has_outline = outline_view(session, self.draft_id, self._actor(session)) is not None
        if not has_outline:
            try:
                self.plan()
            except LongformError:
                with session_scope(self.engine) as session:
                    draft = get_draft(session, self.draft_id, self._actor(session))
                    self.outcome = LongformOutcome(
                        draft.id, draft.version, draft.status, True, "", self.choice.provider, self.choice.label,
                        self.choice.model, None, None, error=self.error,
                        total_time_ms=(time.perf_counter() - self.started) * 1000)
                return self.outcome
        for _ in self.write():
            pass
        assert self.outcome is not None
        return self.outcome
