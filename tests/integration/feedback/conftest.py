"""A record of editor feedback made through the real workflow: drafts written by the local
OpenAI-compatible server, edited, submitted, approved and rejected through the services."""

from __future__ import annotations

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

CALENDAR = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
                keywords="planning, SEO", tone="friendly", target_words=200)
CONTACT = "\n\nQuestions? Write to jane.doe@example.com or call +44 20 7946 0958."


@dataclass
class Record:
    edited: int  # approved after the marketer rewrote much of the model's text (and added contact data)
    rejected: int  # the same brief, rejected by the editor
    unchanged: int  # another brief, approved as the model wrote it
    touched: int  # a news brief, approved after a one-word edit
    first_text: dict[int, str]  # draft id -> what the model first wrote
    approved_text: dict[int, str]  # draft id -> the approved text


def _version(engine, draft_id: int) -> int:
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).version


def _text(engine, draft_id: int) -> str:
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).current_revision.body


@pytest.fixture
def record(engine, people, fake_openai, monkeypatch) -> Record:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    settings = reload_settings()
    fake_openai.reply_words = 160

    def generate(**brief) -> int:
        run = DraftRun(Brief.create(**brief), people.marketer, engine=engine, settings=settings)
        "".join(run.stream())
        run.wait_for_fields(30)
        assert run.outcome.error is None
        return run.outcome.draft_id

    def edit(draft_id: int, body: str) -> None:
        with session_scope(engine) as s:
            edit_text(s, draft_id, people.marketer, body, _version(engine, draft_id))

    def submit(draft_id: int) -> None:
        with session_scope(engine) as s:
            review.submit(s, draft_id, people.marketer, _version(engine, draft_id))

    def approve(draft_id: int) -> None:
        approve_acknowledging_everything(engine, draft_id, people.editor)

    edited = generate(**CALENDAR)
    rejected = generate(**CALENDAR)
    unchanged = generate(content_type="blog", topic="Writing better meeting notes", tone="professional",
                         target_words=200)
    touched = generate(content_type="news", topic="Local library opens a maker space", target_words=200)
    first = {i: _text(engine, i) for i in (edited, rejected, unchanged, touched)}

    paragraphs = first[edited].split("\n\n")
    rewritten = [p if n % 2 == 0 else "We rewrote this part in our own words for our readers." for n, p in enumerate(paragraphs)]
    edit(edited, "\n\n".join(rewritten) + CONTACT)
    words = first[touched].split(" ")
    words[-1] = "today."
    edit(touched, " ".join(words))

    for draft_id in (edited, rejected, unchanged, touched):
        submit(draft_id)
    for draft_id in (edited, unchanged, touched):
        approve(draft_id)
    with session_scope(engine) as s:
        review.reject(s, rejected, people.editor, _version(engine, rejected), "Off brief; see the approved one.")
    approved = {i: _text(engine, i) for i in (edited, unchanged, touched)}
    assert approved[unchanged] == first[unchanged] and approved[edited] != first[edited]
    return Record(edited, rejected, unchanged, touched, first, approved)
