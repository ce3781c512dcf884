"""The critic's rubric and the reading of its answers (pure)."""

from __future__ import annotations

import pytest

from studio.checks.report import Finding, Report
from studio.critic.prompts import read_critic, read_rewrite, rewrite_messages
from studio.critic.rubric import (
    Flag,
    ModelView,
    apply,
    assess,
    clean_replacement,
    paragraphs,
    passages,
    sentences,
)
from studio.drafting.brief import Brief
from studio.errors import InputError
from studio.workspace.rules import parse_critic_rounds

TEXT = (
    "# Planning a calendar\n\n"
    "A content calendar keeps the whole team on one plan. Our planner is guaranteed to double your traffic.\n\n"
    "## Why planning matters\n\n"
    "Planning ahead means fewer late nights for everyone on the team. A content calendar keeps the whole team "
    "on one plan.\n"
)


def _claim_report(text: str) -> Report:
    at = text.index("guaranteed")
    return Report("warn", findings=[Finding("claims", "guarantee", at, at + 10, "guaranteed", "warn",
                                            suggestions=["designed to"], note="A guarantee is a promise.")])


def test_sentences_and_paragraphs_leave_headings_out():
    assert [TEXT[p.start : p.end][:9] for p in paragraphs(TEXT)] == ["A content", "Planning "]
    spans = [TEXT[s.start : s.end] for s in sentences(TEXT)]
    assert spans[0] == "A content calendar keeps the whole team on one plan."
    assert len(spans) == 4 and not any(s.startswith("#") for s in spans)


def test_the_checks_flag_a_claim_and_the_second_telling_of_a_sentence():
    found = assess(TEXT, topic="Planning a content calendar", keywords=["planning"], report=_claim_report(TEXT),
                   voice_score=None)
    by = {f.dimension: TEXT[f.start : f.end] for f in found.flags}
    assert by["claims"] == "guaranteed"
    assert found.flags[[f.dimension for f in found.flags].index("repetition")].start > TEXT.index("## Why")
    assert found.scores["claims"] == 0.5 and found.scores["voice"] is None and found.findings == 1
    clean = TEXT.replace("Our planner is guaranteed to double your traffic.", "It is simple.")
    clean = clean.replace(" A content calendar keeps the whole team on one plan.\n", "\n")
    better = assess(clean, topic="Planning a content calendar", keywords=["planning"], report=Report("pass"),
                    voice_score=None)
    assert better.total > found.total and not better.flags


def test_passages_are_whole_sentences_merged_and_rewriting_them_keeps_every_other_character():
    at = TEXT.index("guaranteed")
    flags = [Flag("claims", at, at + 10, "soften it"), Flag("reading_ease", at + 4, at + 20, "shorter"),
             Flag("on_brief", TEXT.index("Planning ahead"), TEXT.index("Planning ahead") + 3, "on topic",
                  whole_paragraph=True)]  # fmt: skip
    ps = passages(TEXT, flags)
    assert [p.text for p in ps] == [
        "Our planner is guaranteed to double your traffic.",
        TEXT[TEXT.index("Planning ahead") : TEXT.rstrip().__len__()],
    ]
    assert ps[0].notes == ("Unsupported claims: soften it", "Reading ease: shorter")
    out = apply(TEXT, [(ps[0], "Our planner helps.")])
    assert out == TEXT.replace("Our planner is guaranteed to double your traffic.", "Our planner helps.")


def test_a_model_flag_is_found_by_quotation_and_a_repeat_where_it_comes_back():
    view = ModelView({"claims": 2}, [("repetition", "A content calendar keeps the whole team on one plan.", "again"),
                                     ("claims", "not in the text at all", "x")])  # fmt: skip
    found = assess(TEXT, topic="Planning", keywords=[], report=None, voice_score=None, model=view)
    rep = [f for f in found.flags if f.note == "again"]
    assert len(rep) == 1 and rep[0].start == TEXT.rindex("A content calendar")
    assert found.scores["claims"] == pytest.approx((1.0 + 0.2) / 2)


def test_a_rewrite_that_does_not_fit_is_refused():
    assert clean_replacement("One sentence.", "## A heading\nText") is None
    assert clean_replacement("One sentence.", "  ") is None
    assert clean_replacement("One sentence.", "x" * 500) is None
    assert clean_replacement("One sentence.", '"Two\nlines."') == "Two lines."


def test_answers_that_are_not_the_json_asked_for_give_nothing():
    assert read_critic("I liked it.") is None
    view = read_critic('```json\n{"scores": {"claims": 14, "nonsense": 3}, "flags": [{"quote": "q", "dimension": '
                       '"vibes", "note": "n"}], "summary": "ok"}\n```')  # fmt: skip
    assert view.scores == {"claims": 10.0} and view.flags == [("on_brief", "q", "n")]
    assert read_rewrite('{"passages": [{"n": 1, "text": "a"}, {"n": 7, "text": "b"}, {"n": true, "text": "c"}]}',
                        2) == {1: "a"}  # fmt: skip
    assert read_rewrite("no", 2) == {}


def test_the_rewrite_prompt_holds_the_flagged_passages_and_their_notes_only():
    at = TEXT.index("guaranteed")
    ps = passages(TEXT, [Flag("claims", at, at + 10, "soften it")])
    prompt = str(rewrite_messages(Brief.create(content_type="blog", topic="Planning"), TEXT, ps)[-1].content)
    assert '"""\nOur planner is guaranteed to double your traffic.\n"""' in prompt
    assert "Notes: Unsupported claims: soften it" in prompt and "Why planning matters" not in prompt


def test_rounds_are_zero_to_five():
    assert parse_critic_rounds("2") == 2 and parse_critic_rounds(0) == 0
    for bad in ("6", "-1", "two", True):
        with pytest.raises(InputError):
            parse_critic_rounds(bad)
    with pytest.raises(InputError):
        Brief.create(content_type="blog", topic="x", critic_rounds=9)
    assert Brief.create(content_type="blog", topic="x", critic_rounds="").critic_rounds is None
