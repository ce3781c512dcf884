"""Revise by instruction: a conversation on a draft, each turn a new revision.

Memory, fitted to the token budget: the last few turns verbatim, a running summary of the older
ones (made by the model as each turn leaves the verbatim window, told to keep every standing
rule), and the current text of the part being revised. However long the conversation, the
prompt holds one summary, a few turns and the text: it does not grow with the turns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.context import brief_of
from studio.drafting.failures import friendly_error
from studio.drafting.providers import ProviderChoice, resolve_provider
from studio.drafting.service import edit_text, get_draft
from studio.errors import InputError
from studio.models import ReviseTurn, Revision, User
from studio.validation import storable
from studio.writing import blocks
from studio.writing.budget import OUTPUT_RESERVE, TokenBudget, budget_for
from studio.writing.calls import CallRecord, chat_model, complete, stream_text
from studio.writing.prompts import messages
from studio.writing.schemas import ReviseResult
from studio.writing.service import editable_draft, next_turn_number, turn_rows

log = logging.getLogger(__name__)

RECENT_TURNS = 3
INSTRUCTION_MAX_CHARS = 2000
SUMMARY_HEADER = "The conversation so far (a summary of earlier requests; standing rules in it still apply):"
RECENT_HEADER = "The latest requests, word for word:"


@dataclass(frozen=True)
class Memory:
    summary: str
    recent: list[tuple[int, str, bool]]  # number, instruction, undone


def fit_memory(budget: TokenBudget, memory: Memory) -> Memory:
    """The memory within `budget.window_tokens`: the summary keeps its start (standing rules
    come first) within half of it, the recent turns the rest, oldest dropped first."""
    summary = budget.head(memory.summary, budget.window_tokens // 2)
    recent = list(memory.recent)
    while recent and budget.count(summary + "\n" + _recent_lines(recent)) > budget.window_tokens:
        recent.pop(0)
    return Memory(summary, recent)


def _recent_lines(recent: list[tuple[int, str, bool]]) -> str:
    return "\n".join(f"- Turn {n}: {text}" + (" (undone)" if undone else "") for n, text, undone in recent)


def revise_messages(brief: Brief, memory: Memory, part_label: str, text: str, instruction: str) -> list[BaseMessage]:
    parts = []
    if memory.summary:
        parts.append(f"{SUMMARY_HEADER}\n{memory.summary}")
    if memory.recent:
        parts.append(f"{RECENT_HEADER}\n{_recent_lines(memory.recent)}")
    parts.append(f'Text to revise ({part_label}):\n"""\n{text}\n"""')
    parts.append("Answer with the revised text only, in Markdown, with nothing before or after it. Change only "
                 "what the instruction asks, and keep following the standing rules above.")
    parts.append(f"Instruction: {instruction}")
    return messages(brief, "revise", *parts)


def fold_messages(brief: Brief, summary: str, turns: list[tuple[int, str, bool]]) -> list[BaseMessage]:
    return messages(
        brief, "conversation summary",
        f"Summary so far:\n{summary or '(none)'}",
        f"Requests to fold in:\n{_recent_lines(turns)}",
        "Write the new summary: first every standing rule still in force (word choices, things to always "
        "or never do), word for word, one per line as 'Standing rule: ...'; then one line on the other "
        "requests. Leave out requests that were undone. At most 12 lines.",
    )  # fmt: skip


_FENCE = re.compile(r"^```[a-z]*\n(.*?)\n```\s*$", re.DOTALL)


def clean_answer(text: str) -> str:
    text = text.strip()
    m = _FENCE.match(text)
    return (m.group(1) if m else text).strip()


class ReviseRun:
    """One turn: `stream()` yields the revised text as it arrives, then saves it as a revision."""

    def __init__(
        self,
        draft_id: int,
        actor: Any,
        instruction: str,
        *,
        section: int | None = None,
        expected_version: int | None = None,
        engine: Engine | None = None,
        settings: Settings | None = None,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        instruction = " ".join(storable(instruction or "", "The instruction", "instruction").split())
        if not instruction:
            raise InputError({"instruction": "Say what to change, e.g. “make the intro punchier”."})
        if len(instruction) > INSTRUCTION_MAX_CHARS:
            raise InputError({"instruction": f"The instruction is {len(instruction)} characters; the limit is "
                                             f"{INSTRUCTION_MAX_CHARS}."})
        self.draft_id, self.actor_id, self.instruction, self.section = draft_id, actor.id, instruction, section
        self.expected_version = expected_version
        self.engine, self.settings = engine, settings or get_settings()
        self.choice: ProviderChoice = resolve_provider(self.settings, provider, model)
        self.budget = budget_for(self.settings, self.choice.model)
        self.result: ReviseResult | None = None
        self.error: str | None = None
        with session_scope(engine) as session:
            draft, _ = editable_draft(session, draft_id, actor, expected_version)
            # The voice and passages the draft was written with: a turn keeps both.
            self.brief = brief_of(session, draft)
            self.body = draft.current_revision.body if draft.current_revision else ""
            self.revision_before = draft.current_revision.number if draft.current_revision else None
            if not self.body.strip():
                raise InputError("The draft has no text yet to revise.")
            if section is None:
                self.part, self.part_label = self.body, "the whole draft"
            else:
                b = blocks.block(self.body, section)
                self.part = b.text.strip()
                self.part_label = "the introduction" if section == 0 else f"section {section}, “{b.heading}”"
            self.number = next_turn_number(session, draft_id)
            history = [(t.number, t.instruction, t.undone, t.summary, t.error) for t in turn_rows(session, draft_id)]
        self.memory = self._memory(history)
        self.prompt = revise_messages(self.brief, self.memory, self.part_label, self.part, self.instruction)
        self.prompt_tokens = self.budget.count_messages(self.prompt)
        room = self.budget.context_window - min(OUTPUT_RESERVE, self.budget.context_window // 2)
        if self.prompt_tokens + self.budget.count(self.part) > self.budget.context_window or self.prompt_tokens > room:
            raise InputError(
                f"{self.part_label.capitalize()} is too long to revise in one turn with {self.choice.model} "
                f"({self.budget.count(self.part):,} tokens of a {self.budget.context_window:,}-token context). "
                "Choose one section instead."
            )

    def _memory(self, history: list[tuple[int, str, bool, str, str | None]]) -> Memory:
        """The summary of turns before the verbatim window (folding in the one that just left it)
        and the last few turns."""
        done = [(n, text, undone) for n, text, undone, _, error in history if error is None]
        recent = done[-RECENT_TURNS:]
        older = done[:-RECENT_TURNS] if len(done) > RECENT_TURNS else []
        summary = history[-1][3] if history else ""
        folded_upto = _folded_upto(summary)
        to_fold = [t for t in older if t[0] > folded_upto]
        if to_fold:
            summary = self._fold(summary, to_fold)
        self.summary = summary
        return fit_memory(self.budget, Memory(summary, recent))

    def _fold(self, summary: str, turns: list[tuple[int, str, bool]]) -> str:
        try:
            chat = chat_model(self.settings, self.choice, feature="revise", temperature=0.2)
            new = clean_answer(complete(chat, fold_messages(self.brief, summary, turns)))
        except Exception:
            log.warning("folding revise turns into the summary failed", exc_info=True)
            new = "\n".join([summary, _recent_lines(turns)]).strip()
        new = self.budget.head(new, self.budget.window_tokens // 2)
        return f"{new}\n(Turns 1–{turns[-1][0]} summarised.)"

    def stream(self) -> Iterator[str]:
        chat = chat_model(self.settings, self.choice, feature="revise", temperature=min(self.brief.temperature, 0.7))
        record_ = CallRecord()
        parts: list[str] = []
        error: BaseException | None = None
        try:
            for piece in stream_text(chat, self.prompt, record_):
                parts.append(piece)
                yield piece
        except BaseException as exc:  # noqa: BLE001 - includes GeneratorExit (Stop)
            error = exc
        finally:
            self._save(clean_answer("".join(parts)), error)
        if isinstance(error, (GeneratorExit, KeyboardInterrupt)):
            raise error

    def run(self) -> ReviseResult | None:
        for _ in self.stream():
            pass
        return self.result

    def _save(self, answer: str, error: BaseException | None) -> None:
        message = friendly_error(error, self.choice, mid_stream=bool(answer)) if error is not None else None
        if error is None and not answer:
            message = "The model sent back no text; nothing was changed."
        new_body = None
        if message is None:
            new_body = answer if self.section is None else blocks.replace_block(self.body, self.section, answer)
            if new_body.strip() == self.body.strip():
                message = "The model sent back the text unchanged; nothing was changed."
        with session_scope(self.engine) as session:
            actor = session.get(User, self.actor_id)
            revision = None
            if message is None and new_body is not None:
                try:
                    revision = edit_text(session, self.draft_id, actor, new_body, self.expected_version,
                                         reason="revised_by_instruction", note=self.instruction[:300])
                except InputError as exc:
                    message = str(exc)
            session.add(ReviseTurn(
                draft_id=self.draft_id, number=self.number, author_id=self.actor_id, instruction=self.instruction,
                section=self.section, reply=answer, revision_before=self.revision_before,
                revision_after=revision.number if revision else None, summary=self.summary,
                prompt_tokens=self.prompt_tokens, error=message,
            ))  # fmt: skip
            session.flush()
            self.error = message
            if revision is not None:
                draft = get_draft(session, self.draft_id, actor)
                self.result = ReviseResult(self.number, revision.number, new_body or "", draft.version, self.body,
                                           self.prompt_tokens)


def _folded_upto(summary: str) -> int:
    m = re.search(r"\(Turns 1–(\d+) summarised\.\)\s*$", summary or "")
    return int(m.group(1)) if m else 0


def undo_turn(session: Session, draft_id: int, actor: Any, number: int, expected_version: int | None) -> int:
    """Put back the text from before turn `number` (a new revision); returns its number."""
    draft, user = editable_draft(session, draft_id, actor, expected_version)
    turn = session.query(ReviseTurn).filter_by(draft_id=draft.id, number=number).one_or_none()
    if turn is None or turn.revision_after is None:
        raise InputError("That turn changed nothing, so there is nothing to undo.")
    if turn.undone:
        raise InputError("That turn is already undone.")
    current = draft.current_revision
    if current is None or current.number != turn.revision_after:
        raise InputError("The text changed after that turn; open the Revisions tab to go back further.")
    before = session.query(Revision).filter_by(draft_id=draft.id, number=turn.revision_before).one()
    revision = edit_text(session, draft.id, user, before.body, None, note=f"Undid turn {number}: {turn.instruction[:200]}")
    turn.undone = True
    record(session, user, "draft.revise_undone", draft_id=draft.id, data={"turn": number, "revision": revision.number})
    return revision.number
