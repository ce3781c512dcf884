"""Hiding a word from the checks with invisible or lookalike characters does not work.

For every check category, a plain text that the check flags is disguised with each technique
(zero-width characters, a soft hyphen, full-width forms, homoglyphs, combining accents,
precomposed accents, a right-to-left override, a byte-order mark, a word joiner); the disguised
text gets the same finding, and the finding marks the disguised characters of the original text
(so the highlight and "Use suggestion" land where the person sees the word).
"""

from __future__ import annotations

import pytest

from studio.checks.pipeline import check
from studio.checks.shadow import fold, invisible, shadow
from studio.config import Settings

SETTINGS = Settings(studio_banned_terms=["acme rival"], _env_file=None)  # type: ignore[call-arg]

# category -> (plain text, the word or phrase the check flags in it)
CASES = {
    "banned": ("Buy from acme rival today.", "acme rival"),
    "toxicity": ("You are a fucking idiot and everyone knows it.", "fucking"),
    "bias": ("The chairman will decide next week.", "chairman"),
    "pii": ("Write to john.doe@example.com for details.", "john.doe@example.com"),
    "claims": ("Our method is guaranteed to work for everyone.", "guaranteed"),
}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і"}


def zero_width(w: str) -> str:
    return w[:2] + "\u200b" + w[2:]


def soft_hyphen(w: str) -> str:
    return w[:3] + "\u00ad" + w[3:]


def joiner(w: str) -> str:
    return w[:1] + "\u200d" + w[1:] if len(w) > 1 else w


def word_joiner(w: str) -> str:
    return w[:2] + "\u2060" + w[2:]


def full_width(w: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w)


def homoglyphs(w: str) -> str:
    return "".join(CYRILLIC.get(c, c) for c in w)


def combining(w: str) -> str:
    return "".join(c + "\u0301" if c in "aeiou" else c for c in w)


def precomposed(w: str) -> str:
    return w.translate(str.maketrans("aeiou", "áéíóú"))


def rlo(w: str) -> str:
    return "\u202e" + w + "\u202c"


def bom_inside(w: str) -> str:
    return w[:1] + "\ufeff" + w[1:]


TECHNIQUES = {
    "zero-width space": zero_width, "soft hyphen": soft_hyphen, "zero-width joiner": joiner,
    "word joiner": word_joiner, "full-width forms": full_width, "homoglyphs": homoglyphs,
    "combining accents": combining, "precomposed accents": precomposed, "right-to-left override": rlo,
    "byte-order mark": bom_inside,
}  # fmt: skip


def _hits(text: str, category: str):  # type: ignore[no-untyped-def]
    return [f for f in check(text, SETTINGS).findings if f.category == category]


@pytest.mark.parametrize("category", sorted(CASES))
def test_the_plain_text_is_flagged(category):
    text, word = CASES[category]
    assert any(word in f.text for f in _hits(text, category)), category


@pytest.mark.parametrize("technique", sorted(TECHNIQUES))
@pytest.mark.parametrize("category", sorted(CASES))
def test_a_disguised_word_is_flagged_and_marked_where_it_is(category, technique):
    plain, word = CASES[category]
    disguised_word = TECHNIQUES[technique](word)
    assert disguised_word != word
    text = plain.replace(word, disguised_word)
    start = text.index(disguised_word)
    hits = _hits(text, category)
    assert hits, f"{technique} hid {word!r} from the {category} check"
    # The finding covers the disguised word as the original text has it.
    covering = [f for f in hits if f.start <= start + 1 and start + len(disguised_word) - 1 <= f.end]
    assert covering, [(f.start, f.end, f.text) for f in hits]
    f = covering[0]
    assert text[f.start : f.end] == f.text
    assert fold(word) in fold(f.text).lower()


@pytest.mark.parametrize("technique", ["zero-width space", "soft hyphen", "right-to-left override", "byte-order mark",
                                       "word joiner"])
def test_the_invisible_characters_themselves_are_reported(technique):
    text = f"Contact {TECHNIQUES[technique]('sales')} team."
    found = [f for f in check(text, SETTINGS).findings if f.label == "invisible-character"]
    assert found and all(all(not c.isprintable() or c in "\u00ad" for c in f.text) for f in found)
    assert all(text[f.start : f.end] == f.text for f in found)
    assert {f.severity for f in found} == {"warn"}


@pytest.mark.parametrize("text", [
    "Family: 👨\u200d👩\u200d👧 and ❤\ufe0f",         # joiners in emoji sequences, a variation selector
    "\ufeffA text that starts with a byte-order mark.",  # a BOM at the start of a file
    "نامه\u200cها را بخوانید",                           # Persian: the non-joiner is spelling
    "Привет, мир: обычный русский текст.",               # Cyrillic words stay Cyrillic
])  # fmt: skip
def test_characters_that_are_meant_are_not_reported(text):
    assert invisible(text) == []
    assert [f for f in check(text, SETTINGS).findings if f.label == "invisible-character"] == []


def test_a_russian_text_keeps_its_letters_and_a_mixed_word_is_folded():
    assert shadow("Привет мир").text == "Привет мир"
    assert shadow("Buy from асme rival").text == "Buy from acme rival"  # Latin text: Cyrillic lookalikes folded
    assert shadow("хорошо acmе").text == "хорошо acme"  # the mixed word only


def test_the_shadow_maps_every_span_back_to_the_original():
    original = "A ﬁne ca\u0301fe\u0301 ａｃｍｅ\u00ad rival"
    seen = shadow(original)
    assert seen.text == "A fine cafe acme rival"
    start = seen.text.index("acme rival")
    s, e = seen.span(start, start + len("acme rival"))
    assert original[s:e] == "ａｃｍｅ\u00ad rival"
    s, e = seen.span(seen.text.index("cafe"), seen.text.index("cafe") + 4)
    assert original[s:e] == "ca\u0301fe\u0301"  # the accents belong to their letters
    s, e = seen.span(2, 4)  # "fi" comes from one ligature
    assert original[s:e] == "ﬁ"
