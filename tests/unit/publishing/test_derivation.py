"""Which publishing fields follow the text (pure rules)."""

from __future__ import annotations

from types import SimpleNamespace

from studio.publishing import derivation as d

BRIEF = SimpleNamespace(topic="board meetings", keywords=[], content_type="blog")
OLD = "# Five ways a chairman can help\n\nOur chairman keeps meetings short.\n\n## Agenda\n\nText.\n"
NEW = OLD.replace("chairman", "chair")


def current_for(body: str) -> dict:
    return dict(d.text_values(BRIEF, body))


def test_fields_nobody_set_follow_the_text_and_the_slug_follows_the_title():
    r = d.refresh(current_for(OLD), {}, d.text_values(BRIEF, OLD), d.text_values(BRIEF, NEW), slug_frozen=False)
    assert r.values["title"] == "Five ways a chair can help"
    assert r.values["slug"] == "five-ways-a-chair-can-help"
    assert r.values["excerpt"] == r.values["meta_description"] == "Our chair keeps meetings short."
    assert "tags" not in r.values and r.stale == ()


def test_a_person_set_field_stays_and_is_marked_when_its_source_changed():
    state = d.person_set({}, {"excerpt": "A hand-written summary."}, d.text_values(BRIEF, OLD), "Five ways a chairman can help")
    current = current_for(OLD) | {"excerpt": "A hand-written summary."}
    r = d.refresh(current, state, d.text_values(BRIEF, OLD), d.text_values(BRIEF, NEW), slug_frozen=False)
    assert "excerpt" not in r.values and r.stale == ("excerpt",)
    # Edited back: the text gives what it gave when the person wrote it, so not out of date.
    back = d.refresh(current, r.state, d.text_values(BRIEF, NEW), d.text_values(BRIEF, OLD), slug_frozen=False)
    assert back.stale == ()
    # A change elsewhere in the text (not the first paragraph) leaves the excerpt's mark alone.
    elsewhere = OLD.replace("Text.", "Other text.")
    r2 = d.refresh(current, state, d.text_values(BRIEF, OLD), d.text_values(BRIEF, elsewhere), slug_frozen=False)
    assert r2.stale == () and r2.values == {}


def test_a_value_equal_to_the_text_keeps_following():
    text = d.text_values(BRIEF, OLD)
    state = d.person_set({}, {"title": text["title"]}, text, text["title"])
    assert not d.is_person_set(state, "title")


def test_the_slug_stays_once_exported_and_a_person_slug_is_marked_when_the_title_moves():
    r = d.refresh(current_for(OLD), {}, d.text_values(BRIEF, OLD), d.text_values(BRIEF, NEW), slug_frozen=True)
    assert "slug" not in r.values and r.values["title"] == "Five ways a chair can help"
    state = d.person_set({}, {"slug": "my-slug"}, d.text_values(BRIEF, OLD), "Five ways a chairman can help")
    r = d.refresh(current_for(OLD) | {"slug": "my-slug"}, state, d.text_values(BRIEF, OLD), d.text_values(BRIEF, NEW),
                  slug_frozen=False)  # fmt: skip
    assert "slug" not in r.values and r.stale == ("slug",)


def test_a_model_proposal_stays_until_its_source_changes():
    text = d.text_values(BRIEF, OLD)
    state = d.proposed({}, ["excerpt"], text, d.BY_MODEL)
    current = current_for(OLD) | {"excerpt": "A model's better summary."}
    same = d.refresh(current, state, text, d.text_values(BRIEF, OLD.replace("Text.", "More.")), slug_frozen=False)
    assert "excerpt" not in same.values
    moved = d.refresh(current, state, text, d.text_values(BRIEF, NEW), slug_frozen=False)
    assert moved.values["excerpt"] == "Our chair keeps meetings short."


def test_confirming_clears_the_mark():
    state = d.person_set({}, {"excerpt": "Mine."}, d.text_values(BRIEF, OLD), "t")
    r = d.refresh(current_for(OLD) | {"excerpt": "Mine."}, state, d.text_values(BRIEF, OLD), d.text_values(BRIEF, NEW),
                  slug_frozen=False)  # fmt: skip
    assert d.stale_fields(r.state) == ["excerpt"]
    assert d.stale_fields(d.confirmed(r.state, ["excerpt"], d.text_values(BRIEF, NEW), "t")) == []
