"""The writer through the real langchain-openai/openai clients against the local server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.providers import ProviderConfigError
from studio.drafting.writer import DraftRun
from studio.models import Draft, Generation, Revision

BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning, SEO", tone="friendly", formality=4, temperature=1.1, target_words=300)


@pytest.fixture
def server_settings(fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_REQUEST_TIMEOUT", "1.5")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "2")
    return reload_settings()


def _run(engine, people, settings, **kw):
    run = DraftRun(Brief.create(**{**BRIEF, **kw.pop("brief", {})}), people.marketer, engine=engine,
                   settings=settings, **kw)
    shown = "".join(run.stream())
    return run, shown


def _saved(engine, draft_id):
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        revisions = s.scalars(select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)).all()
        gens = s.scalars(select(Generation).where(Generation.draft_id == draft_id).order_by(Generation.id)).all()
        return draft, revisions, gens


def test_streamed_text_is_saved_exactly_with_the_generation_record(engine, people, fake_openai, server_settings):
    fake_openai.reply_words = 250
    run, shown = _run(engine, people, server_settings)
    assert run.outcome.error is None
    draft, revisions, gens = _saved(engine, run.outcome.draft_id)
    assert revisions[-1].body == shown and len(shown.split()) >= 200
    assert draft.topic == BRIEF["topic"] and draft.keywords == ["planning", "SEO"]
    assert draft.formality == 4 and draft.temperature == 1.1 and not draft.incomplete
    assert draft.title  # taken from the first heading
    g = gens[-1]
    assert g.provider == "openai" and g.model == "fake-gpt"
    # The parameters recorded are what went over the wire.
    sent = [r for r in fake_openai.chat_requests if r.stream][-1].json
    assert g.parameters["temperature"] == sent["temperature"] == 1.1
    assert g.parameters["stream"] is True and "messages" not in g.parameters
    assert [m["role"] for m in g.prompt_messages] == ["system", "user"]
    assert g.prompt_tokens and g.completion_tokens and g.total_tokens == g.prompt_tokens + g.completion_tokens
    assert g.time_to_first_token_ms is not None and g.total_time_ms >= g.time_to_first_token_ms
    assert g.error is None


def test_reasoning_model_gets_no_temperature(engine, people, fake_openai, server_settings):
    run, _ = _run(engine, people, server_settings, model="o3-mini")
    assert not [r for r in fake_openai.chat_requests if r.stream][-1].temperature_sent
    _, _, gens = _saved(engine, run.outcome.draft_id)
    assert "temperature" not in gens[-1].parameters
    assert run.outcome.temperature is None


def test_rate_limit_with_retry_after_is_retried_and_succeeds(engine, people, fake_openai, server_settings):
    fake_openai.fail_next("429", retry_after=0.2)
    run, shown = _run(engine, people, server_settings)
    assert run.outcome.error is None and shown
    assert len([r for r in fake_openai.chat_requests if r.stream]) == 2


def test_server_error_is_retried(engine, people, fake_openai, server_settings):
    fake_openai.fail_next("500")
    run, shown = _run(engine, people, server_settings)
    assert run.outcome.error is None and shown


@pytest.mark.parametrize(
    "fault,kw,message",
    [
        ("429", {"retry_after": 0.05, "times": 5}, "limiting requests"),
        ("500", {"times": 5}, "HTTP 500"),
        ("401", {}, "rejected the API key"),
        ("timeout", {"seconds": 3, "times": 5}, "did not answer in time"),
        ("malformed", {"times": 5}, "could not read"),
    ],
)
def test_failures_keep_the_brief_and_say_what_happened(engine, people, fake_openai, server_settings, fault, kw, message):
    fake_openai.fail_next(fault, **kw)
    run, shown = _run(engine, people, server_settings)
    assert message in run.outcome.error
    draft, revisions, gens = _saved(engine, run.outcome.draft_id)
    assert draft.incomplete and draft.topic == BRIEF["topic"] and message in draft.last_error
    assert gens[-1].error == run.outcome.error
    # Whatever was shown is what was kept (nothing, or the partial text).
    assert (revisions[-1].body if revisions else "") == shown


def test_connection_dropped_mid_stream_keeps_the_partial_text(engine, people, fake_openai, server_settings):
    fake_openai.fail_next("drop", after_chunks=5)
    run, shown = _run(engine, people, server_settings)
    assert shown and "dropped" in run.outcome.error
    draft, revisions, _ = _saved(engine, run.outcome.draft_id)
    assert draft.incomplete and revisions[-1].body == shown and revisions[-1].reason == "partial"


def test_error_event_mid_stream_keeps_the_partial_text_and_says_what_the_server_said(engine, people, fake_openai, server_settings):
    fake_openai.fail_next("error_event", after_chunks=4, message="The model is overloaded")
    run, shown = _run(engine, people, server_settings)
    assert shown and "stopped with an error while writing" in run.outcome.error
    assert "The model is overloaded" in run.outcome.error
    draft, revisions, _ = _saved(engine, run.outcome.draft_id)
    assert draft.incomplete and revisions[-1].body == shown and revisions[-1].reason == "partial"


def test_retry_after_a_failure_completes_the_same_draft(engine, people, fake_openai, server_settings):
    fake_openai.fail_next("drop", after_chunks=3)
    first, _ = _run(engine, people, server_settings)
    assert first.outcome.incomplete
    second, shown = _run(engine, people, server_settings, draft_id=first.outcome.draft_id)
    assert second.outcome.draft_id == first.outcome.draft_id and second.outcome.error is None
    draft, revisions, gens = _saved(engine, first.outcome.draft_id)
    assert not draft.incomplete and draft.last_error is None
    assert [r.reason for r in revisions] == ["partial", "generated"] and revisions[-1].body == shown
    assert len(gens) == 2


def test_unreachable_server_is_a_clear_message(engine, people, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    settings = reload_settings()
    run, shown = _run(engine, people, settings)
    assert "Could not reach the AI server at http://127.0.0.1:9/v1" in run.outcome.error
    assert shown == ""


def test_openai_without_key_makes_no_call_and_saves_nothing(engine, people):
    with pytest.raises(ProviderConfigError):
        DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine, provider="openai")
    with session_scope(engine) as s:
        assert s.scalars(select(Draft)).all() == []


def test_interrupted_run_saves_what_was_shown(engine, people, fake_openai, server_settings):
    fake_openai.chunk_chars = 5
    run = DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine, settings=server_settings)
    stream = run.stream()
    shown = "".join(next(stream) for _ in range(4))
    stream.close()  # what happens when the person stops the run or leaves the page
    assert run.outcome.incomplete and "interrupted" in run.outcome.error
    _, revisions, _ = _saved(engine, run.outcome.draft_id)
    assert revisions[-1].body == shown


def test_demo_writer_saves_and_labels_itself(engine, people):
    run = DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine, seed=5)
    shown = "".join(run.stream())
    assert run.outcome.provider_label == "Demo writer: no AI model configured"
    _, revisions, gens = _saved(engine, run.outcome.draft_id)
    assert revisions[-1].body == shown
    assert gens[-1].provider == "demo" and gens[-1].parameters["seed"] == 5


PROPOSAL = ('{"title": "Plan a content calendar", "slug": "plan-a-content-calendar", '
            '"excerpt": "A calendar keeps a small team publishing.", '
            '"meta_description": "How small teams plan a content calendar that lasts.", '
            '"tags": ["planning", "calendar"], "categories": ["Guides"]}')
ARTICLE = "# Planning a content calendar\n\nSmall teams publish more when they plan ahead.\n"


def _replies(body):
    return ARTICLE if body.get("stream") else PROPOSAL


def test_fields_are_derived_at_once_and_refined_by_the_model_in_the_background(engine, people, fake_openai, server_settings):
    import threading

    gate = threading.Event()  # the model's proposal takes its time

    def replies(body):
        if not body.get("stream"):
            gate.wait(10)
        return _replies(body)

    fake_openai.reply = replies
    run, shown = _run(engine, people, server_settings)
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert draft.slug and draft.excerpt.startswith("Small teams publish")  # derived from the text
        version_at_save = draft.version
    gate.set()
    run.wait_for_fields(10)
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert draft.excerpt == "A calendar keeps a small team publishing."
        assert draft.meta_description == "How small teams plan a content calendar that lasts."
        assert draft.tags == ["planning", "calendar"] and draft.categories == ["Guides"]
        assert draft.version == version_at_save  # nobody's next action meets a conflict


def test_the_fields_are_asked_for_while_the_text_is_checked_and_applied_after_it(engine, people, fake_openai,
                                                                               server_settings, monkeypatch):  # fmt: skip
    import threading

    from studio.checks import service as checks

    asked = threading.Event()

    def replies(body):
        if not body.get("stream"):
            asked.set()
        return _replies(body)

    seen_by_the_first_check: list[bool] = []
    check_text = checks.check_text

    def slow_check(*args, **kwargs):
        if not seen_by_the_first_check:
            # The model's proposal is already on its way while the saved text is checked.
            seen_by_the_first_check.append(asked.wait(5))
        return check_text(*args, **kwargs)

    monkeypatch.setattr(checks, "check_text", slow_check)
    fake_openai.reply = replies
    run, _ = _run(engine, people, server_settings)
    run.wait_for_fields(10)
    assert seen_by_the_first_check == [True]
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert draft.excerpt == "A calendar keeps a small team publishing."
        # Two reports on the one revision: the text's check, then the proposal's (the latest counts).
        from studio.models import CheckReport

        reports = s.scalars(select(CheckReport).where(CheckReport.revision_id == draft.current_revision_id)).all()
        assert len(reports) == 2


def test_the_background_proposal_never_overwrites_a_persons_edit(engine, people, fake_openai, server_settings):
    import threading

    from studio.publishing.service import update_publishing

    gate = threading.Event()

    def slow_proposal(body):
        if body.get("stream"):
            return ARTICLE
        gate.wait(10)
        return PROPOSAL

    fake_openai.reply = slow_proposal
    run, _ = _run(engine, people, server_settings)
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        update_publishing(s, draft.id, people.marketer, {"excerpt": "Written by Mara herself."}, draft.version)
    gate.set()
    run.wait_for_fields(10)
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert draft.excerpt == "Written by Mara herself."
        assert draft.categories == ["Guides"]  # untouched fields still take the proposal


def test_a_dropped_regeneration_leaves_the_draft_as_it_was_and_keeps_the_fragment(engine, people, fake_openai, server_settings):
    from studio.drafting.detail import draft_detail
    from studio.drafting.service import restore_attempt

    fake_openai.reply = _replies
    good, shown = _run(engine, people, server_settings)
    good.wait_for_fields(10)
    draft, revisions, _ = _saved(engine, good.outcome.draft_id)
    before = (draft.version, draft.title, draft.excerpt, draft.check_verdict, draft.topic)
    fake_openai.reply = None
    fake_openai.fail_next("drop", after_chunks=4)
    again, fragment = _run(engine, people, server_settings, draft_id=good.outcome.draft_id,
                           brief={"topic": "Something else entirely"})  # fmt: skip
    assert again.outcome.error and "dropped" in again.outcome.error
    assert again.outcome.kept_revision == 1 and again.outcome.attempt_id is not None
    assert fragment and fragment != shown
    draft, revisions, gens = _saved(engine, good.outcome.draft_id)
    assert [r.reason for r in revisions] == ["generated"] and revisions[0].body == shown
    assert not draft.incomplete and draft.last_error is None
    assert (draft.version, draft.title, draft.excerpt, draft.check_verdict, draft.topic) == before
    with session_scope(engine) as s:
        attempt = s.get(Generation, again.outcome.attempt_id)
        assert attempt.attempt_text == fragment and attempt.error == again.outcome.error
        view = draft_detail(s, draft.id, people.marketer)
        assert [g.attempt_text for g in view.generations if g.attempt_text] == [fragment]

    # The person may still take the fragment: a new revision, marked incomplete.
    with session_scope(engine) as s:
        saved = restore_attempt(s, draft.id, people.marketer, again.outcome.attempt_id, draft.version)
    draft, revisions, _ = _saved(engine, good.outcome.draft_id)
    assert saved.number == 2 and revisions[-1].body == fragment and revisions[-1].reason == "restored_attempt"
    assert draft.incomplete and draft.last_error == again.outcome.error


def test_a_stopped_regeneration_also_keeps_the_text(engine, people, fake_openai, server_settings):
    good, shown = _run(engine, people, server_settings)
    fake_openai.chunk_chars = 5
    run = DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine, settings=server_settings,
                   draft_id=good.outcome.draft_id)  # fmt: skip
    stream = run.stream()
    "".join(next(stream) for _ in range(3))
    stream.close()
    assert run.outcome.kept_revision == 1 and "interrupted" in run.outcome.error
    draft, revisions, _ = _saved(engine, good.outcome.draft_id)
    assert [r.body for r in revisions] == [shown] and not draft.incomplete


def test_a_regeneration_saves_its_text_so_far_as_an_attempt_never_over_the_current_text(
    engine, people, fake_openai, server_settings
):
    """What a run killed mid-regeneration (SIGKILL, a crashed server) leaves behind: the draft's
    complete text and brief as they were, and the text so far on the run's Generation record."""
    from studio.drafting.saver import IN_PROGRESS

    good, shown = _run(engine, people, server_settings)
    good.wait_for_fields(10)
    draft, _, _ = _saved(engine, good.outcome.draft_id)
    before = (draft.version, draft.current_revision_id, draft.topic)
    fake_openai.chunk_chars = 5
    run = DraftRun(Brief.create(**{**BRIEF, "topic": "Another angle"}), people.marketer, engine=engine,
                   settings=server_settings, draft_id=good.outcome.draft_id)  # fmt: skip
    stream = run.stream()
    try:
        so_far = "".join(next(stream) for _ in range(4))
        run.saver.stop(flush=True)  # the saves a killed run would have made by now
        draft, revisions, gens = _saved(engine, good.outcome.draft_id)
        assert (draft.version, draft.current_revision_id, draft.topic) == before
        assert not draft.incomplete and [r.body for r in revisions] == [shown]
        with session_scope(engine) as s:
            attempt = s.get(Generation, gens[-1].id)
            assert attempt.attempt_text == so_far and attempt.error == IN_PROGRESS
    finally:
        stream.close()
