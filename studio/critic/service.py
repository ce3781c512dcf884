"""The critic pass: the checks and a model critic read a draft against the rubric
(`studio.critic.rubric`), the flagged passages, and only those, are rewritten by the model with
the critic's notes, and each round that makes the draft better is saved as a revision whose note
carries those notes. At most N rounds; it stops early when nothing is flagged, when the rewrite
changes nothing, or when a round makes nothing better (that round's text is not kept).

Every model call and check runs with no transaction open; each kept round is one short write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from studio.audit.service import record
from studio.checks.service import draft_checks
from studio.config import Settings, get_settings
from studio.critic.prompts import critic_messages, read_critic, read_rewrite, rewrite_messages
from studio.critic.rubric import Assessment, ModelView, Passage, apply, assess, clean_replacement, passages
from studio.db import session_scope
from studio.drafting.context import brief_of
from studio.drafting.failures import friendly_error
from studio.drafting.providers import ProviderChoice, resolve_provider
from studio.drafting.service import add_revision, editable_draft
from studio.errors import InputError, StudioError, user_message
from studio.models import User
from studio.usage import context as usage_context
from studio.voices.match import match
from studio.voices.service import voice_version
from studio.workspace.rules import parse_critic_rounds
from studio.workspace.service import effective_settings
from studio.writing.calls import chat_model, complete

log = logging.getLogger(__name__)

DEFAULT_ROUNDS = 2
NOTE_MAX_CHARS = 1500
REASON = "critic_pass"

# Why a pass ended, as people read it.
STOP_CLEAN = "Nothing left to flag."
STOP_UNCHANGED = "The rewrite changed nothing."
STOP_NO_BETTER = "The last round made nothing better, so its text was not kept."
STOP_ROUNDS = "All rounds done."
STOP_DEMO = "The demo writer cannot rewrite passages: connect a model to use the critic pass."


def check_rounds(rounds: Any) -> int:
    return parse_critic_rounds(rounds)


def rounds_for(engine: Engine | None, settings: Settings, asked: int | None) -> int:
    """The brief's choice when it made one, else the workspace's (0: no critic pass)."""
    if asked is not None:
        return asked
    with session_scope(engine, read_only=True) as session:
        return int(effective_settings(session, settings).studio_critic_rounds)


def after_writing(outcome: Any, actor_id: int, asked: int | None, *, engine: Engine | None, settings: Settings,
                  choice: ProviderChoice) -> None:  # fmt: skip
    """The critic pass on a draft just written (a `GenerationOutcome`), when the brief or the
    workspace asks for one: the outcome gets the pass's figures and the text after it. A failure
    keeps the draft as written and says why in ``outcome.critic["error"]``."""
    try:
        rounds = rounds_for(engine, settings, asked)
        if rounds <= 0:
            return
        result = CriticPass(outcome.draft_id, _Ref(actor_id), rounds=rounds, engine=engine, settings=settings,
                            provider=choice.provider, model=choice.model).run()  # fmt: skip
    except Exception as exc:  # the written draft is saved; the outcome says why
        log.warning("the critic pass on draft %s failed", outcome.draft_id, exc_info=True)
        why = user_message(exc) or f"an unexpected error ({type(exc).__name__})."
        outcome.critic = {"error": f"The critic pass did not run: {why} The draft is saved as written."}
        return
    outcome.critic = result.as_dict()
    outcome.text, outcome.draft_version, outcome.revision_number = result.text, result.version, result.revision


class _Ref:
    """An actor known by id (the pass reads the account itself)."""

    def __init__(self, actor_id: int) -> None:
        self.id = actor_id


@dataclass
class CriticRound:
    number: int
    passages: list[Passage]
    rewritten: int
    after: Assessment | None
    kept: bool
    revision: int | None = None
    replacements: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, new text)

    def as_dict(self) -> dict[str, Any]:
        return {"round": self.number, "passages": [p.as_dict() for p in self.passages], "rewritten": self.rewritten,
                "after": self.after.as_dict() if self.after else None, "kept": self.kept, "revision": self.revision,
                "replacements": [{"start": s, "end": e, "text": t} for s, e, t in self.replacements]}  # fmt: skip


@dataclass
class CriticOutcome:
    draft_id: int
    before: Assessment
    after: Assessment
    rounds: list[CriticRound]
    stopped: str
    text: str
    version: int
    revision: int | None
    notice: str = ""  # e.g. the model critic could not be reached, so the checks scored alone

    @property
    def kept_rounds(self) -> int:
        return sum(1 for r in self.rounds if r.kept)

    @property
    def summary(self) -> str:
        rewritten = sum(r.rewritten for r in self.rounds if r.kept)
        if not self.kept_rounds:
            return f"Critic pass: nothing rewritten ({self.stopped[:1].lower()}{self.stopped[1:]})"
        return (f"Critic pass: {rewritten} passage{'s' if rewritten != 1 else ''} rewritten in {self.kept_rounds} "
                f"round{'s' if self.kept_rounds != 1 else ''}; rubric {self.before.total:.2f} → {self.after.total:.2f}, "
                f"findings {self.before.findings} → {self.after.findings}. {self.stopped}")  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {"draft_id": self.draft_id, "before": self.before.as_dict(), "after": self.after.as_dict(),
                "rounds": [r.as_dict() for r in self.rounds], "stopped": self.stopped, "summary": self.summary,
                "revision": self.revision, "notice": self.notice}  # fmt: skip


class CriticPass:
    """One critic pass over a draft's current text. `run()` returns the outcome."""

    def __init__(
        self, draft_id: int, actor: Any, *, rounds: int = DEFAULT_ROUNDS, engine: Engine | None = None,
        settings: Settings | None = None, provider: str | None = None, model: str | None = None,
    ) -> None:  # fmt: skip
        self.draft_id, self.actor_id, self.rounds = draft_id, actor.id, check_rounds(rounds)
        self.engine, self.settings = engine, settings or get_settings()
        self.choice: ProviderChoice = resolve_provider(self.settings, provider, model)
        self.notice = ""
        with session_scope(engine) as session:
            draft, _ = editable_draft(session, draft_id, session.get(User, actor.id) or actor)
            if draft.current_revision is None or not draft.current_revision.body.strip():
                raise InputError("The draft has no text yet for the critic to read.")
            self.body, self.version = draft.current_revision.body, draft.version
            self.revision: int | None = draft.current_revision.number
            self.brief = brief_of(session, draft)
            self.plan = draft_checks(session, draft, self.settings)
            voice = voice_version(session, draft.voice_id, draft.voice_version) if draft.voice_id else None
            self.voice = (dict(voice.profile or {}), dict(voice.rules or {}), draft.language or voice.language) \
                if voice is not None else None  # fmt: skip

    def _chat(self) -> Any:
        return chat_model(self.settings, self.choice, feature="critic", temperature=min(self.brief.temperature, 0.7))

    def _model_view(self, text: str) -> ModelView | None:
        if self.choice.is_demo:
            self.notice = "No model is connected, so the checks scored the draft alone."
            return None
        try:
            with usage_context.feature("critic"):
                answer = complete(self._chat(), critic_messages(self.brief, text))
        except Exception as exc:  # noqa: BLE001 - the checks still score; the outcome says why
            self.notice = f"The model critic could not read the draft ({friendly_error(exc, self.choice)}); " \
                          "the checks scored it alone."  # fmt: skip
            return None
        view = read_critic(answer)
        if view is None:
            self.notice = "The model critic's answer could not be read; the checks scored the draft alone."
        return view

    def assess(self, text: str) -> tuple[Assessment, Any]:
        report = self.plan.run(text)
        voice = match(text, *self.voice).score if self.voice is not None else None
        found = assess(text, topic=self.brief.topic, keywords=self.brief.keywords, report=report, voice_score=voice,
                       model=self._model_view(text))  # fmt: skip
        return found, report

    def _rewrite(self, text: str, flagged: Sequence[Passage]) -> list[tuple[Passage, str]]:
        with usage_context.feature("critic"):
            answer = complete(self._chat(), rewrite_messages(self.brief, text, flagged))
        new = read_rewrite(answer, len(flagged))
        out = []
        for n, p in enumerate(flagged, start=1):
            cleaned = clean_replacement(p.text, new.get(n))
            if cleaned is not None and cleaned != p.text:
                out.append((p, cleaned))
        return out

    def run(self) -> CriticOutcome:
        body = self.body
        before, _ = self.assess(body)
        current, rounds, stopped = before, [], STOP_ROUNDS
        for number in range(1, self.rounds + 1):
            flagged = passages(body, current.flags)
            if not flagged:
                stopped = STOP_CLEAN
                break
            if self.choice.is_demo:
                stopped = STOP_DEMO
                break
            try:
                replacements = self._rewrite(body, flagged)
            except Exception as exc:  # noqa: BLE001 - what was kept stays; the outcome says why
                stopped = f"The rewrite failed: {friendly_error(exc, self.choice)}"
                break
            if not replacements:
                rounds.append(CriticRound(number, flagged, 0, None, False))
                stopped = STOP_UNCHANGED
                break
            new_body = apply(body, replacements)
            after, report = self.assess(new_body)
            this = CriticRound(number, flagged, len(replacements), after, False,
                               replacements=[(p.start, p.end, t) for p, t in replacements])  # fmt: skip
            rounds.append(this)
            if not _better(current, after):
                stopped = STOP_NO_BETTER
                break
            try:
                this.revision = self._save(new_body, report, number, flagged, current, after)
            except StudioError as exc:
                stopped = f"The round could not be saved: {exc}"
                break
            this.kept, body, current = True, new_body, after
        return CriticOutcome(self.draft_id, before, current, rounds, stopped, body, self.version, self.revision,
                             self.notice)  # fmt: skip

    def _save(self, body: str, report: Any, number: int, flagged: Sequence[Passage], before: Assessment,
              after: Assessment) -> int:  # fmt: skip
        note = _note(number, flagged, before, after)
        with session_scope(self.engine) as session:
            draft, user = editable_draft(session, self.draft_id, session.get(User, self.actor_id), self.version)
            revision = add_revision(session, draft, body, user, REASON, note, run_checks=False, report=report)
            record(session, user, f"draft.{REASON}", draft_id=draft.id, comment=note[:300],
                   data={"revision": revision.number, "round": number, "passages": len(flagged),
                         "before": before.as_dict(), "after": after.as_dict()})  # fmt: skip
            session.flush()
            self.version, self.revision = draft.version, revision.number
            return revision.number


def _better(old: Assessment, new: Assessment) -> bool:
    """A round counts when the rubric rose or the findings fell, and neither got worse."""
    if new.total < old.total - 1e-6 or new.findings > old.findings:
        return False
    return new.total > old.total + 1e-6 or new.findings < old.findings


def _note(number: int, flagged: Sequence[Passage], before: Assessment, after: Assessment) -> str:
    head = (f"Critic pass, round {number}: {len(flagged)} flagged passage{'s' if len(flagged) != 1 else ''} "
            f"rewritten (rubric {before.total:.2f} → {after.total:.2f}, findings {before.findings} → "
            f"{after.findings}). The critic's notes:")  # fmt: skip
    lines = [head] + [f"- {n}" for p in flagged for n in p.notes]
    if before.model_notes:
        lines.append(f"Overall: {before.model_notes}")
    note = "\n".join(dict.fromkeys(lines))
    return note if len(note) <= NOTE_MAX_CHARS else note[: NOTE_MAX_CHARS - 1] + "…"
