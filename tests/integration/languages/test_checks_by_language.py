"""Checks say which languages they cover: toxicity for text that is not English goes to Detoxify's
`multilingual` model when its files are present (a tiny checkpoint built here, through Detoxify's
real loading code) and is `unavailable` otherwise, never passed by the English profanity tier;
bias and claim rule files name their languages; the output language is verified by the detector."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checks"))
import tiny_detoxify  # noqa: E402

from studio.checks import detoxify  # noqa: E402
from studio.checks.pipeline import check  # noqa: E402
from studio.config import Settings  # noqa: E402
from studio.languages.checks import language_check  # noqa: E402

FRENCH = "Nous aimons nos clients. Tu es un idiot ! Merci à toute l'équipe pour cette nouvelle version."
GERMAN = "Wir lieben unsere Kundinnen und Kunden. Du bist ein Idiot! Danke an das ganze Team für die neue Version."
CHINESE = "我们热爱我们的客户。感谢整个团队带来的新版本。"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_detoxify.build(tmp_path_factory.mktemp("tiny-multilingual"))


@pytest.fixture(autouse=True)
def fresh_models():
    detoxify.clear_model_cache()
    yield
    detoxify.clear_model_cache()


def _status(report):  # type: ignore[no-untyped-def]
    return {b.name: (b.status, b.reason) for b in report.backends}


def test_french_text_uses_the_multilingual_model_when_its_files_are_present(tiny):
    ckpt, cfg = tiny
    settings = Settings(studio_detoxify_multilingual_checkpoint=str(ckpt), studio_detoxify_multilingual_config_dir=str(cfg))
    report = check(FRENCH, settings, language="fr")
    status = _status(report)
    assert status["detoxify"] == ("ran", "model 'multilingual' (French)")
    assert status["profanity-check"][0] == "skipped" and "English only" in status["profanity-check"][1]
    toxic = [f for f in report.findings if f.category == "toxicity"]
    assert toxic and all("idiot" in f.text for f in toxic)
    assert report.verdict in ("warn", "block")


def test_without_the_multilingual_files_french_is_unavailable_not_passed_by_the_english_tier():
    report = check("Nous aimons nos clients et notre équipe.", Settings(), language="fr")
    status = _status(report)
    assert status["detoxify"][0] == "unavailable" and "needs the 'multilingual' model" in status["detoxify"][1]
    assert status["profanity-check"] == ("skipped", "reads English only, so it cannot pass French text")
    assert report.verdict == "unavailable"


@pytest.mark.parametrize(("text", "language", "name"), [(GERMAN, "de", "German"), (CHINESE, "zh", "Chinese (Simplified)")])
def test_languages_the_multilingual_model_was_not_trained_on_need_manual_review(tiny, text, language, name):
    ckpt, cfg = tiny
    settings = Settings(studio_detoxify_multilingual_checkpoint=str(ckpt), studio_detoxify_multilingual_config_dir=str(cfg))
    report = check(text, settings, language=language)
    status = _status(report)
    assert status["detoxify"][0] == "unavailable" and f"not {name}" in status["detoxify"][1]
    assert status["profanity-check"][0] == "skipped"
    assert status["bias-rules"] == ("skipped", f"the rules are in English; this text is {name}")
    assert status["claims"] == ("skipped", f"the rules are in English; this text is {name}")
    assert report.verdict == "unavailable"


def test_english_keeps_its_tiers_and_the_rules_name_their_language():
    report = check("We love our customers. Thanks, team!", Settings(), language="en")
    status = _status(report)
    assert status["profanity-check"][0] == "ran" and status["bias-rules"] == ("ran", "rules in English")


def test_a_text_in_another_language_than_the_brief_is_a_finding():
    settings = Settings()
    report = check(GERMAN, settings, language="fr", extras=[language_check("fr", settings)])
    found = [f for f in report.findings if f.category == "language"]
    assert len(found) == 1 and found[0].severity == "warn"
    assert "reads as German" in found[0].note and "asked for French" in found[0].note
    mixed = ("Wir lieben unsere Kundinnen und Kunden, und unser Team arbeitet jeden Tag an neuen Funktionen.\n\n"
             "This paragraph was never translated and still reads as English, which the detector notices.\n")
    report = check(mixed, settings, language="de", extras=[language_check("de", settings)])
    marks = [f for f in report.findings if f.category == "language"]
    assert [f.label for f in marks] == ["paragraph in another language"]
    assert marks[0].text.startswith("This paragraph was never translated")
    assert not [f for f in check(GERMAN, settings, language="de", extras=[language_check("de", settings)]).findings
                if f.category == "language"]
