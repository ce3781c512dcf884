"""The critic pass against the local server: the checks and the model critic flag passages, only
those are rewritten, each kept round is a revision with the critic's notes, and it stops when a
round makes nothing better."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.config import reload_settings
from studio.critic.prompts import PASSAGE_HEADER
from studio.critic.service import STOP_CLEAN, STOP_DEMO, STOP_NO_BETTER, CriticPass
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.models import AuditEvent, Draft, Revision
from studio.workspace.service import set_setting
from tests.support import fake_critic
from tests.support.fake_writer import prompt_of

ROOT = Path(__file__).resolve().parents[3]
BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning", tone="friendly", formality=3, temperature=0.7, target_words=300)


@pytest.fixture
def critic_server(fake_openai, monkeypatch):
    fake_openai.reply = fake_critic.reply
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    reload_settings()
    return fake_openai


def _tasks(server, task: str) -> list[str]:
    return [p for p in (prompt_of(r) for r in server.chat_requests) if f"Task: {task}\n" in p + "\n"]


def _changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """Where ``after`` differs from ``before``, as spans of ``before``."""
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    return [(i1, i2) for tag, i1, i2, _, _ in ops if tag != "equal"]


def _revisions(engine, draft_id):
    with session_scope(engine) as s:
        rows = s.scalars(select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)).all()
        return [(r.number, r.reason, r.body, r.note) for r in rows]


def test_the_writer_runs_the_critic_pass_and_only_flagged_passages_are_rewritten(engine, people, critic_server):
    brief = Brief.create(**BRIEF, critic_rounds=2)
    outcome = DraftRun(brief, people.marketer, engine=engine).run()
    critic = outcome.critic
    assert critic is not None and "error" not in critic, critic
    revisions = _revisions(engine, outcome.draft_id)
    assert [r[1] for r in revisions][0] == "generated"
    first = revisions[0][2]
    assert fake_critic.CLAIM_SENTENCE in first  # the planted flaws are there to find

    kept = [r for r in critic["rounds"] if r["kept"]]
    assert kept and all(r[1] == "critic_pass" for r in revisions[1:]) and len(revisions) == 1 + len(kept)
    rewrites = _tasks(critic_server, "critic rewrite")
    assert 1 <= len(rewrites) <= 2
    before = first
    for rnd, (_, _, after, note), prompt in zip(kept, revisions[1:], rewrites):
        flagged = [(p["start"], p["end"]) for p in rnd["passages"]]
        # Every character that changed lies inside a flagged passage; the rest is the same text.
        changes = _changed_spans(before, after)
        assert changes and all(any(s <= a and b <= e for s, e in flagged) for a, b in changes), (changes, flagged)
        # The model was sent the flagged passages and nothing else to rewrite.
        sent = prompt.split("Passage ")[1:]
        assert len(sent) == len(flagged)
        assert all(f'"""\n{before[s:e]}\n"""' in prompt for s, e in flagged)
        assert PASSAGE_HEADER.format(n=1) in prompt
        # The revision carries the critic's notes.
        assert note.startswith(f"Critic pass, round {rnd['round']}") and "Unsupported claims" in note
        before = after
    final = revisions[-1][2]
    assert outcome.text == final and fake_critic.CLAIM_SENTENCE not in final
    assert critic["after"]["findings"] < critic["before"]["findings"]
    assert critic["after"]["total"] > critic["before"]["total"]
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        assert s.get(Revision, draft.current_revision_id).body == final and draft.version == outcome.draft_version
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.critic_pass")).all()
        assert len(events) == len(kept) and events[0].data["before"]["findings"] > events[-1].data["after"]["findings"]


def test_a_round_that_makes_nothing_better_is_not_kept_and_the_pass_stops(engine, people, critic_server):
    critic_server.reply = fake_critic.stubborn_reply
    outcome = DraftRun(Brief.create(**BRIEF, critic_rounds=2), people.marketer, engine=engine).run()
    assert outcome.critic["stopped"] == STOP_NO_BETTER
    assert [r["kept"] for r in outcome.critic["rounds"]] == [False]
    assert len(_tasks(critic_server, "critic rewrite")) == 1  # no second round after one that did not help
    revisions = _revisions(engine, outcome.draft_id)
    assert [r[1] for r in revisions] == ["generated"] and outcome.text == revisions[0][2]


def test_the_workspace_setting_turns_it_on_and_a_brief_can_turn_it_off(engine, people, critic_server):
    with session_scope(engine) as s:
        set_setting(s, people.admin, "studio_critic_rounds", "1")
    on = DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine).run()
    assert on.critic is not None and len(on.critic["rounds"]) == 1
    assert len(_tasks(critic_server, "critic rewrite")) == 1  # at most the workspace's one round
    critic_server.clear_requests()
    off = DraftRun(Brief.create(**BRIEF, critic_rounds=0), people.marketer, engine=engine).run()
    assert off.critic is None and not _tasks(critic_server, "critic")
    assert [r[1] for r in _revisions(engine, off.draft_id)] == ["generated"]


def test_an_unreadable_critic_leaves_the_checks_to_score_and_a_broken_server_keeps_the_draft(engine, people,
                                                                                            critic_server):
    run = DraftRun(Brief.create(**BRIEF, critic_rounds=0), people.marketer, engine=engine)
    written = run.run()
    critic_server.reply = lambda body: "I liked it." if "Task: critic" in str(body) else fake_critic.reply(body)
    outcome = CriticPass(written.draft_id, people.marketer, rounds=2, engine=engine).run()
    assert "could not be read" in outcome.notice
    # The checks alone still score the draft and flag the claim.
    assert outcome.before.findings >= 1 and outcome.rounds and outcome.rounds[0].passages
    critic_server.reply = fake_critic.reply
    critic_server.fail_next("500", times=10)
    failed = DraftRun(Brief.create(**BRIEF, critic_rounds=0), people.marketer, engine=engine)
    critic_server.clear_faults()
    done = failed.run()
    critic_server.fail_next("500", times=10, match="Task: critic rewrite")
    broken = CriticPass(done.draft_id, people.marketer, rounds=2, engine=engine).run()
    assert broken.stopped.startswith("The rewrite failed") and not broken.kept_rounds
    assert [r[1] for r in _revisions(engine, done.draft_id)] == ["generated"]


def test_cli_critic_prints_scores_before_and_after(tmp_path, critic_server):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    env.update(STUDIO_DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}", STUDIO_SECRETS_FILE=str(tmp_path / "x.toml"),
               OPENAI_BASE_URL=critic_server.base_url, STUDIO_MODEL="fake-gpt", HF_HUB_OFFLINE="1")

    def studio(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=180)

    made = studio("generate", "--type", "blog", "--topic", "Planning a content calendar", "--keywords", "planning",
                  "--words", "300", "--critic-rounds", "0", "--json")
    assert made.returncode == 0, made.stderr
    draft_id = json.loads(made.stdout)["draft_id"]
    out = studio("critic", str(draft_id), "--rounds", "1", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data["before"]["scores"]) == {"On brief", "Repetition", "Unsupported claims", "Voice match",
                                             "Reading ease"}
    assert data["after"]["total"] > data["before"]["total"] and data["rounds"][0]["kept"]
    text = studio("critic", str(draft_id), "--rounds", "1")
    assert text.returncode == 0 and "Unsupported claims" in text.stdout and "before" in text.stdout
    bad = studio("generate", "--type", "blog", "--topic", "x", "--critic-rounds", "9")
    assert bad.returncode != 0 and "--critic-rounds" in bad.stderr


def test_an_edit_made_while_the_critic_works_is_kept_and_the_round_is_not_saved(engine, people, critic_server):
    from studio.drafting.service import edit_text

    written = DraftRun(Brief.create(**BRIEF, critic_rounds=0), people.marketer, engine=engine).run()
    edited = written.text + "\nA line the writer added by hand.\n"

    def reply(body):  # the person saves an edit while the rewrite is being written
        if "Task: critic rewrite" in json.dumps(body):
            with session_scope(engine) as s:
                edit_text(s, written.draft_id, people.marketer, edited, None)
        return fake_critic.reply(body)

    critic_server.reply = reply
    outcome = CriticPass(written.draft_id, people.marketer, rounds=2, engine=engine).run()
    assert outcome.stopped.startswith("The round could not be saved") and not outcome.kept_rounds
    revisions = _revisions(engine, written.draft_id)
    assert [r[1] for r in revisions] == ["generated", "edited"] and revisions[-1][2] == edited


def test_with_the_demo_writer_the_checks_score_and_nothing_is_rewritten(engine, people, monkeypatch):
    monkeypatch.setenv("STUDIO_PROVIDER", "demo")
    monkeypatch.setenv("STUDIO_DEMO_WORDS_PER_SECOND", "0")
    reload_settings()
    outcome = DraftRun(Brief.create(**BRIEF, critic_rounds=2), people.marketer, engine=engine).run()
    assert outcome.critic["stopped"] in (STOP_DEMO, STOP_CLEAN) and outcome.critic["before"]["total"] > 0
    assert "No model is connected" in outcome.critic["notice"]
    assert [r[1] for r in _revisions(engine, outcome.draft_id)] == ["generated"]


def test_with_a_brand_voice_its_match_is_scored_and_its_rules_are_followed(engine, people, critic_server):
    from studio.voices.service import create_voice
    from tests.support.grounding import BRAND_SAMPLES

    with session_scope(engine) as s:
        acme = create_voice(s, people.editor, "Acme", BRAND_SAMPLES, rules={"prefer": {"users": "customers"}})

    def reply(body):  # the writer says "users", which the brand voice does not
        text = fake_critic.reply(body)
        if "Task: critic" in json.dumps(body) or "Propose: title" in json.dumps(body):
            return text
        return text.replace(fake_critic.CLAIM_SENTENCE, "Our users plan every week. " + fake_critic.CLAIM_SENTENCE)

    critic_server.reply = reply
    brief = Brief.create(**BRIEF, critic_rounds=2, voice_id=acme.id, use_default_voice=False)
    outcome = DraftRun(brief, people.marketer, engine=engine).run()
    critic = outcome.critic
    assert critic["before"]["scores"]["Voice match"] is not None and critic["after"]["scores"]["Voice match"] is not None
    voice = [p for p in critic["rounds"][0]["passages"] if "Voice match" in p["dimensions"]]
    assert [p["text"] for p in voice] == ["Our users plan every week."]
    assert "Our customers plan every week." in outcome.text and "users" not in outcome.text
