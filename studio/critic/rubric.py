"""The critic's rubric (pure): score a draft on five dimensions, flag the passages to rewrite,
and put rewritten passages back without touching anything else.

Dimensions, each scored from 0 (poor) to 1 (good):

- on brief: how many of the brief's keywords and topic words the text uses, and how many of its
  paragraphs touch none of them (those paragraphs are flagged);
- repetition: a sentence said again (word for word, or the same point in other words in
  another section; the checks' repetition findings too) is flagged where it comes back; the
  score is the share of sentences that are not repeats;
- unsupported claims: the checks' claim findings (guarantees, superlatives, "studies show",
  facts no source supports); 1 / (1 + number of claims flagged);
- voice match: the brand voice's match score, with the voice rules' findings flagged; not scored
  when the draft has no brand voice;
- reading ease: Flesch reading ease over 70 (plain marketing English scores 60-70) counts as 1;
  sentences longer than LONG_SENTENCE_WORDS words are flagged.

The model critic's scores (1-10 per dimension) are averaged with these, and its flags (quotes
from the text with a note) are added. A flag is widened to the whole sentences it touches (a
paragraph flag stays a paragraph), flags that overlap are merged into one passage, and headings
are never flagged: the rewrite changes those passages and leaves every other character as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from studio.checks.report import Report
from studio.checks.text import flesch_reading_ease
from studio.writing.blocks import split_blocks
from studio.writing.repetition import repetition_findings

DIMENSIONS: dict[str, str] = {
    "on_brief": "On brief",
    "repetition": "Repetition",
    "claims": "Unsupported claims",
    "voice": "Voice match",
    "reading_ease": "Reading ease",
}
# Flags from the other checks (bias, banned terms, toxicity): rewritten too, not a rubric score.
OTHER_CHECKS = "checks"
FLAG_LABELS = {**DIMENSIONS, OTHER_CHECKS: "Checks"}
REWRITTEN_CATEGORIES = {"claims": "claims", "voice": "voice", "bias": OTHER_CHECKS, "banned": OTHER_CHECKS,
                        "toxicity": OTHER_CHECKS}  # fmt: skip
LONG_SENTENCE_WORDS = 30
EASE_TARGET = 70.0
MIN_PARAGRAPH_WORDS = 25  # shorter paragraphs (a call to action, a list item) are not judged on topic

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"'”’)\]]*|$)")
_STOP = frozenset("a an the and or but of to in on for with at by from as is are be it its this that your our "
                  "how what why when who which into about more most you we they their".split())  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Flag:
    dimension: str
    start: int
    end: int
    note: str
    whole_paragraph: bool = False


@dataclass(frozen=True)
class Passage:
    """A stretch of the text to rewrite (whole sentences or a paragraph) and the notes on it."""

    start: int
    end: int
    text: str
    notes: tuple[str, ...]
    dimensions: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "notes": list(self.notes),
                "dimensions": [FLAG_LABELS[d] for d in self.dimensions]}  # fmt: skip


@dataclass
class Assessment:
    """One reading of a text: a score per dimension (None: not scored), the flags, and the number
    of findings the checks reported."""

    scores: dict[str, float | None]
    flags: list[Flag] = field(default_factory=list)
    findings: int = 0
    model_notes: str = ""

    @property
    def total(self) -> float:
        known = [s for s in self.scores.values() if s is not None]
        return sum(known) / len(known) if known else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"total": round(self.total, 3), "findings": self.findings, "flags": len(self.flags),
                "scores": {DIMENSIONS[k]: (None if v is None else round(v, 3)) for k, v in self.scores.items()}}


@dataclass(frozen=True)
class ModelView:
    """What the model critic said: scores from 1 to 10 per dimension, and flags by quotation."""

    scores: Mapping[str, float] = field(default_factory=dict)
    flags: Sequence[tuple[str, str, str]] = ()  # (dimension, quote, note)
    notes: str = ""


# -- the text's parts -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def paragraphs(text: str) -> list[Span]:
    """The prose paragraphs (headings and the title left out), as character spans."""
    out: list[Span] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        chunk = m.group(0)
        if chunk.lstrip().startswith("#") or not chunk.strip():
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append(Span(m.start() + lead, m.start() + len(chunk.rstrip())))
    return out


def sentences(text: str) -> list[Span]:
    """Sentences of the prose paragraphs, as character spans without surrounding spaces."""
    out: list[Span] = []
    for p in paragraphs(text):
        for m in _SENTENCE.finditer(text, p.start, p.end):
            raw = m.group(0)
            if not raw.strip():
                continue
            lead = len(raw) - len(raw.lstrip())
            out.append(Span(m.start() + lead, m.start() + len(raw.rstrip())))
    return out


# -- the checks' side of the rubric -----------------------------------------------------------


def _brief_terms(topic: str, keywords: Sequence[str]) -> tuple[list[str], list[str]]:
    topic_words = [w for w in dict.fromkeys(_words(topic)) if w not in _STOP and len(w) > 3]
    return [k.casefold() for k in keywords if k.strip()], topic_words


def _on_brief(text: str, topic: str, keywords: Sequence[str]) -> tuple[float, list[Flag]]:
    keys, topic_words = _brief_terms(topic, keywords)
    lowered = " ".join(_words(text))
    found = [k for k in keys if " ".join(_words(k)) in lowered]
    words_found = [w for w in topic_words if w in set(_words(text))]
    parts = []
    if keys:
        parts.append(len(found) / len(keys))
    if topic_words:
        parts.append(len(words_found) / len(topic_words))
    coverage = sum(parts) / len(parts) if parts else 1.0
    terms = {w for k in keys for w in _words(k)} | set(topic_words)
    flags, judged = [], 0
    for p in paragraphs(text):
        ws = _words(text[p.start : p.end])
        if len(ws) < MIN_PARAGRAPH_WORDS or not terms:
            continue
        judged += 1
        if not terms & set(ws):
            flags.append(Flag("on_brief", p.start, p.end, "This paragraph does not touch the brief's topic or keywords: "
                              "bring it back to the brief.", whole_paragraph=True))  # fmt: skip
    off_share = len(flags) / judged if judged else 0.0
    return 0.5 * coverage + 0.5 * (1 - off_share), flags


def _repetition(text: str) -> tuple[float, list[Flag]]:
    spans = sentences(text)
    flags: list[Flag] = []
    seen: set[str] = set()
    for s in spans:
        key = " ".join(_words(text[s.start : s.end]))
        if len(key.split()) >= 4 and key in seen:
            flags.append(Flag("repetition", s.start, s.end, "This sentence says again, word for word, what the "
                              "text said before: cut it or make a new point."))  # fmt: skip
        seen.add(key)
    # The same point in other words, in another section: flag its second telling.
    _, blocks = split_blocks(text)
    for f in repetition_findings([b.text for b in blocks]):
        if f.kind != "idea" or not f.other:
            continue
        later = blocks[max(f.sections)]
        at = text.find(f.other, later.start, later.end)
        if at >= 0:
            flags.append(Flag("repetition", at, at + len(f.other), "This makes a point an earlier section made "
                              "already: refer back in a few words, or say something new."))  # fmt: skip
    repeats = len({(f.start, f.end) for f in flags})
    return (1 - repeats / len(spans)) if spans else 1.0, flags


def _reading_ease(text: str) -> tuple[float | None, list[Flag]]:
    flags = []
    for s in sentences(text):
        n = len(_words(text[s.start : s.end]))
        if n > LONG_SENTENCE_WORDS:
            flags.append(Flag("reading_ease", s.start, s.end, f"A long sentence ({n} words): split it in two "
                              "or say it more simply."))  # fmt: skip
    prose = "\n\n".join(text[p.start : p.end] for p in paragraphs(text))
    ease = flesch_reading_ease(prose) if prose.strip() else None
    return (None if ease is None else max(0.0, min(1.0, ease / EASE_TARGET))), flags


def _finding_flags(text: str, report: Report | None) -> tuple[int, int, list[Flag]]:
    """(claim findings, all findings, flags) from the checks' report."""
    if report is None:
        return 0, 0, []
    flags, claims = [], 0
    for f in report.findings:
        if f.category == "claims":
            claims += 1
        dimension = REWRITTEN_CATEGORIES.get(f.category)
        if f.category == "quality" and f.label.startswith("repe"):  # repeated-sentence, repetition
            dimension = "repetition"
        if dimension is None or f.document_level or f.severity == "info" or f.end > len(text):
            continue
        why = f.note or f.label
        hint = f" (e.g. {', '.join(f.suggestions[:2])})" if f.suggestions else ""
        flags.append(Flag(dimension, f.start, f.end, f"{f.label.capitalize()}: “{f.text}”. {why}{hint}"))
    return claims, len(report.findings), flags


