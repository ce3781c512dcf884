import pytest

from studio.checks.pipeline import check
from studio.checks.quality import check_quality
from studio.checks.rules import claims_rules
from studio.checks.text import flesch_reading_ease, sentences, syllables


@pytest.mark.parametrize(
    "text, match",
    [
        ("Results guaranteed.", "Results guaranteed"),
        ("It is guaranteed.", "guaranteed"),
        ("Try it risk-free.", "risk-free"),
        ("Try it risk free.", "risk free"),
        ("It cures headaches.", "cures"),
        ("The #1 app.", "#1"),
        ("The No. 1 app.", "No. 1"),
        ("Clinically proven formula.", "Clinically proven"),
        ("Now 3x faster.", "3x faster"),
        ("Lose 5 kg in 2 weeks.", "Lose 5 kg in 2 weeks"),
        ("FDA-approved dressing", "FDA-approved"),
    ],
)
def test_claims(text, match):
    found = claims_rules().match(text)
    assert match in [f.text for f in found]
    assert all(f.severity in ("warn", "info") and f.note for f in found)


@pytest.mark.parametrize("text", ["C#1 is not a language.", "Issue #12 is fixed.", "We are proven partners.", "A free webinar."])
def test_not_claims(text):
    assert claims_rules().match(text) == []


def test_repeated_sentence_points_at_the_repeat():
    text = "Our planner saves you time. It syncs with calendars. Our planner saves you time!"
    findings, _ = check_quality(text)
    rep = [f for f in findings if f.label == "repeated-sentence"]
    assert len(rep) == 1
    assert text[rep[0].start : rep[0].end] == "Our planner saves you time!"
    assert rep[0].start > 30


def test_ngram_repetition():
    text = "Save time with our app. Save time with our team. Save time with our tools. Go."
    findings, signals = check_quality(text)
    rep = [f for f in findings if f.label == "repetition"]
    assert [f.text for f in rep] == ["Save time with our", "Save time with our"]
    assert signals["repeated_ngrams"] >= 1


def test_length_against_target():
    text = " ".join(["word"] * 100)
    sev = lambda t: [f.severity for f in check_quality(text, target_words=t)[0] if f.label == "length"]
    assert sev(100) == []
    assert sev(120) == []
    assert sev(150) == ["info"]
    assert sev(400) == ["warn"]
    assert sev(40) == ["warn"]


def test_readability_signal_and_info(settings):
    easy = check("The cat sat on the mat. It was happy. We like it.", settings)
    assert easy.signals["flesch_reading_ease"] > 80
    hard_text = (
        "Notwithstanding organisational considerations, comprehensive institutional "
        "implementation necessitates multidimensional interdepartmental harmonisation "
        "of operationalised methodological frameworks, facilitating unprecedented "
        "organisational transformation across heterogeneous administrative "
        "infrastructures internationally, consequently revolutionising interoperability."
    )
    hard = check(hard_text, settings)
    assert hard.signals["flesch_reading_ease"] < 30
    assert [f.severity for f in hard.findings if f.label == "readability"] == ["info"]


def test_syllables_and_flesch():
    assert syllables("cat") == 1
    assert syllables("happy") == 2
    assert syllables("organisation") >= 4
    assert flesch_reading_ease("") is None


def test_sentences_offsets():
    text = "Dr. Smith said hi. It costs $3.50! Really?\n\n# Heading\n- item one\n- item two"
    got = [s.text for s in sentences(text)]
    assert got == ["Dr. Smith said hi.", "It costs $3.50!", "Really?", "# Heading", "- item one", "- item two"]
    for s in sentences(text):
        assert text[s.start : s.end] == s.text
