"""Text helpers shared by the checks: sentences and words with character offsets."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Abbreviations whose trailing period does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd",
    "co", "corp", "no", "fig", "approx", "dept", "est", "u.s", "u.k", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ave", "rd",
}

# A sentence ends at ., ! or ? (possibly repeated, possibly followed by closing quotes or
# brackets) followed by whitespace, or at a line break that starts a new block (blank line,
# Markdown heading or list item), or at the end of the text.
_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)|\n\s*\n|\n(?=\s*(?:[#>*+-]|\d+[.)])\s)""")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


class Span(NamedTuple):
    """A piece of the checked text: ``text == checked[start:end]``."""

    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """Split `text` into sentences with offsets; whitespace around each sentence is excluded.

    ``text[s.start:s.end] == s.text`` for every span. Empty text gives an empty list.
    """
    out: list[Span] = []
    pos = 0
    for m in _END.finditer(text):
        if m.group(0)[0] == ".":
            # "Dr. Smith", "e.g. this": not a sentence end.
            before = text[pos : m.start()]
            last = re.search(r"([A-Za-z.]+)$", before)
            if last and last.group(1).lower().strip(".") in _ABBREV:
                continue
            # "3.5" cannot match (needs whitespace after), single capital initials "J. Doe".
            if last and len(last.group(1)) == 1 and last.group(1).isupper():
                continue
        _add(text, pos, m.end(), out)
        pos = m.end()
    _add(text, pos, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end, text[start:end]))


def words(text: str) -> list[Span]:
    """Words (letters/digits with inner apostrophes) with offsets."""
    return [Span(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


_VOWELS = re.compile(r"[aeiouy]+")


def token_norms(toks: list[Span]) -> list[str]:
    """`normalize` for word tokens (which never contain spaces or hyphens), but cheaper."""
    return [t.text.lower().replace("’", "'") for t in toks]


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Rough English syllable count (vowel groups, silent final e), at least 1."""
    w = word.lower().strip("'’")
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(_VOWELS.findall(w)))


def flesch_reading_ease(
    text: str, toks: list[Span] | None = None, sents: list[Span] | None = None
) -> float | None:
    """Flesch reading ease (higher is easier; 60-70 is plain English). None without words."""
    toks = words(text) if toks is None else toks
    ws = [w.text for w in toks if not w.text.isdigit()]
    if not ws:
        return None
    n_sent = max(1, len(sentences(text) if sents is None else sents))
    n_syl = sum(syllables(w) for w in ws)
    return round(206.835 - 1.015 * (len(ws) / n_sent) - 84.6 * (n_syl / len(ws)), 1)


def phrase_pattern(phrase: str) -> str:
    """Regex source for a literal phrase: case-insensitive use assumed, words separated by any
    run of spaces or hyphens, curly/straight apostrophes interchangeable."""
    parts = re.split(r"[\s\-]+", phrase.strip())
    esc = []
    for p in parts:
        e = re.sub(r"['’]", "['’]", re.escape(p))
        esc.append(e)
    return r"[\s\-]+".join(esc)


def bounded(pattern: str) -> str:
    """Wrap a pattern so it matches whole words only (no letter/digit/underscore either side).

    Uses look-arounds rather than \\b so phrases that start or end with punctuation ("#1") work.
    """
    return r"(?<![\w])(?:" + pattern + r")(?![\w])"


def normalize(s: str) -> str:
    """Lower-case, apostrophes unified, runs of spaces/hyphens as one space."""
    return re.sub(r"[\s\-]+", " ", s.replace("’", "'").lower()).strip()