def _quote_flags(text: str, quotes: Iterable[tuple[str, str, str]]) -> list[Flag]:
    flags = []
    for dimension, quote, note in quotes:
        quote = quote.strip().strip("\"“”")
        if len(quote) < 4 or dimension not in FLAG_LABELS:
            continue
        # A repeat is rewritten where it comes back, never where it was first said.
        find = text.rfind if dimension == "repetition" else text.find
        at = find(quote)
        if at < 0:
            at = (text.casefold().rfind if dimension == "repetition" else text.casefold().find)(quote.casefold())
        if at >= 0:
            flags.append(Flag(dimension, at, at + len(quote), note.strip() or FLAG_LABELS[dimension]))
    return flags


def assess(
    text: str, *, topic: str, keywords: Sequence[str], report: Report | None, voice_score: float | None,
    model: ModelView | None = None,
) -> Assessment:  # fmt: skip
    """The rubric's reading of ``text``: the checks' report of it, the brand voice's match score
    (None: no brand voice) and, when a model critic ran, what it said."""
    on_brief, brief_flags = _on_brief(text, topic, keywords)
    repetition, repeat_flags = _repetition(text)
    ease, ease_flags = _reading_ease(text)
    claims, findings, check_flags = _finding_flags(text, report)
    scores: dict[str, float | None] = {
        "on_brief": on_brief, "repetition": repetition, "claims": 1 / (1 + claims), "voice": voice_score,
        "reading_ease": ease,
    }  # fmt: skip
    flags = brief_flags + repeat_flags + ease_flags + check_flags
    notes = ""
    if model is not None:
        for key, value in model.scores.items():
            if key in scores and scores[key] is not None:
                scores[key] = (scores[key] + max(0.0, min(1.0, value / 10))) / 2  # type: ignore[operator]
        flags += _quote_flags(text, model.flags)
        notes = model.notes
    return Assessment(scores, flags, findings, notes)


