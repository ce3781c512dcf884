"""Every way of writing carries the brand voice and the source passages: long-form (outline,
sections, summaries), a section written again, variants of the whole piece, headline and
introduction variants, and revise turns; the last four with the context the draft was written
with, not whatever the workspace's default is by then."""

from __future__ import annotations

import pytest

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.models import Draft
from studio.sources.service import add_source, draft_passages
from studio.voices.service import create_voice, set_default_voice
from studio.writing.longform import LongformRun
from studio.writing.revise import ReviseRun
from studio.writing.variants import VariantsRun
from tests.support.grounding import BRAND_SAMPLES, FACT_SHEET, author_samples

BRIEF = dict(content_type="blog", topic="Planning with Acme Planner", audience="small teams",
             keywords="planning", tone="friendly", target_words=600)  # fmt: skip

ACME = "Write short, warm sentences to the reader as “you”, speaking as “we”."
OTHER = "Long, formal periods in the third person, as a nineteenth-century novelist wrote."
PASSAGE = "[S1] (Acme Planner 3.0 fact sheet): Acme Planner 3.0 fact sheet: Acme Planner 3.0 launched"


@pytest.fixture
def grounded(engine, people, writer_server):  # type: ignore[no-untyped-def]
    """The Acme voice (the workspace default) and a fact sheet; the brief searches the sources."""
    with session_scope(engine) as s:
        acme = create_voice(s, people.editor, "Acme", BRAND_SAMPLES, description=ACME,
                            rules={"prefer": {"users": "customers"}})  # fmt: skip
        source = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
    return acme, source


def system_prompts(server) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.json["messages"][0]["content"] for r in server.chat_requests]


def assert_every_prompt_carries_acme_and_the_fact_sheet(server) -> None:  # type: ignore[no-untyped-def]
    prompts = system_prompts(server)
    assert prompts
    for system in prompts:
        assert ACME in system and "write “customers”, not “users”" in system
        assert PASSAGE in system and "cite it right after the fact" in system
        assert OTHER not in system and "Voice: friendly" not in system


def make_other_voice_the_default(engine, people) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        other = create_voice(s, people.editor, "Novelist", author_samples("austen"), description=OTHER)
        set_default_voice(s, people.admin, other.id)


def test_long_form_and_a_section_written_again_carry_the_voice_and_the_passages(engine, people, writer_server,
                                                                                grounded):  # fmt: skip
    acme, source = grounded
    writer_server.clear_requests()
    run = LongformRun(Brief.create(**BRIEF, search_sources=True), people.marketer, engine=engine)
    outcome = run.run()
    assert outcome.error is None and not outcome.incomplete
    assert_every_prompt_carries_acme_and_the_fact_sheet(writer_server)  # outline, sections, summaries
    with session_scope(engine) as s:
        draft = s.get(Draft, run.draft_id)
        assert (draft.voice_id, draft.search_sources) == (acme.id, True)
        # Kept with the draft: the claim ledger and the export's footnotes read them.
        assert [(p.label, p.source_id) for p in draft_passages(s, draft.id)] == [("S1", source.id)]

    make_other_voice_the_default(engine, people)
    writer_server.clear_requests()
    # A brief as a script might pass it, without the draft's voice or sources: the draft's win.
    again = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine, draft_id=run.draft_id)
    list(again.write(only=2))
    assert again.outcome.error is None
    assert_every_prompt_carries_acme_and_the_fact_sheet(writer_server)


def test_variants_of_the_piece_and_of_its_headline_carry_the_voice_and_the_passages(engine, people, writer_server,
                                                                                    grounded):  # fmt: skip
    _, source = grounded
    writer_server.clear_requests()
    outcome = VariantsRun(Brief.create(**BRIEF, source_ids=[source.id]), people.marketer, "0.3,0.9",
                          engine=engine).run()  # fmt: skip
    assert len([r for r in writer_server.chat_requests if r.stream]) == 2
    assert_every_prompt_carries_acme_and_the_fact_sheet(writer_server)
    with session_scope(engine) as s:
        assert [p.label for p in draft_passages(s, outcome.draft_id)] == ["S1"]

    make_other_voice_the_default(engine, people)
    for kind in ("headline", "intro"):
        writer_server.clear_requests()
        VariantsRun(Brief.create(**BRIEF), people.marketer, "0.2,1.0", kind=kind, draft_id=outcome.draft_id,
                    engine=engine).run()  # fmt: skip
        assert len(writer_server.chat_requests) == 2, kind
        assert_every_prompt_carries_acme_and_the_fact_sheet(writer_server)


def test_a_revise_turn_carries_the_voice_and_the_passages_the_draft_was_written_with(engine, people, writer_server,
                                                                                     grounded):  # fmt: skip
    run = LongformRun(Brief.create(**BRIEF, search_sources=True), people.marketer, engine=engine)
    run.run()
    make_other_voice_the_default(engine, people)
    writer_server.clear_requests()
    result = ReviseRun(run.draft_id, people.marketer, "make the introduction punchier", section=0,
                       engine=engine).run()  # fmt: skip
    assert result is not None
    assert_every_prompt_carries_acme_and_the_fact_sheet(writer_server)


def test_without_a_voice_or_sources_the_prompts_say_neither(engine, people, writer_server):
    run = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine)
    run.run()
    for system in system_prompts(writer_server):
        assert "Brand voice" not in system and "Source passages" not in system and "Voice: friendly" in system
