"""Drafts written by the local OpenAI-compatible server through the real writer, and the review
steps, for the prompt-version tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import edit_text
from studio.drafting.writer import DraftRun
from studio.models import Draft
from studio.review import service as review
from tests.support.workflow import approve_acknowledging_everything

# What the version under test asks for, and what the fake model then writes: a version's text
# changes what comes back, so its findings differ from the built-in version's.
MARK = "House rule 7: close with a promise."
PROMISE = "Our method is guaranteed to work, and it is the best in the world."
V2_SYSTEM = (
    "You write for a marketing team. {language_instructions} Output Markdown only. Aim for about "
    "{target_words} words.\n\n{voice_block}\nFormality: {formality}.{sources_block}\n\n" + MARK
)
BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning, SEO", tone="friendly", target_words=150)  # fmt: skip


def system_of(body: dict) -> str:
    return next((m.get("content", "") for m in body.get("messages", []) if m.get("role") == "system"), "")


@dataclass
class Studio:
    engine: object
    people: object
    server: object
    settings: object

    def generate(self, **brief: object) -> int:
        run = DraftRun(Brief.create(**{**BRIEF, **brief}), self.people.marketer, engine=self.engine,
                       settings=self.settings)  # fmt: skip
        run.run()
        run.wait_for_fields(30)
        assert run.outcome.error is None, run.outcome.error
        return run.outcome.draft_id

    def version(self, draft_id: int) -> int:
        with session_scope(self.engine) as s:
            return s.get(Draft, draft_id).version

    def text(self, draft_id: int) -> str:
        with session_scope(self.engine) as s:
            return s.get(Draft, draft_id).current_revision.body

    def prompt_version_id(self, draft_id: int) -> int | None:
        with session_scope(self.engine) as s:
            return s.get(Draft, draft_id).prompt_version_id

    def edit(self, draft_id: int, body: str) -> None:
        with session_scope(self.engine) as s:
            edit_text(s, draft_id, self.people.marketer, body, self.version(draft_id))

    def submit(self, draft_id: int) -> None:
        with session_scope(self.engine) as s:
            review.submit(s, draft_id, self.people.marketer, self.version(draft_id))

    def approve(self, draft_id: int) -> None:
        approve_acknowledging_everything(self.engine, draft_id, self.people.editor)

    def reject(self, draft_id: int) -> None:
        with session_scope(self.engine) as s:
            review.reject(s, draft_id, self.people.editor, self.version(draft_id), "Off brief.")


def replace_last_words(text: str, n: int) -> str:
    """``text`` with its last ``n`` words replaced by words it does not hold: an edit of exactly
    ``n`` words."""
    words = text.split()
    return " ".join(words[:-n] + [f"zzqx{i}" for i in range(n)])


@pytest.fixture
def studio(engine, people, fake_openai, monkeypatch) -> Studio:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    settings = reload_settings()
    fake_openai.reply_words = 120
    from tests.support.fake_openai import default_article

    def reply(body: dict) -> str:
        user = next((m.get("content", "") for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
        text = default_article(user, 120)
        return text + "\n\n" + PROMISE if MARK in system_of(body) else text

    fake_openai.reply = reply
    return Studio(engine, people, fake_openai, settings)


Step = Callable[[int], None]
