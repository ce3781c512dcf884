"""Which passage supports a claim, if any (pure, deterministic).

A claim is compared with each passage the draft was written from (the one it cites first):

* its checkable facts must be in the passage: every number (40%, 1,250, 2.5 million, 2024, read
  the same whichever decimal mark the language uses), the words of a quotation in order, the
  superlative itself;
* and the passage must be about the same thing: enough of the claim's content words (names,
  nouns, verbs; not "the", "und", "的") appear in it.

**supported**: all facts found and most content words (≥ ``SUPPORTED_OVERLAP``);
**partly**: some facts found (in a passage about the same thing), or all facts but too little of
the rest, or no facts to check and some overlap; **unsupported**: no passage has its facts (a number that differs counts against
it: "grew 40%" is not supported by "grew 14%"), or nothing to compare with. A ``[NEEDS SOURCE]``
mark is unsupported by definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from studio.claims.extract import QUOTE, SUPERLATIVE, FoundClaim
from studio.sources.chunking import stopwords, tokens

SUPPORTED_OVERLAP = 0.5
PARTLY_OVERLAP = 0.3
# A fact found in a passage counts only when the passage is about the same thing at all (a year
# or a round number turns up everywhere).
FACT_CONTEXT = 0.2
SUPPORT_LEVELS = ("supported", "partly", "unsupported")
SUPPORT_LABELS = {"supported": "Supported", "partly": "Partly supported", "unsupported": "Unsupported"}

_MARKS = re.compile(r"\[(?:S\d+(?:\s*[,;]\s*S\d+)*|NEEDS SOURCE)\]")
_NUMBER = re.compile(r"\d+(?:[.,\u202f\u00a0 ]\d+)*")
_SCALES = {"thousand": 1e3, "k": 1e3, "tausend": 1e3, "mille": 1e3, "mil": 1e3, "miles": 1e3, "tysięcy": 1e3,
           "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "millionen": 1e6, "mio": 1e6, "millones": 1e6,
           "millón": 1e6, "milioni": 1e6, "milhões": 1e6, "milhão": 1e6, "miljoen": 1e6, "milionów": 1e6,
           "miljoner": 1e6, "billion": 1e9, "bn": 1e9, "milliarden": 1e9, "milliarde": 1e9, "mrd": 1e9,
           "milliards": 1e9, "miliardi": 1e9, "bilhões": 1e9, "miljard": 1e9, "miliardów": 1e9, "miljarder": 1e9,
           "万": 1e4, "亿": 1e8, "億": 1e8, "만": 1e4, "억": 1e8}  # fmt: skip
_SCALE_AFTER = re.compile(r"\s?(" + "|".join(sorted(map(re.escape, _SCALES), key=len, reverse=True)) + r")(?![a-z])", re.I)


@dataclass(frozen=True)
class Candidate:
    """A passage the claim may rest on."""

    label: str
    text: str
    source_id: int | None = None
    title: str = ""


@dataclass(frozen=True)
class Support:
    level: str  # supported | partly | unsupported
    score: float
    label: str | None = None
    source_id: int | None = None
    passage: str = ""
    note: str = ""


def parse_number(raw: str) -> float | None:
    """'1,250' → 1250, '2,5' → 2.5, '1.250,5' → 1250.5, '12 000' → 12000."""
    s = raw.replace("\u202f", " ").replace("\u00a0", " ")
    groups = re.split(r"[ ]", s)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        s = "".join(groups)
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = s.replace(",", "") if len(tail) == 3 and head.replace(",", "").isdigit() else head.replace(",", "") + "." + tail
    elif s.count(".") > 1 or (s.count(".") == 1 and len(s.rpartition(".")[2]) == 3 and len(s.partition(".")[0]) <= 3
                                and s.partition(".")[0] != "0"):  # fmt: skip
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def number_items(text: str) -> list[tuple[float, bool]]:
    """Every number in ``text`` with whether it is minor (a year written as one, or a count under
    ten); a number with a scale word after it ("2.5 million") also multiplied out."""
    out: list[tuple[float, bool]] = []
    for m in _NUMBER.finditer(text):
        raw = m.group(0).strip()
        value = parse_number(raw)
        if value is None:
            continue
        minor = value.is_integer() and (0 <= value < 10 or (raw.isdigit() and 1900 <= value <= 2099))
        scale = _SCALE_AFTER.match(text, m.end())
        if scale:
            out.append((round(value * _SCALES[scale.group(1).lower()], 6), False))
            minor = False
        out.append((value, minor))
    return out


def numbers(text: str) -> set[float]:
    """Every number in ``text`` (see number_items)."""
    return {v for v, _ in number_items(text)}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return stopwords() | frozenset("also new now one two many more said says will can may percent per cent".split())


def _fold(word: str) -> str:
    """Lower-cased, accents off, a plural -s off: light matching across small differences."""
    w = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    return w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w


def content_words(text: str) -> set[str]:
    stop = _stopwords()
    words = tokens(re.sub(r"\[(?:S\d+[^\]]*|NEEDS SOURCE)\]", " ", text))
    return {_fold(t) for t in words if t not in stop and not t.isdigit() and (len(t) > 1 or not t.isascii())}


def _quote_found(quote: str, passage: str) -> bool:
    q = [_fold(t) for t in tokens(quote)]
    p = [_fold(t) for t in tokens(passage)]
    if not q:
        return False
    n = len(q)
    need = max(3, int(0.8 * n))
    for i in range(len(p)):
        run = 0
        for j in range(n):
            if i + run < len(p) and p[i + run] == q[j]:
                run += 1
        if run >= need:
            return True
    return False


def judge(claim: FoundClaim, passage: str) -> tuple[str, float, str]:
    """(level, score, why) of one claim against one passage.

    The claim's *key facts* (figures other than years and small counts, quotations, the
    superlative) weigh most: none of them in the passage → unsupported, unless its years or small
    counts are there and most of its wording (partly); some → partly; all, with the years and
    small counts and most of the wording → supported. A claim
    whose only facts are years and small counts is judged on those and its wording."""
    if "needs-source" in claim.kinds:
        return "unsupported", 0.0, "The writer found no source for this and marked it."
    key = key_found = minor = minor_found = 0
    misses: list[str] = []
    bare = _MARKS.sub(" ", claim.text)
    quoted = numbers(" ".join(claim.evidence.get("quote", [])))
    claim_numbers = {v: minor for v, minor in sorted(number_items(bare), key=lambda i: i[1]) if v not in quoted}
    passage_numbers = numbers(passage)
    for n, is_minor in sorted(claim_numbers.items()):
        hit = n in passage_numbers
        if is_minor:
            minor, minor_found = minor + 1, minor_found + hit
        else:
            key, key_found = key + 1, key_found + hit
        if not hit:
            misses.append(f"{n:g}")
    quotes = claim.evidence.get("quote") or [next(g for g in m.groups() if g) for m in QUOTE.finditer(claim.text)]
    for q in quotes:
        key += 1
        if _quote_found(q, passage):
            key_found += 1
        else:
            misses.append("the quotation")
    if "superlative" in claim.kinds:
        key += 1
        if SUPERLATIVE.search(passage):
            key_found += 1
        else:
            misses.append("the superlative")
    cw = content_words(claim.text)
    overlap = len(cw & content_words(passage)) / len(cw) if cw else 0.0
    facts, found = key + minor, key_found + minor_found
    if not facts:
        score = round(overlap, 3)
        if overlap >= SUPPORTED_OVERLAP + 0.15:
            return "supported", score, "The passage says this."
        if overlap >= PARTLY_OVERLAP:
            return "partly", score, "The passage touches on this."
        return "unsupported", score, "No passage says this."
    score = round(0.6 * found / facts + 0.4 * overlap, 3)
    missing = ", ".join(misses[:3])
    if key and not key_found:
        if minor_found and overlap >= SUPPORTED_OVERLAP:
            return "partly", score, f"The passage is about this, but does not have {missing}."
        return "unsupported", score, f"The passage does not have {missing}."
    if found == facts and overlap >= SUPPORTED_OVERLAP:
        return "supported", score, "Its figures, quotations and wording are in the passage."
    if found and overlap >= (FACT_CONTEXT if key else PARTLY_OVERLAP):
        return "partly", score, "The passage has part of it" + (f" (not: {missing})" if misses else
                                                                  " (the rest of the wording differs)") + "."  # fmt: skip
    return "unsupported", score, f"The passage does not have {missing or 'this'}."


_RANK = {"supported": 2, "partly": 1, "unsupported": 0}


def best_support(claim: FoundClaim, passages: Sequence[Candidate], cited: Sequence[str] = ()) -> Support:
    """The passage that supports ``claim`` best (cited ones win ties), or unsupported."""
    if "needs-source" in claim.kinds:
        return Support("unsupported", 0.0, note="The writer found no source for this and marked it.")
    if not passages:
        return Support("unsupported", 0.0, note="No source passages were given for this draft.")
    best: tuple[int, float, int, Candidate, str] | None = None
    for c in passages:
        level, score, why = judge(claim, c.text)
        key = (_RANK[level], score, 1 if c.label in cited else 0, c, why)
        if best is None or key[:3] > best[:3]:
            best = key
    assert best is not None
    rank, score, _, c, why = best
    level = next(k for k, v in _RANK.items() if v == rank)
    unknown = [label for label in cited if label not in {p.label for p in passages}]
    if unknown:
        why += f" It cites {', '.join(unknown)}, which was not among the passages given."
    if level == "unsupported":
        return Support(level, score, note=why)
    return Support(level, score, c.label, c.source_id, c.text, why)
