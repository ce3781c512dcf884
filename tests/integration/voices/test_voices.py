"""Brand voices: made from samples, described by the model (the local server), applied in the
prompt as description + rules + excerpts, versioned, checked, scored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.suggestions import apply_suggestion
from studio.drafting.writer import DraftRun
from studio.errors import InputError, PermissionDenied
from studio.models import AuditEvent, Draft, Finding
from studio.checks.service import latest_report
from studio.voices.schemas import Sample
from studio.voices.service import create_voice, list_voices, set_default_voice, update_voice
from tests.support.grounding import BRAND_SAMPLES, author_samples, cli, point_at

DESCRIPTION = ("Write short, warm sentences to the reader as “you”, speaking as “we”. Use contractions. "
               "End with a friendly nudge to act.")


def _reply(body: dict) -> str:
    system = body["messages"][0]["content"]
    if "senior brand editor" in system:
        return DESCRIPTION
    return ("# Plan your quarter in an afternoon\n\nYou'll see every campaign on one page. Our users love it, "
            "and we're proud of it. It's fast, simple, and secure.\n")


@pytest.fixture
def settings(fake_openai, monkeypatch):
    fake_openai.reply = _reply
    return point_at(fake_openai, monkeypatch)


def last_prompt(server) -> str:
    """The system message of the last writing request (the field proposals run in the background)."""
    return [r for r in server.chat_requests if r.stream][-1].json["messages"][0]["content"]


def _voice(engine, people, settings, **kw):
    with session_scope(engine) as s:
        return create_voice(s, people.editor, kw.pop("name", "Acme"), kw.pop("samples", BRAND_SAMPLES),
                            rules={"prefer": {"users": "customers"}, "avoid": ["synergy"], **kw.pop("rules", {})},
                            settings=settings, **kw)  # fmt: skip


def test_a_voice_is_measured_from_its_samples_and_described_by_the_model(engine, people, fake_openai, settings):
    voice = _voice(engine, people, settings)
    p = voice.profile
    assert 4 <= p["sentence_length_mean"] <= 12 and p["sentence_length_sd"] is not None
    assert p["contractions_share"] >= 0.7 and p["person"]["we"] > 0 and p["person"]["you"] > 0
    assert p["question_rate"] > 0 and p["reading_ease"] > 60
    assert voice.rules["oxford_comma"] is True and voice.rules["headline_case"] == "sentence"
    assert voice.rules["prefer"] == {"users": "customers"} and voice.rules["avoid"] == ["synergy"]
    # The model wrote the description from the samples and the measurements.
    asked = fake_openai.chat_requests[-1].json["messages"]
    assert "Write short, warm sentences" in voice.description and "Written by fake-gpt" in voice.note
    assert "We built it for busy teams" in asked[1]["content"] and "Sentences average" in asked[1]["content"]
    assert 2 <= len(voice.excerpts) <= 3
    assert all(any(e.split(".")[0] in s.text for s in BRAND_SAMPLES) for e in voice.excerpts)
    with session_scope(engine) as s:
        assert [v.name for v in list_voices(s, people.marketer)] == ["Acme"]
        assert list_voices(s, people.marketer)[0].is_default  # the first voice is the default


def test_only_editors_and_admins_make_voices_and_three_to_ten_samples_are_needed(engine, people, settings):
    with pytest.raises(PermissionDenied, match="Only editors and admins can create and edit brand voices"):
        with session_scope(engine) as s:
            create_voice(s, people.marketer, "Mine", BRAND_SAMPLES, settings=settings)
    for samples, message in [(BRAND_SAMPLES[:2], "3 to 10 samples; 2 given"),
                             (BRAND_SAMPLES * 4, "3 to 10 samples; 12 given"),
                             ([*BRAND_SAMPLES[:2], Sample("tiny.txt", "Too short.")], "“tiny.txt” has 2 words")]:
        with pytest.raises(InputError, match=message):
            with session_scope(engine) as s:
                create_voice(s, people.editor, "Acme", samples, settings=settings)


def test_the_prompt_carries_the_description_rules_and_excerpts_not_a_label(engine, people, fake_openai, settings):
    voice = _voice(engine, people, settings)
    fake_openai.clear_requests()
    run = DraftRun(Brief.create(content_type="blog", topic="Quarterly planning"), people.marketer, engine=engine,
                   settings=settings)  # the workspace default: Acme
    run.run()
    system = last_prompt(fake_openai)
    assert voice.description in system
    assert "write “customers”, not “users”" in system and "“synergy”" in system
    assert "use the Oxford comma" in system and "sentence case" in system
    for excerpt in voice.excerpts:
        assert f"«{excerpt}»" in system
    assert "Voice: professional" not in system  # the preset tone is replaced, not added
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert (draft.voice_id, draft.voice_version) == (voice.id, 1)
    match = run.outcome.voice_match
    assert 0 <= match["score"] <= 1 and {f["name"] for f in match["features"]} >= {"sentence_length", "person"}
    length = next(f for f in match["features"] if f["name"] == "sentence_length")
    assert length["explanation"].startswith("Sentences ") and "the voice" in length["explanation"]


def test_the_default_voice_is_used_unless_the_brief_opts_out(engine, people, fake_openai, settings):
    acme = _voice(engine, people, settings)
    austen = _voice(engine, people, settings, name="Austen", samples=author_samples("austen"), rules={})
    with session_scope(engine) as s:
        set_default_voice(s, people.admin, austen.id)
    run = DraftRun(Brief.create(content_type="blog", topic="x"), people.marketer, engine=engine, settings=settings)
    run.run()
    assert "Brand voice “Austen”" in last_prompt(fake_openai)
    run = DraftRun(Brief.create(content_type="blog", topic="x", voice_id=acme.id), people.marketer, engine=engine,
                   settings=settings)
    run.run()
    assert "Brand voice “Acme”" in last_prompt(fake_openai)
    run = DraftRun(Brief.create(content_type="blog", topic="x", use_default_voice=False), people.marketer,
                   engine=engine, settings=settings)
    run.run()
    system = last_prompt(fake_openai)
    assert "Brand voice" not in system and "Voice: professional" in system
    assert run.outcome.voice_match is None


def test_editing_a_voice_makes_a_version_and_drafts_keep_the_one_they_used(engine, people, fake_openai, settings):
    voice = _voice(engine, people, settings)
    first = DraftRun(Brief.create(content_type="blog", topic="x"), people.marketer, engine=engine, settings=settings)
    first.run()
    with session_scope(engine) as s:
        edited = update_voice(s, people.editor, voice.id, expected_version=1,
                              description="Write like a calm librarian.", note="calmer")
    assert edited.version == 2
    with pytest.raises(Exception, match="changed since you opened it"):
        with session_scope(engine) as s:
            update_voice(s, people.editor, voice.id, expected_version=1, description="Something else.")
    second = DraftRun(Brief.create(content_type="blog", topic="x"), people.marketer, engine=engine, settings=settings)
    second.run()
    assert "calm librarian" in last_prompt(fake_openai)
    with session_scope(engine) as s:
        assert s.get(Draft, first.outcome.draft_id).voice_version == 1
        assert s.get(Draft, second.outcome.draft_id).voice_version == 2
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("voice.%"))).all()
    assert events == ["voice.created", "voice.edited"]


def test_prefer_and_avoid_terms_are_findings_with_the_preferred_term_to_apply(engine, people, fake_openai, settings):
    _voice(engine, people, settings)
    run = DraftRun(Brief.create(content_type="blog", topic="Planning"), people.marketer, engine=engine,
                   settings=settings)
    run.run()
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        report = latest_report(s, draft.current_revision_id)
        voice = [f for f in report.findings if f.category == "voice"]
        assert [(f.label, f.text, f.suggestions) for f in voice] == [("preferred term", "users", ["customers"])]
        assert any(b["name"] == "voice-rules" and b["status"] == "ran" for b in report.backends)
        finding_id, version = voice[0].id, draft.version
    with session_scope(engine) as s:
        apply_suggestion(s, run.outcome.draft_id, people.marketer, finding_id, "customers", version)
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert "Our customers love it" in draft.current_revision.body
        report = latest_report(s, draft.current_revision_id)
        assert not s.scalars(select(Finding).where(Finding.report_id == report.id, Finding.category == "voice")).all()


def test_voices_add_json_has_id_profile_and_rules(db_url, people, tmp_path, fake_openai):
    for sample in BRAND_SAMPLES:
        (tmp_path / sample.name).write_text(sample.text, encoding="utf-8")
    fake_openai.reply = DESCRIPTION
    args = ["voices", "add", "Acme", *[x for s in BRAND_SAMPLES for x in ("--sample", str(tmp_path / s.name))],
            "--prefer", "users=customers", "--as", "dana", "--json"]
    result = cli(db_url, *args, OPENAI_BASE_URL=fake_openai.base_url)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert isinstance(out["id"], int) and out["rules"]["prefer"] == {"users": "customers"}
    assert {"sentence_length_mean", "sentence_length_sd", "reading_ease", "contractions_share", "person",
            "question_rate", "go_to_words", "go_to_phrases"} <= set(out["profile"])
    assert out["description"] == DESCRIPTION
    bad = cli(db_url, "voices", "add", "Two", "--sample", str(tmp_path / BRAND_SAMPLES[0].name), "--as", "dana")
    assert bad.returncode == 1 and "3 to 10 samples" in bad.stderr
    refused = cli(db_url, *args[:-3], "--as", "mara")
    assert refused.returncode == 1 and "Only editors and admins" in refused.stderr
