"""Image prompts and alt text per slot, written by a model through the real OpenAI client against
the local server; stored, editable, and checked like any other field that ships."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.checks.service import latest_report
from studio.config import reload_settings
from studio.db import session_scope
from studio.images import service
from studio.models import AuditEvent, Draft, DraftImage
from tests.support.fake_writer import prompt_of

sys.path.insert(0, str(Path(__file__).parent))
from support import make_draft, studio


def photo_editor(body: dict) -> str:
    """Answers the image-suggestion task: one entry per numbered section in the prompt."""
    prompt = body["messages"][-1]["content"]
    assert "Task: image suggestions" in prompt
    sections = re.findall(r"^\d+\. (.+)$", prompt, flags=re.MULTILINE)
    return "Here you go:\n```json\n" + json.dumps({
        "hero": {"prompt": "A wall calendar with three coloured themes, morning light", "alt": "Image of a wall calendar"},
        "sections": [{"prompt": f"Photo for {h}", "alt": f"A team working on: {h}"} for h in sections],
    }) + "\n```"  # fmt: skip


@pytest.fixture
def model(fake_openai, monkeypatch):
    fake_openai.reply = photo_editor
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    reload_settings()
    return fake_openai


def _rows(engine, draft_id):
    with session_scope(engine) as s:
        rows = s.scalars(select(DraftImage).where(DraftImage.draft_id == draft_id).order_by(DraftImage.position)).all()
        return [(r.slot, r.heading, r.prompt, r.alt_text, r.source) for r in rows]


def test_the_model_writes_a_prompt_and_alt_text_for_the_hero_and_each_section(engine, people, model):
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "suggest", str(draft_id), "--json", "--as", "mara")
    assert result.returncode == 0, result.stderr
    views = json.loads(result.stdout)
    assert [v["slot"] for v in views] == ["hero", "section-1", "section-2", "section-3"]
    [request] = model.chat_requests
    sent = prompt_of(request)
    assert "1. Pick three themes\n2. Book the dates\n3. Leave room for news" in sent
    rows = _rows(engine, draft_id)
    assert rows[0] == ("hero", "Spring planning for small teams",
                       "A wall calendar with three coloured themes, morning light", "A wall calendar", "model")
    assert rows[2][1:] == ("Book the dates", "Photo for Book the dates", "A team working on: Book the dates", "model")
    with session_scope(engine) as s:  # the model call is tagged for the usage ledger, and audited
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id,
                                                     AuditEvent.action == "draft.publishing_updated")).all()
        assert event.data["slots"] == ["hero", "section-1", "section-2", "section-3"]

    # A person's edit is kept when the model suggests again.
    edited = studio("images", "edit", str(draft_id), "--slot", "section-1", "--alt", "Three sticky notes on a desk",
                    "--as", "mara")  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    assert studio("images", "suggest", str(draft_id), "--as", "mara").returncode == 0
    rows = _rows(engine, draft_id)
    assert rows[1][3:] == ("Three sticky notes on a desk", "person") and rows[2][4] == "model"


def test_an_unusable_reply_falls_back_to_the_headings_and_says_so(engine, people, model):
    model.reply = "I would rather not."
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "suggest", str(draft_id), "--json", "--as", "mara")
    assert result.returncode == 0
    assert "no usable suggestions" in result.stderr
    rows = _rows(engine, draft_id)
    assert [r[4] for r in rows] == ["demo"] * 4
    assert rows[1][3] == "Illustration of Pick three themes"


def test_a_reply_missing_sections_fills_them_from_the_headings(engine, people, model):
    model.reply = json.dumps({"hero": {"prompt": "Calendar", "alt": "A paper calendar"}, "sections": []})
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "suggest", str(draft_id), "--as", "mara")
    assert result.returncode == 0 and "left 3 of 4 slot(s) empty" in result.stderr
    assert [r[4] for r in _rows(engine, draft_id)] == ["model", "demo", "demo", "demo"]


def test_the_demo_writer_gives_the_same_suggestions_every_time(engine, people, monkeypatch):
    monkeypatch.setenv("STUDIO_PROVIDER", "demo")
    reload_settings()
    first, second = make_draft(engine, people.marketer), make_draft(engine, people.marketer)
    for d in (first, second):
        assert studio("images", "suggest", str(d), "--as", "mara").returncode == 0
    a, b = _rows(engine, first), _rows(engine, second)
    assert [r[1:] for r in a] == [r[1:] for r in b] and all(r[4] == "demo" for r in a)


def test_only_the_author_or_an_editor_may_change_the_images(engine, people, model):
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "suggest", str(draft_id), "--as", "milo")
    assert result.returncode == 1 and "your own drafts" in result.stderr
    in_review = make_draft(engine, people.marketer, status="in_review")
    result = studio("images", "edit", str(in_review), "--alt", "A calendar", "--as", "mara")
    assert result.returncode == 1 and "only an editor can change its publishing fields" in result.stderr
    assert studio("images", "edit", str(in_review), "--alt", "A calendar", "--as", "dana").returncode == 0


def test_the_featured_image_alt_text_is_checked_like_any_other_field(engine, people, model):
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "edit", str(draft_id), "--alt", "The chairman opens the spring planning meeting",
                    "--as", "mara")  # fmt: skip
    assert result.returncode == 0, result.stderr
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = latest_report(s, draft.current_revision_id)
        assert report is not None, "editing the hero's alt text checks the draft again"
        found = [(f.field, f.rule, f.text) for f in report.findings if f.field == "image_alt"]
    assert ("image_alt", "gendered.chairman", "chairman") in found


def test_an_approved_draft_goes_back_to_review_when_its_featured_image_changes(engine, people, model, tmp_path):
    draft_id = make_draft(engine, people.marketer, status="approved")
    assert studio("images", "edit", str(draft_id), "--alt", "A wall calendar", "--as", "dana").returncode == 0
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).status == "in_review"
    with session_scope(engine) as s:
        views = service.list_images(s, draft_id, people.editor)
        assert views[0].alt_text == "A wall calendar" and views[0].source == "person"
