"""Variants side by side and revise by instruction, against the local server that records every
request."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.errors import InputError
from studio.models import Draft, DraftAlternative, ReviseTurn, Revision
from studio.writing.revise import RECENT_HEADER, SUMMARY_HEADER, ReviseRun, undo_turn
from studio.writing.service import alternatives, turns
from studio.writing.variants import VariantsRun, keep_alternative, parse_temperatures
from tests.support.fake_writer import prompt_of

BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning", tone="friendly", formality=3, temperature=0.8, target_words=300)






def test_variants_are_written_concurrently_at_their_temperatures_and_the_first_is_kept(engine, people, writer_server):
    writer_server.first_token_delay = 0.3
    run = VariantsRun(Brief.create(**BRIEF), people.marketer, "0.3,0.9,1.3", engine=engine)
    seen = [position for position, _ in run.stream()]
    outcome = run.outcome
    streamed = [r for r in writer_server.chat_requests if r.stream]
    assert sorted(r.temperature for r in streamed) == [0.3, 0.9, 1.3]
    # All three were in flight together: each request arrived before any had finished.
    assert max(r.time for r in streamed) - min(r.time for r in streamed) < 0.3
    assert set(seen) == {0, 1, 2}
    texts = [v.text for v in outcome.variants]
    assert len(set(texts)) == 3 and all(v.words > 100 for v in outcome.variants)
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        assert s.get(Revision, draft.current_revision_id).body == texts[0]
        alts = alternatives(s, draft.id, people.marketer)
    assert [a.temperature for a in alts] == [0.3, 0.9, 1.3] and [a.kept for a in alts] == [True, False, False]
    assert all(a.reading_ease is not None and a.words == len(a.body.split()) for a in alts)


def test_keep_another_variant_and_restore_the_first(engine, people, writer_server):
    outcome = VariantsRun(Brief.create(**BRIEF), people.marketer, [0.3, 1.3], engine=engine, keep=1).run()
    assert outcome.kept == 1
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        assert s.get(Revision, draft.current_revision_id).body == outcome.variants[1].text
        first = s.scalars(select(DraftAlternative).where(DraftAlternative.position == 0)).one()
        number = keep_alternative(s, draft.id, people.marketer, first.id, draft.version)
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        rev = s.get(Revision, draft.current_revision_id)
        assert rev.number == number and rev.body == outcome.variants[0].text and rev.reason == "variant_kept"
        assert [a.kept for a in alternatives(s, draft.id, people.marketer)] == [True, False]


def test_headline_variants_for_a_draft_replace_only_the_headline(engine, people, writer_server):
    draft_run = DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine)
    draft_run.run()
    body = draft_run.outcome.text
    writer_server.clear_requests()
    outcome = VariantsRun(Brief.create(**BRIEF), people.marketer, "0.2,1.0", kind="headline",
                          draft_id=draft_run.outcome.draft_id, engine=engine).run()
    assert all(not r.stream for r in writer_server.chat_requests)  # cheap: two short answers
    assert [v.text for v in outcome.variants] == ["Headline at 0.2: Planning a content calendar",
                                                  "Headline at 1.0: Planning a content calendar"]
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        alt = s.scalars(select(DraftAlternative).where(DraftAlternative.position == 1)).one()
        keep_alternative(s, draft.id, people.marketer, alt.id, draft.version)
    with session_scope(engine) as s:
        new = s.get(Revision, s.get(Draft, outcome.draft_id).current_revision_id).body
    assert new.startswith("# Headline at 1.0: Planning a content calendar\n")
    assert new.split("\n", 1)[1] == body.split("\n", 1)[1]


def test_a_reasoning_model_varies_by_approach_and_says_so(engine, people, writer_server):
    run = VariantsRun(Brief.create(**BRIEF), people.marketer, "0.3,0.9,1.3", engine=engine, model="o3-mini")
    outcome = run.run()
    assert "takes no temperature" in outcome.notice
    requests = [r for r in writer_server.chat_requests if r.stream]
    assert not any(r.temperature_sent for r in requests)
    approaches = {prompt_of(r).rsplit("Approach: ", 1)[1] for r in requests}
    assert len(approaches) == 3
    assert all(v.temperature is None and v.approach for v in outcome.variants)


def test_bad_temperatures_are_refused_by_name():
    for bad in ("0.3", "0.1,0.2,0.3,0.4,0.5", "0.3,abc", "0.3,2.5"):
        with pytest.raises(InputError) as exc:
            parse_temperatures(bad)
        assert "variants" in exc.value.problems


RULE = "From now on, always say 'customers', never 'users'."


def _draft(engine, people, text):
    from studio.drafting.service import add_revision, create_draft

    with session_scope(engine) as s:
        from studio.models import User

        author = s.get(User, people.marketer.id)
        draft = create_draft(s, Brief.create(**BRIEF), author)
        add_revision(s, draft, text, author, "generated")
        return draft.id


TEXT = ("# Planning for small teams\n\nOur users plan every week.\n\n## Part one\n\nThe calendar helps users.\n\n"
        "## Part two\n\nA second part for users.\n")


def test_fifty_revise_turns_stay_within_budget_and_the_first_turns_rule_still_holds(engine, people, writer_server, monkeypatch):
    monkeypatch.setenv("STUDIO_CONTEXT_BUDGET_TOKENS", "300")
    settings = reload_settings()
    draft_id = _draft(engine, people, TEXT)
    first = ReviseRun(draft_id, people.marketer, RULE, engine=engine, settings=settings).run()
    assert first is not None and "users" not in first.text and first.text.count("customers") == 3
    tokens = [first.prompt_tokens]
    for n in range(2, 50):
        instruction = f"add a note on week {n}" if n % 2 == 0 else "cut it to 30 words"
        result = ReviseRun(draft_id, people.marketer, instruction, section=1, engine=engine, settings=settings).run()
        assert result is not None, n
        tokens.append(result.prompt_tokens)
    last = ReviseRun(draft_id, people.marketer, "add a line for users of the webinar", section=2, engine=engine,
                     settings=settings).run()
    tokens.append(last.prompt_tokens)
    # The rule from turn 1 reached turn 50's prompt through the summary, and was followed.
    prompt = prompt_of(writer_server.chat_requests[-1])
    assert SUMMARY_HEADER in prompt and "always say 'customers', never 'users'" in prompt.split(RECENT_HEADER)[0]
    assert "Turn 1:" not in prompt and "Turn 47:" in prompt  # only the last few turns word for word
    assert "Line for customers of the webinar." in last.text and "users" not in last.text
    # Bounded: the prompt at turn 50 is no bigger than at turn 10; the memory within its budget.
    assert max(tokens[40:]) <= max(tokens[5:15]) + 10
    memory = prompt.split("Task: revise\n\n", 1)[1].split('Text to revise', 1)[0]
    from studio.writing.budget import budget_for

    assert budget_for(settings, "fake-gpt").count(memory) <= 300
    with session_scope(engine) as s:
        rows = s.scalars(select(ReviseTurn).where(ReviseTurn.draft_id == draft_id)).all()
        assert len(rows) == 50 and all(r.error is None and r.revision_after for r in rows)


def test_each_turn_is_a_revision_with_undo(engine, people, writer_server):
    draft_id = _draft(engine, people, TEXT)
    result = ReviseRun(draft_id, people.marketer, "make it punchier", engine=engine).run()
    assert result.before == TEXT and result.text.startswith("Here's the thing: ")
    with session_scope(engine) as s:
        history = turns(s, draft_id, people.marketer)
        assert history[0].instruction == "make it punchier" and history[0].reply.startswith("Here's the thing")
        assert (history[0].revision_before, history[0].revision_after) == (1, 2)
        version = s.get(Draft, draft_id).version
        number = undo_turn(s, draft_id, people.marketer, 1, version)
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert s.get(Revision, draft.current_revision_id).body == TEXT and number == 3
        assert turns(s, draft_id, people.marketer)[0].undone


def test_revise_one_section_leaves_the_rest(engine, people, writer_server):
    draft_id = _draft(engine, people, TEXT)
    result = ReviseRun(draft_id, people.marketer, "cut it to 3 words", section=2, engine=engine).run()
    assert result.text == TEXT.replace("A second part for users.", "A second part")
    with pytest.raises(InputError, match="no section 7"):
        ReviseRun(draft_id, people.marketer, "shorter", section=7, engine=engine)


def test_a_failed_turn_changes_nothing_and_says_why(engine, people, writer_server):
    draft_id = _draft(engine, people, TEXT)
    writer_server.fail_next("500", times=3)
    run = ReviseRun(draft_id, people.marketer, "make it punchier", engine=engine)
    assert run.run() is None and "HTTP 500" in run.error
    with session_scope(engine) as s:
        assert s.get(Revision, s.get(Draft, draft_id).current_revision_id).number == 1
        assert turns(s, draft_id, people.marketer)[0].error == run.error


def test_another_marketer_cannot_revise_my_draft(engine, people, writer_server):
    from studio.errors import PermissionDenied

    draft_id = _draft(engine, people, TEXT)
    with pytest.raises(PermissionDenied):
        ReviseRun(draft_id, people.marketer2, "shorter", engine=engine)


def test_concurrent_variants_share_one_http_client_safely(engine, people, writer_server):
    errors = []

    def go():
        try:
            VariantsRun(Brief.create(**BRIEF), people.marketer, "0.3,1.0", engine=engine).run()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_headline_variants_for_someone_elses_draft_are_refused_before_any_call(engine, people, writer_server):
    from studio.errors import PermissionDenied

    draft_id = _draft(engine, people, TEXT)
    writer_server.clear_requests()
    with pytest.raises(PermissionDenied):
        VariantsRun(Brief.create(**BRIEF), people.marketer2, "0.3,0.9", kind="headline", draft_id=draft_id, engine=engine)
    assert writer_server.chat_requests == []
