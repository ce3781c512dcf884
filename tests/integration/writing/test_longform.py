"""Long-form drafts in sections, through the real clients against the local server, which
records every request: what each section's prompt holds and does not hold, the order of the
calls, interruption and Retry, regenerating one section, the repetition pass."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.errors import InputError
from studio.models import Draft, DraftSection, Revision
from studio.writing.longform import LongformRun
from studio.writing.outline import edited_outline
from studio.writing.prompts import COVERED_HEADER, OUTLINE_HEADER, PREVIOUS_HEADER, SUMMARIES_HEADER
from studio.writing.repetition import repeated_share
from studio.writing.service import outline_view, save_outline
from tests.integration.drafting.test_persistence import _Refusing
from tests.support.fake_writer import basics_sentence, prompt_of

BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning", tone="friendly", formality=3, temperature=0.8, target_words=2000)






def _task(req) -> str:
    text = prompt_of(req)
    return text.split("Task: ", 1)[1].split("\n", 1)[0] if "Task: " in text else ""


def section_requests(server):
    return [r for r in server.chat_requests if _task(r) in ("section", "introduction", "conclusion")]


def _run(engine, people, **kw):
    run = LongformRun(Brief.create(**{**BRIEF, **kw.pop("brief", {})}), people.marketer, engine=engine, **kw)
    return run, run.run()


def test_each_section_prompt_holds_its_window_and_never_the_earlier_text(engine, people, writer_server):
    run, outcome = _run(engine, people)
    assert outcome.error is None and not outcome.incomplete
    sections = outcome.outline.sections
    bodies = [i for i, s in enumerate(sections) if s.kind == "body"]
    requests = section_requests(writer_server)
    assert len(requests) == len(sections)
    # Body sections in outline order, then the introduction, then the conclusion.
    order = [int(prompt_of(r).split("\n→ ", 1)[1].split(".", 1)[0]) - 1 for r in requests]
    assert order == bodies + [0, len(sections) - 1]

    for n, (i, req) in enumerate(zip(order, requests)):
        prompt = prompt_of(req)
        s = sections[i]
        assert OUTLINE_HEADER in prompt and f"→ {i + 1}. {s.heading}" in prompt
        for other in sections:  # the whole outline, every heading
            assert other.heading in prompt
        for point in s.points:  # the section's own sub-points
            assert f"    - {point}" in prompt
        earlier = [sections[j] for j in order[:n]]
        if not earlier:
            assert PREVIOUS_HEADER not in prompt and COVERED_HEADER not in prompt
            continue
        # The closing paragraph of the section before it in the article (the introduction has
        # none), and the points the sections written earlier made.
        before = [j for j in order[:n] if j < i]
        if before:
            closing = sections[max(before)].text.strip().split("\n\n")[-1]
            assert PREVIOUS_HEADER in prompt and closing in prompt
        else:
            assert PREVIOUS_HEADER not in prompt
        assert COVERED_HEADER in prompt
        for e in earlier:
            for point in e.covered:
                assert f"- {point}" in prompt
        # Never an earlier section's text beyond its closing paragraph.
        for e in earlier:
            for paragraph in e.text.strip().split("\n\n")[:-1]:
                assert paragraph not in prompt
        # Summaries of every section written at least two steps earlier (the one just before may
        # still be summarising in the background; its ending stands in for it).
        for e in [sections[j] for j in order[: n - 1]]:
            assert SUMMARIES_HEADER in prompt and e.summary in prompt
    # The introduction and the conclusion are written from every body section's summary.
    for req in requests[-2:]:
        for i in bodies:
            assert sections[i].summary in prompt_of(req)
    # The draft's text is the outline's sections in outline order, saved as one revision.
    with session_scope(engine) as s:
        draft = s.get(Draft, outcome.draft_id)
        body = s.get(Revision, draft.current_revision_id).body
    assert body == outcome.text and body.startswith(f"# {outcome.outline.title}\n")
    positions = [body.index(sections[i].text[:60]) for i in range(len(sections))]
    assert positions == sorted(positions)
    assert len(body.split()) >= 0.8 * BRIEF["target_words"]


def test_the_window_stays_within_its_budget_however_long_the_article(engine, people, writer_server, monkeypatch):
    monkeypatch.setenv("STUDIO_CONTEXT_BUDGET_TOKENS", "200")
    settings = reload_settings()
    run, outcome = _run(engine, people, settings=settings, brief={"target_words": 3000})
    timing = [t for t in outcome.sections_timing if t["kind"] == "body"]
    assert len(timing) >= 6
    # Fixed parts (system, brief, outline, the job) plus a window of at most 200 tokens.
    first, last = timing[0]["prompt_tokens"], timing[-1]["prompt_tokens"]
    assert last <= first + 200 + 20
    for req in section_requests(writer_server):
        prompt = prompt_of(req)
        window = prompt.split(OUTLINE_HEADER, 1)[1].split("\n\n", 1)[1].rsplit("\n\n", 1)[0]
        assert run.budget.count(window) <= 200 + 10


def test_without_summaries_and_the_covered_list_the_basics_are_explained_again(engine, people, writer_server):
    _, full = _run(engine, people)
    _, bare = _run(engine, people, summaries=False, covered=False)
    texts_full = [s.text for s in full.outline.sections if s.kind == "body"]
    texts_bare = [s.text for s in bare.outline.sections if s.kind == "body"]
    assert repeated_share(texts_full) < repeated_share(texts_bare)
    basics = basics_sentence("planning")
    assert sum(basics in t for t in texts_full) == 1
    assert sum(basics in t for t in texts_bare) == len(texts_bare)
    # The repetition pass names it, with the sections it is in.
    found = [f for f in bare.outline.repetition if f["kind"] == "sentence" and f["text"] == basics]
    bodies = [i for i, s in enumerate(bare.outline.sections) if s.kind == "body"]
    assert found and set(bodies) <= set(found[0]["sections"])
    assert not [f for f in full.outline.repetition if f["text"] == basics]


def test_an_interrupted_run_keeps_finished_sections_and_retry_continues_at_the_first_unfinished(engine, people, writer_server):
    run = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine)
    view = run.plan()
    third = [i for i, s in enumerate(view.sections) if s.kind == "body"][2]
    writer_server.fail_next("drop", after_chunks=3, match=f"→ {third + 1}. ")
    events = list(run.write())
    assert "dropped" in run.outcome.error and run.outcome.incomplete
    with session_scope(engine) as s:
        saved = outline_view(s, run.draft_id, people.marketer)
        draft = s.get(Draft, run.draft_id)
        partial = s.get(Revision, draft.current_revision_id)
    done = [i for i, sec in enumerate(saved.sections) if sec.done]
    assert done == [third - 2, third - 1]
    assert saved.next_pending == third and draft.incomplete and partial.reason == "partial"
    arrived = "".join(e.text for e in events if e.kind == "text" and e.index == third)
    assert arrived and arrived.strip() in partial.body  # what arrived is kept
    kept = {i: saved.sections[i].text for i in done}

    writer_server.clear_requests()
    retry = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine, draft_id=run.draft_id)
    outcome = retry.run()
    assert outcome.error is None and not outcome.incomplete
    requests = section_requests(writer_server)
    assert f"→ {third + 1}. " in prompt_of(requests[0])  # no section written twice
    assert len(requests) == len(saved.sections) - len(done)
    assert not [r for r in writer_server.chat_requests if _task(r) == "outline"]
    for i, text in kept.items():
        assert outcome.outline.sections[i].text == text and text in outcome.text
    with session_scope(engine) as s:
        draft = s.get(Draft, run.draft_id)
        assert not draft.incomplete and draft.last_error is None
        assert [r.reason for r in s.scalars(select(Revision).where(Revision.draft_id == draft.id)
                                            .order_by(Revision.number))] == ["partial", "generated"]


def test_stopping_mid_section_keeps_what_was_finished(engine, people, writer_server):
    run = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine)
    view = run.plan()
    stream = run.write()
    for event in stream:
        if event.kind == "text" and event.index != view.sections[1].position:
            break
    stream.close()  # the Stop button, or the page left
    assert "interrupted" in run.outcome.error
    with session_scope(engine) as s:
        saved = outline_view(s, run.draft_id, people.marketer)
    assert saved.sections[1].done and saved.next_pending == 2
    assert saved.sections[1].text in run.outcome.text


def test_regenerate_one_section_keeps_every_other_character(engine, people, writer_server):
    run, outcome = _run(engine, people)
    with session_scope(engine) as s:
        from studio.drafting.service import edit_text

        edited = outcome.text.replace(outcome.outline.sections[1].text[:30], "EDITED BY HAND " + outcome.outline.sections[1].text[:30])
        edit_text(s, run.draft_id, people.marketer, edited, outcome.draft_version)
    writer_server.clear_requests()
    writer_server.reply = lambda body: ("A fresh take on part two, written again." if "Task: section" in json.dumps(body)
                                        else __import__("tests.support.fake_writer", fromlist=["reply"]).reply(body))
    again = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine, draft_id=run.draft_id)
    list(again.write(only=2))
    assert again.outcome.error is None
    assert len(section_requests(writer_server)) == 1
    text = again.outcome.text
    assert "EDITED BY HAND" in text  # the edit elsewhere survives
    assert "A fresh take on part two, written again." in text
    assert outcome.outline.sections[2].text not in text
    assert text.replace("A fresh take on part two, written again.", "") .count("## ") == outcome.text.count("## ")


def test_outline_edits_add_remove_reorder_rename_and_keep_written_sections(engine, people, writer_server):
    run, outcome = _run(engine, people)
    secs = outcome.outline.sections
    rows = [{"id": s.id, "heading": s.heading, "intent": s.intent, "points": "\n".join(s.points), "kind": s.kind}
            for s in secs]
    rows[1]["heading"] = "Renamed: the first part"
    rows[2], rows[3] = rows[3], rows[2]  # reorder
    removed = rows.pop(4)
    rows.insert(-1, {"id": None, "heading": "A new part", "intent": "", "points": "one; two", "kind": "body"})
    outline = edited_outline("New title", rows, target_words=2000)
    with session_scope(engine) as s:
        view = save_outline(s, run.draft_id, people.marketer, outline, ids=[r["id"] for r in rows])
    headings = [s.heading for s in view.sections]
    assert headings[1] == "Renamed: the first part" and removed["heading"] not in headings
    assert headings.index(secs[3].heading) < headings.index(secs[2].heading)
    assert view.sections[1].text == secs[1].text and view.sections[1].done  # renamed, kept
    new = view.sections[headings.index("A new part")]
    assert not new.done and new.points == ["one", "two"]
    assert view.next_pending == headings.index("A new part")
    with session_scope(engine) as s:
        assert s.scalars(select(DraftSection).where(DraftSection.draft_id == run.draft_id)).all().__len__() == len(rows)


def test_reasoning_model_sections_carry_no_temperature(engine, people, writer_server):
    _, outcome = _run(engine, people, model="o3-mini")
    assert outcome.error is None
    assert all(not r.temperature_sent for r in writer_server.chat_requests)


def test_with_the_demo_writer_the_whole_flow_works_offline(engine, people):
    run, outcome = _run(engine, people, brief={"target_words": 1300})
    assert outcome.error is None and outcome.provider == "demo"
    assert len(outcome.outline.sections) >= 5 and all(s.done for s in outcome.outline.sections)
    assert outcome.text.count("## ") == len(outcome.outline.sections) - 1


def test_writing_again_a_section_whose_heading_left_the_text_is_refused_before_any_call(engine, people, writer_server):
    run, outcome = _run(engine, people)
    section = outcome.outline.sections[2]
    with session_scope(engine) as s:
        from studio.drafting.service import edit_text

        edit_text(s, run.draft_id, people.marketer, outcome.text.replace(f"## {section.heading}", "## Renamed by hand"),
                  outcome.draft_version)
    writer_server.clear_requests()
    again = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine, draft_id=run.draft_id)
    with pytest.raises(InputError, match="not a heading in the current text"):
        list(again.write(only=2))
    assert writer_server.chat_requests == []


def test_when_the_last_save_fails_every_section_goes_to_a_recovery_file(engine, people, writer_server, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("STUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    reload_settings()
    refusing = _Refusing(engine)
    run = LongformRun(Brief.create(**BRIEF), people.marketer, engine=engine)
    view = run.plan()
    texts = []
    for event in run.write():
        if event.kind == "done":
            texts.append(event.text)
            if len(texts) == len(view.sections):
                refusing.on = True  # the disk fills up once every section is written
    refusing.on = False
    outcome = run.outcome
    assert refusing.refused >= 3 and outcome.incomplete
    assert outcome.recovery_file and outcome.recovery_file in outcome.error and "Nothing is lost" in outcome.error
    [path] = list((tmp_path / "recovery").glob("*.md"))
    content = path.read_text(encoding="utf-8")
    assert all(t in content for t in texts) and BRIEF["topic"] in content
