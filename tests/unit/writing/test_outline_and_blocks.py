"""Outlines parsed and edited, drafts split into blocks, repetition found. Pure."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from studio.writing.blocks import replace_block, replace_title, split_blocks, strip_heading
from studio.writing.outline import OutlineError, edited_outline, parse_outline, writing_mode, writing_order
from studio.writing.repetition import repeated_share, repetition_findings


def test_the_models_outline_is_framed_and_the_length_shared():
    answer = ('Here you go: {"title": "Plan it", "sections": [{"heading": "Why", "intent": "motivate", '
              '"points": ["a", "b"]}, {"heading": "How", "points": ["c"]}, {"heading": "Conclusion"}]}')
    outline = parse_outline(answer, topic="t", content_type="blog", target_words=1200)
    assert [s.kind for s in outline.sections] == ["intro", "body", "body", "conclusion"]
    assert [s.heading for s in outline.body] == ["Why", "How"]
    assert abs(sum(s.words for s in outline.sections) - 1200) < 100
    assert writing_order(list(outline.sections)) == [1, 2, 0, 3]


def test_a_markdown_outline_is_read_too_and_an_empty_one_refused():
    outline = parse_outline("# Title\n## One\n- p1\n- p2\n## Two\n- p3", topic="t", content_type="news", target_words=1500)
    assert outline.title == "Title" and outline.body[0].points == ("p1", "p2")
    assert outline.sections[0].heading == "Lede"
    with pytest.raises(OutlineError):
        parse_outline("I cannot help with that.", topic="t", content_type="blog", target_words=1500)


def test_edits_keep_intro_first_and_conclusion_last_and_name_bad_rows():
    rows = [{"heading": "Conclusion", "kind": "conclusion"}, {"heading": "B", "points": "x; y\nz"},
            {"heading": "Intro", "kind": "intro"}, {"heading": "", "intent": "", "points": ""}]
    outline = edited_outline("T", rows, target_words=1200)
    assert [s.heading for s in outline.sections] == ["Intro", "B", "Conclusion"]
    assert outline.sections[1].points == ("x", "y", "z")
    with pytest.raises(OutlineError) as exc:
        edited_outline("", [{"heading": "", "intent": "something"}], target_words=1200)
    assert set(exc.value.problems) >= {"title", "section 1", "sections"}


def test_the_table_edits_become_rows_in_the_order_people_gave():
    from studio.ui.longform_panel import edited_rows

    frame = pd.DataFrame([
        {"Order": 1, "Heading": "Intro", "What it is for": "", "Key points": "", "id": 1, "kind": "intro"},
        {"Order": 3, "Heading": "Renamed", "What it is for": "", "Key points": "a", "id": 2, "kind": "body"},
        {"Order": 2, "Heading": "Moved up", "What it is for": "", "Key points": "b", "id": 3, "kind": "body"},
        {"Order": math.nan, "Heading": "Added", "What it is for": "", "Key points": "c", "id": math.nan, "kind": math.nan},
    ])
    rows = edited_rows(frame)
    assert [r["heading"] for r in rows] == ["Intro", "Moved up", "Renamed", "Added"]
    assert rows[-1]["kind"] == "body"


BODY = "# Title\n\nIntro text.\n\n## One\n\nFirst.\n\n## Two\n\nSecond.\n"


def test_blocks_are_replaced_without_touching_the_rest():
    title, blocks = split_blocks(BODY)
    assert title == "# Title\n" and [b.heading for b in blocks] == ["", "One", "Two"]
    assert replace_block(BODY, 1, "## One\n\nNew first.") == BODY.replace("First.", "New first.")
    assert replace_block(BODY, 0, "New intro.") == BODY.replace("Intro text.", "New intro.")
    assert replace_block(BODY, 2, "New second.") == BODY.replace("Second.", "New second.")
    assert replace_title(BODY, "Other") == BODY.replace("# Title", "# Other")
    assert strip_heading("### One\n\ntext", "One") == "text"


def test_automatic_mode_goes_long_from_the_threshold():
    assert writing_mode("auto", 1200, 1200) == "long" and writing_mode("auto", 1199, 1200) == "one"
    assert writing_mode("variants", 3000, 1200) == "variants"


def test_repetition_is_found_across_sections_and_not_within_headings():
    a = "## Same heading\n\nPlanning means deciding what goes out and when. Our team likes calendars a lot."
    b = "## Same heading\n\nPlanning means deciding what goes out and when. Something else entirely here."
    c = "A fresh section about budgets, owners and review habits for small teams."
    assert repeated_share([a, b, c]) > 0.2 and repeated_share([a, c]) == 0
    found = repetition_findings([a, b, c])
    assert found[0].kind == "sentence" and found[0].sections == (0, 1)
    assert not any("Same heading" in f.text for f in found)
    idea = repetition_findings(["Small teams should review the content calendar every week.",
                                "Every week, small teams should review their content calendar."])
    assert idea and idea[0].kind == "idea"
