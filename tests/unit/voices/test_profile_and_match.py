"""The voice profile, its rules and the voice-match score: measured, deterministic, explained."""

from __future__ import annotations

import pytest

from studio.errors import InputError
from studio.voices.match import match
from studio.voices.profile import distinctive, headline_case, measure, oxford_counts, voice_profile
from studio.voices.rules import VoiceRules, detected_rules, findings, prompt_lines, recase
from studio.voices.spelling import other_variant, variant_counts


def test_measure_reads_the_features_the_issue_names():
    text = ("# How we plan\n\nWe're a small team. You don't need a big one. Do you plan weekly? We do, and it works. "
            "They said it was impossible. It is not.\n")
    p = measure(text)
    assert p["sentences"] == 6 and p["sentence_length_mean"] == pytest.approx(27 / 6, abs=0.01)
    assert p["question_rate"] == pytest.approx(1 / 6, abs=0.01)
    # we're, don't contracted; "It is" written out: 2 of 3 places.
    assert p["contractions_share"] == pytest.approx(2 / 3, abs=0.01)
    assert p["person"]["we"] > 0 and p["person"]["you"] > 0 and p["person"]["they"] > 0 and p["person"]["i"] == 0
    assert p["reading_ease"] > 80 and p["headings"] == 1


def test_headline_case_oxford_comma_and_spelling_are_detected():
    assert headline_case(["Why Teams Love Our Planner", "How To Plan A Quarter"]) == "title"
    assert headline_case(["Why teams love our planner", "How to plan a quarter"]) == "sentence"
    assert headline_case(["Why teams love our planner"]) is None  # one heading tells nothing
    assert oxford_counts("It is fast, simple, and secure. Plan, write and ship.") == (1, 1)
    assert variant_counts("The colour of our organisation's centre") == (0, 3)
    assert other_variant("Colour", "us") == "Color" and other_variant("color", "us") is None
    rules = detected_rules({"spelling": {"us": 0, "uk": 4}, "oxford_comma": {"with": 3, "without": 0},
                            "headline_case": "title"})  # fmt: skip
    assert rules == {"spelling": "uk", "oxford_comma": True, "headline_case": "title"}


def test_go_to_words_are_distinctive_against_general_english_and_names_are_left_out():
    samples = [f"Honestly, our nifty planner is delightful. Mr Pemberton said so in sample {i}. The team uses it."
               for i in range(4)]  # fmt: skip
    words, phrases = distinctive(samples)
    got = [w["word"] for w in words]
    assert "nifty" in got and "delightful" in got
    assert "pemberton" not in got and "the" not in got  # a name; an everyday word
    assert any("nifty planner" in p["phrase"] for p in phrases)
    assert not any("pemberton" in p["phrase"] for p in phrases)


def test_voice_match_is_deterministic_and_explained_feature_by_feature():
    profile = {"language": "en", "unit": "words", "sentence_length_mean": 14.0, "sentence_length_sd": 5.0}
    sentence = "This sentence has exactly twenty four words because we want the voice match to report a long average for the whole text right here."
    text = " ".join([sentence] * 3)
    first, second = match(text, profile), match(text, profile)
    assert first == second
    length = next(f for f in first.features if f.name == "sentence_length")
    assert length.explanation == "Sentences 24 words on average; the voice 14 ± 5."
    assert length.score == 0.0  # two spreads away
    unmeasured = next(f for f in first.features if f.name == "reading_ease")
    assert unmeasured.score is None and first.score == 0.0  # only measurable features count


def test_a_voice_scores_its_own_kind_of_text_above_another():
    mine = [f"We're thrilled! You'll love it. Isn't it great? We think so. Try it today, friend {i}." for i in range(4)]
    other = ("The committee, having considered the submissions at considerable length, resolved that the proposal "
             "should be deferred until such time as further evidence might be obtained from the relevant parties.")
    profile = voice_profile(mine)
    own = match("We're ready! You'll see. Isn't that neat? We hope so. Join us now.", profile)
    far = match(other, profile)
    assert own.score > far.score + 0.3
    assert "Voice match" in own.summary


def test_rules_are_validated_and_become_findings_and_prompt_lines():
    with pytest.raises(InputError) as exc:
        VoiceRules.from_dict({"spelling": "au", "headline_case": "random"})
    assert set(exc.value.problems) == {"spelling", "headline_case"}
    rules = VoiceRules.from_dict({"avoid": "cheap\n\nsynergy", "prefer": {"users": "customers", "same": "Same"},
                                  "spelling": "us", "oxford_comma": False, "headline_case": "sentence"})
    assert rules.avoid == ("cheap", "synergy") and rules.prefer == {"users": "customers"}
    lines = prompt_lines(rules)
    assert any("write “customers”, not “users”" in line for line in lines)
    assert any("no Oxford comma" in line for line in lines) and any("American" in line for line in lines)
    text = "# Why Users Pick Us\n\nOur Users say it is cheap, fast, and simple. The colour is nice."
    got = [(f.label, f.text, f.suggestions, f.severity) for f in findings(text, rules)]
    assert ("preferred term", "Users", ["Customers"], "warn") in got
    assert ("avoided term", "cheap", [], "warn") in got
    assert ("spelling", "colour", ["color"], "info") in got
    assert ("oxford comma", "fast, and", ["fast and"], "info") in got
    assert ("headline case", "Why Users Pick Us", ["Why users pick us"], "info") in got
    assert recase("how we plan with SEO", "title") == "How We Plan with SEO"
    assert recase("Why Teams Love SEO", "sentence") == "Why teams love SEO"
