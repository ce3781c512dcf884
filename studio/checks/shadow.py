"""The text the checks read: a normalised shadow of the original, with a map back to it.

Invisible characters, compatibility forms, accents and lookalike letters let a word slip past a
rule that reads it character by character ("ac\\u00adme rival", "ａｃｍｅ", "асme" with Cyrillic
letters, "acme\\u0301"). Every check reads the shadow instead:

1. invisible format characters are dropped (zero-width space, joiner and non-joiner, word
   joiner, soft hyphen, byte-order mark, bidirectional controls, tag characters...);
2. each character is NFKC-folded (full-width and styled letters, ligatures, superscripts,
   non-breaking spaces);
3. accents on Latin letters are removed (precomposed or combining), so "acmé" and
   "acme\\u0301" read as "acme"; marks of other scripts stay (in Cyrillic, "й" is a letter);
4. letters that look like Latin ones (Cyrillic "а", Greek "ο", "ı"...) are read as those, in a
   word that also has Latin letters and everywhere in a text that is mostly Latin.

`Shadow.span` maps a span of the shadow back to the original, so a finding marks the characters
the person sees, hidden ones included ("ac\\u00adme rival" is marked whole). `fold` applies the
same steps to rule phrases and listed terms, so both sides are read alike. `invisible` finds the
invisible characters themselves, which the checks also report.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Format characters that are invisible in running text and never needed to read a word.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner, LRM, RLM
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidirectional isolates, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x1D173, 0x1D17A),  # musical format characters
    (0xE0000, 0xE007F),  # tags
    (0xE0100, 0xE01EF),  # variation selectors supplement
)

# Letters that look like Latin letters (after Unicode TR39's confusables), one for one.
CONFUSABLES: dict[str, str] = dict(
    zip(
        # Cyrillic
        "аеорсухіјѕԁһԛԝӏɡӀАВЕКМНОРСТУХЅІЈԌԚԜҮѵѴ"
        # Greek
        "οαινρκτυχϲεΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹ"
        # Latin and IPA lookalikes, Armenian and Cherokee
        "ıɑɩǀƖʟꞮօոսᎪᏴᏟᎠᎬᎻᏆᏦᎷᏃᏞᏢᏚᎢᏙᏔ",
        "aeopcyxijsdhqwlglABEKMHOPCTYXSIJGQWYvV"
        "oaivpktuxceABEZHIKMNOPTYXC"
        "iailllIounABCDEHIKMZLPSTVW",
        strict=True,
    )
)

_SCRIPTS_WITH_FOLDED_ACCENTS = ("LATIN",)


def _invisible_table() -> frozenset[int]:
    return frozenset(c for lo, hi in _INVISIBLE_RANGES for c in range(lo, hi + 1))


INVISIBLE = _invisible_table()


def is_invisible(ch: str) -> bool:
    return ord(ch) in INVISIBLE


@lru_cache(maxsize=8192)
def _accents_fold(ch: str) -> bool:
    """Is ``ch`` a letter whose accents the shadow removes (a Latin one)?"""
    if ch.isascii():
        return ch.isalpha()
    return unicodedata.name(ch, "").startswith(_SCRIPTS_WITH_FOLDED_ACCENTS)


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """One character of the original as the shadow reads it, before lookalikes (may be "" or
    several characters)."""
    if ord(ch) in INVISIBLE:
        return ""
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = []
    for c in decomposed:
        if unicodedata.combining(c) and kept and _accents_fold(kept[-1]):
            continue
        kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept))


def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Me")


@dataclass(frozen=True)
class Shadow:
    """``text`` is what the checks read; ``starts[i]``/``ends[i]`` the original characters that
    shadow character ``i`` stands for. ``None`` maps: the shadow is the original."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def identical(self) -> bool:
        return self.starts is None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of shadow span [start, end) (an empty span stays empty)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]


def shadow(text: str) -> Shadow:
    """The shadow of ``text`` (see the module's doc)."""
    if text.isascii():
        return Shadow(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            starts.append(i)
            ends.append(i + 1)
            continue
        if ord(ch) in INVISIBLE:
            continue
        if _is_mark(ch) and out and _accents_fold(out[-1]):
            ends[-1] = i + 1  # an accent on the letter before: it belongs to that letter
            continue
        for c in _fold_char(ch):
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    _fold_lookalikes(out)
    folded = "".join(out)
    if folded == text:
        return Shadow(text, text)
    return Shadow(text, folded, tuple(starts), tuple(ends))


def _fold_lookalikes(chars: list[str]) -> None:
    """Lookalike letters read as Latin ones: in words with Latin letters, and everywhere when
    the text is mostly Latin (a Russian text keeps its Cyrillic words)."""
    if not any(c in CONFUSABLES for c in chars):
        return
    latin = sum(1 for c in chars if c.isascii() and c.isalpha())
    lookalike_script = sum(1 for c in chars if not c.isascii() and c.isalpha())
    everywhere = latin >= lookalike_script
    n = len(chars)
    i = 0
    while i < n:
        if not chars[i].isalpha():
            i += 1
            continue
        j = i
        while j < n and (chars[j].isalpha() or chars[j] in "'’"):
            j += 1
        word = chars[i:j]
        if everywhere or any(c.isascii() for c in word):
            for k in range(i, j):
                chars[k] = CONFUSABLES.get(chars[k], chars[k])
        i = j


def fold(text: str) -> str:
    """The shadow's text for a rule phrase or a listed term."""
    return shadow(text).text


@dataclass(frozen=True)
class InvisibleRun:
    start: int
    end: int
    names: tuple[str, ...]


def _between(text: str, i: int, j: int, test) -> bool:  # type: ignore[no-untyped-def]
    return i > 0 and j < len(text) and test(text[i - 1]) and test(text[j])


def _pictographic(ch: str) -> bool:
    return ord(ch) >= 0x2190 and unicodedata.category(ch) in ("So", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF


def _joins_a_script(ch: str) -> bool:
    """A letter of a script that writes with joiners or direction marks (Arabic, Hebrew,
    Persian, the Indic scripts...): there they are spelling, not hiding."""
    return ch.isalpha() and not _accents_fold(ch) or _is_mark(ch)


def invisible(text: str) -> list[InvisibleRun]:
    """Runs of invisible characters that hide something: not a joiner inside an emoji sequence,
    a variation selector after a symbol, or a joiner or direction mark between letters of a
    script that needs them."""
    if text.isascii():
        return []
    runs: list[InvisibleRun] = []
    i, n = 0, len(text)
    while i < n:
        if ord(text[i]) not in INVISIBLE:
            i += 1
            continue
        j = i
        while j < n and ord(text[j]) in INVISIBLE:
            j += 1
        run = text[i:j]
        meant = (
            (set(run) <= {"\u200d", "\ufe0f", "\ufe0e"} and i > 0 and _pictographic(text[i - 1]))
            or (set(run) <= {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"} and _between(text, i, j, _joins_a_script))
            or (set(run) <= set(chr(c) for c in range(0xFE00, 0xFE10)) and i > 0 and not text[i - 1].isascii())
            or (run == "\ufeff" and i == 0)
        )  # fmt: skip
        if not meant:
            names = tuple(dict.fromkeys(unicodedata.name(c, f"U+{ord(c):04X}") for c in run))
            runs.append(InvisibleRun(i, j, names))
        i = j
    return runs
