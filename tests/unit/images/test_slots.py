"""Image slots of a text, the demo suggestions, and how prompts and alt text are cleaned."""

from __future__ import annotations

from types import SimpleNamespace

from studio.images.slots import (
    ALT_MAX,
    HERO,
    clean_alt,
    demo_suggestion,
    featured_url,
    is_image_name,
    proposals_from_answer,
    slots_for,
)
from studio.images.suggest import DEMO_NOTE, suggest

BODY = "# Title in text\n\nIntro.\n\n## First *part*\n\nx\n\n#### too deep\n\n### Second part ##\n\ny\n"


def test_the_hero_then_one_slot_per_second_or_third_level_heading():
    slots = slots_for("", BODY)
    assert [(s.slot, s.heading) for s in slots] == [
        (HERO, "Title in text"), ("section-1", "First part"), ("section-2", "Second part"),
    ]  # fmt: skip
    assert slots_for("The title", BODY)[0].heading == "The title"
    assert [s.label for s in slots][:2] == ["Hero image", "Section 1: First part"]


def test_alt_text_is_one_clean_line_without_image_of_and_not_too_long():
    assert clean_alt("  image of a\nred   barn ") == "A red barn"
    assert clean_alt("Photograph of two cats") == "Two cats"
    long = clean_alt("word " * 100)
    assert len(long) <= ALT_MAX and not long.endswith(" ")


def test_demo_suggestions_are_the_same_every_time_and_name_the_heading():
    slot = slots_for("Plan", BODY)[1]
    assert demo_suggestion(slot, "planning") == demo_suggestion(slot, "planning")
    prompt, alt = demo_suggestion(slot, "planning")
    assert "First part" in prompt and "planning" in prompt and alt == "Illustration of First part"


def test_a_model_answer_maps_to_slots_in_order_and_incomplete_entries_are_dropped():
    slots = slots_for("Plan", BODY)
    answer = {"hero": {"prompt": "p0", "alt": "a0"},
              "sections": [{"prompt": "p1", "alt": ""}, {"image_prompt": "p2", "alt_text": "a2"}, {"prompt": "x", "alt": "y"}]}
    assert proposals_from_answer(answer, slots) == {HERO: ("p0", "A0"), "section-2": ("p2", "A2")}
    assert proposals_from_answer(None, slots) == {} and proposals_from_answer({"hero": "x"}, slots) == {}


def test_featured_url_prefers_the_set_url_then_the_media_base_then_the_file_name():
    assert featured_url("/m/a.jpg", "https://x/y.png", "https://cdn/") == "https://x/y.png"
    assert featured_url("/m/a.jpg", "", "https://cdn/media/") == "https://cdn/media/a.jpg"
    assert featured_url("C:\\m\\a.jpg", "", "") == "a.jpg"
    assert featured_url("", "", "https://cdn") == ""


def test_image_names():
    assert is_image_name("a.JPG") and is_image_name("b.webp") and not is_image_name("notes.txt")
    assert not is_image_name(".png")


def test_the_demo_writer_is_never_presented_as_a_model():
    settings = SimpleNamespace(studio_provider="demo", openai_configured=False)
    found = suggest(settings, slots_for("Plan", BODY), BODY, topic="planning")
    assert found.source == "demo" and found.note == DEMO_NOTE and not found.from_model
    assert set(found.by_slot) == {HERO, "section-1", "section-2"}