# -- from flags to passages and back ----------------------------------------------------------


def passages(text: str, flags: Sequence[Flag]) -> list[Passage]:
    """The passages to rewrite: each flag widened to the sentences it touches (or its
    paragraph), overlapping ones merged, in text order."""
    sents = sentences(text)
    paras = paragraphs(text)
    wide: list[tuple[int, int, Flag]] = []
    for f in flags:
        if f.whole_paragraph:
            span = next((p for p in paras if p.start <= f.start < p.end), None)
            if span is not None:
                wide.append((span.start, span.end, f))
            continue
        touched = [s for s in sents if s.start < max(f.end, f.start + 1) and f.start < s.end]
        if touched:
            wide.append((touched[0].start, touched[-1].end, f))
    wide.sort(key=lambda w: (w[0], w[1]))
    merged: list[list[Any]] = []
    for start, end, f in wide:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(f)
        else:
            merged.append([start, end, [f]])
    out = []
    for start, end, fs in merged:
        notes = tuple(dict.fromkeys(f"{FLAG_LABELS[f.dimension]}: {f.note}" for f in fs))
        dims = tuple(dict.fromkeys(f.dimension for f in fs))
        out.append(Passage(start, end, text[start:end], notes, dims))
    return out


def clean_replacement(original: str, new: str | None) -> str | None:
    """A model's rewrite of one passage, fit to go back where it came from; None when it is not
    (empty, a heading, or far longer than the passage)."""
    if new is None:
        return None
    new = new.strip().strip("\"“”").strip()
    if not new or re.search(r"^\s*#", new, re.MULTILINE) or len(new) > 3 * len(original) + 200:
        return None
    if "\n\n" not in original:
        new = " ".join(new.split())  # a sentence stays inside its paragraph
    return new


def apply(text: str, replacements: Sequence[tuple[Passage, str]]) -> str:
    """``text`` with each passage replaced; every character outside the passages is kept."""
    out = text
    for passage, new in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        assert out[passage.start : passage.end] == passage.text
        out = out[: passage.start] + new + out[passage.end :]
    return out
