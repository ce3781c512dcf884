from __future__ import annotations

import pytest
import yaml

from studio.checks.pipeline import check
from studio.checks.rules import BIAS_FILES, RULES_DIR, bias_rules, claims_rules, gender_coded


def bias_texts(text):
    return [(f.text, f.rule) for f in bias_rules().match(text)]


@pytest.mark.parametrize(
    "text, matched, rule",
    [
        ("Our chairman spoke.", "chairman", "gendered.chairman"),
        ("The Chairwoman spoke.", "Chairwoman", "gendered.chairman"),
        ("Two CHAIRMEN spoke.", "CHAIRMEN", "gendered.chairman"),
        ("The chairman's office.", "chairman's", "gendered.chairman"),
        ("The chairman’s office.", "chairman’s", "gendered.chairman"),
        ("Thanks, guys!", "guys", "gendered.guys"),
        ("It took 40 man-hours.", "man-hours", "gendered.man_hours"),
        ("It took 40 man hours.", "man hours", "gendered.man_hours"),
        ("more manpower", "manpower", "gendered.manpower"),
        ("Our firemen", "firemen", "gendered.job_titles"),
        ("That is insane.", "insane", "ableist.crazy"),
        ("A lame excuse", "lame excuse", "ableist.dumb_phrases"),
        ("for the elderly", "the elderly", "age.elderly"),
        ("digital natives wanted", "digital natives", "age.job_ad"),
        ("aged 25-35 only", "aged 25-35", "age.age_limit"),
        ("add to the Blacklist", "Blacklist", "race.blacklist"),
        ("a transgendered person", "transgendered", "lgbtq.transgendered"),
        ("Any idiot can do it", "Any idiot can", "condescending.anyone_can"),
        ("Obviously, it works.", "Obviously", "condescending.obviously"),
    ],
)
def test_bias_phrase_matches_with_inflection_and_case(text, matched, rule):
    assert (matched, rule) in bias_texts(text)


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe", "Middlesex", "This killer feature is crushing the quarter.", "human resources",
        "Manchester United", "the chairperson", "a romantic comedy", "Dickens", "assessment",
        "a double-blind study", "a mankind-free", "his craftsmanship", "Essex and Sussex",
        "our workforce", "a guy named Sam", "the senior menu",
    ],
)
def test_must_not_flag(text, settings):
    if text == "a mankind-free":
        # "mankind" is a word here; the rule is right to flag it. Keep the list honest.
        assert bias_texts(text)
        return
    report = check(text, settings)
    assert [f for f in report.findings if f.severity != "info"] == [], report.findings


def test_spans_point_at_the_words(settings):
    text = "Hello guys. Our new Chairwoman and 3 salesmen met in Middlesex."
    report = check(text, settings)
    for f in report.findings:
        if f.end > f.start:
            assert text[f.start : f.end] == f.text
    got = [(f.start, f.end, f.text) for f in report.by_category("bias")]
    assert got == [(6, 10, "guys"), (20, 30, "Chairwoman"), (37, 45, "salesmen")]


def test_suggestions_follow_plural_and_capitalisation():
    fs = {f.text: f.suggestions for f in bias_rules().match("Chairmen and firemen. Foreman.")}
    assert fs["Chairmen"][0] == "Chairs"
    assert fs["firemen"] == ["firefighters"]
    assert fs["Foreman"][0] == "Supervisor"


def test_multiword_phrase_does_not_cross_sentences():
    assert bias_texts("Call the man. Hours later he came.") == []


def test_rule_files_are_complete():
    ids = set()
    for name in BIAS_FILES + ("claims",):
        data = yaml.safe_load((RULES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        assert data["category"] in ("bias", "claims")
        for item in data.get("rules", []) + data.get("patterns", []):
            assert item["id"] not in ids
            ids.add(item["id"])
            assert item.get("note"), item["id"]
            assert item.get("phrases") or item.get("regex"), item["id"]
            assert isinstance(item.get("suggestions", []), list)
    for label in ("gendered", "ableist", "age", "race-ethnicity", "lgbtq", "condescending"):
        assert any(r.label == label for r in bias_rules().rules.values())
    assert len(claims_rules().rules) >= 8


def test_allowlist_suppresses_matches_inside_allowed_phrases(make_settings):
    text = "The Chairman's Club meets our chairman."
    plain = check(text, make_settings())
    assert [f.text for f in plain.by_category("bias")] == ["Chairman's", "chairman"]
    allowed = check(text, make_settings(studio_allowlist=["Chairman's Club"]))
    assert [f.text for f in allowed.by_category("bias")] == ["chairman"]
    assert allowed.signals["allowlisted"] == 1


def test_allowlist_by_rule_id_and_term(make_settings):
    s = make_settings(studio_allowlist=["gendered.guys", "press@example.com"])
    r = check("Hi guys, write to press@example.com or jo@example.com.", s)
    assert [f.text for f in r.findings if f.category in ("bias", "pii")] == ["jo@example.com"]


def test_banned_terms_block_with_word_boundaries(make_settings):
    s = make_settings(studio_banned_terms=["Globex", "best price ever"])
    r = check("Unlike GLOBEX and Globexia, we offer the best-price ever.", s)
    banned = r.by_category("banned")
    assert [f.text for f in banned] == ["GLOBEX", "best-price ever"]
    assert all(f.severity == "block" for f in banned)
    assert r.verdict == "block"


def test_gender_coded_signal_is_a_signal_not_a_violation(settings):
    text = (
        "We want a competitive, driven and ambitious leader who is decisive and fearless. "
        "You will dominate the market."
    )
    r = check(text, settings)
    sig = r.signals["gender_coded"]
    assert sig["coding"] == "strongly masculine-coded"
    assert {"competitive", "ambitious", "leader", "decisive"} <= set(sig["masculine_words"])
    gc = [f for f in r.findings if f.label == "gender-coded"]
    assert len(gc) == 1 and gc[0].severity == "info" and gc[0].start == gc[0].end == 0
    assert r.verdict == "pass"


def test_gender_coded_neutral_text():
    sig = gender_coded().signal("We are a collaborative and supportive team with ambitious goals.")
    assert sig["coding"] == "neutral"
