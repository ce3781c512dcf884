"""The languages: native writing instructions in the prompt, and the detector on short texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from studio.drafting.brief import LANGUAGES, Brief
from studio.drafting.prompts import build_messages
from studio.languages.catalog import LANGUAGE_TABLE, writing_instructions
from studio.languages.detect import detect, plain_text

REQUIRED = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "zh", "ja", "ko")
DRAFTS = yaml.safe_load((Path(__file__).resolve().parents[3] / "bench" / "data" / "short_drafts.yaml").read_text("utf-8"))


def test_the_required_languages_are_offered():
    assert set(REQUIRED) <= set(LANGUAGES)


@pytest.mark.parametrize("code", REQUIRED)
def test_the_prompt_makes_the_model_write_natively(code):
    lang = next(lang for lang in LANGUAGE_TABLE if lang.code == code)
    system, human = build_messages(Brief.create(content_type="blog", topic="Planning", language=code, formality=2))
    assert lang.instruction in system.content and lang.conventions in system.content
    if code != "en":
        assert f"Write in {lang.name} from the first word" in system.content
        assert "do not draft in English and translate" in system.content
        assert lang.address[0] in system.content  # formal address at formality 2
    assert f"Language: {lang.name}" in human.content


def test_formality_picks_the_form_of_address():
    assert "„Sie“" in writing_instructions("de", 2) and "„du“" in writing_instructions("de", 5)
    assert "您" in writing_instructions("zh", 1) and "你" in writing_instructions("zh", 4)


@pytest.mark.parametrize("code", REQUIRED)
def test_the_detector_names_each_language_of_a_short_draft(code):
    for text in DRAFTS[code][:3]:
        assert detect(text).code == code, text


def test_markdown_links_marks_and_code_are_not_language():
    text = "# Titel\n\nUnser Team [S1] plant [NEEDS SOURCE] mit `code()` und [Link](https://example.com/english-words)."
    assert "S1" not in plain_text(text) and "https" not in plain_text(text) and "code" not in plain_text(text)
    assert detect("Hi.").known is False
