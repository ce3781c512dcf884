"""Quality checks: repeated sentences, repeated word n-grams, length against the brief's target,
and Flesch reading ease."""

from __future__ import annotations

import re
from collections import defaultdict

from studio.checks.report import Finding
from studio.checks.text import Span, flesch_reading_ease, sentences, token_norms, words

NGRAM = 4            # a phrase of this many words...
NGRAM_REPEATS = 3    # ...seen this many times is flagged (2nd and later occurrences)
MIN_SENTENCE_WORDS = 4
HARD_TO_READ = 30.0  # Flesch below this: "very difficult" (college graduate level)
MIN_READABILITY_WORDS = 20  # too few words for a meaningful score

_STRIP = re.compile(r"[^\w\s]")


def _norm_sentence(s: str) -> str:
    return " ".join(_STRIP.sub(" ", s.lower()).split())


def check_quality(
    text: str,
    *,
    target_words: int | None = None,
    sents: list[Span] | None = None,
    toks: list[Span] | None = None,
) -> tuple[list[Finding], dict]:
    sents = sentences(text) if sents is None else sents
    toks = words(text) if toks is None else toks
    signals: dict = {"word_count": len(toks), "sentence_count": len(sents)}
    findings, repeated_spans = _repeated_sentences(sents)
    phrases, signals["repeated_ngrams"] = _repeated_phrases(text, toks, repeated_spans)
    findings += phrases
    if target_words:
        findings += _length(len(toks), target_words, signals)
    fre = flesch_reading_ease(text, toks, sents)
    signals["flesch_reading_ease"] = fre
    if fre is not None and len(toks) >= MIN_READABILITY_WORDS and fre < HARD_TO_READ:
        findings.append(
            Finding(
                "quality", "readability", 0, 0, "", "info", score=None,
                suggestions=[],
                rule="quality.readability",
                note=f"Flesch reading ease {fre} (below {HARD_TO_READ:.0f}: very difficult to read); use shorter sentences and words.",
            )
        )
    return findings, signals


def _repeated_sentences(sents: list[Span]) -> tuple[list[Finding], list[tuple[int, int]]]:
    """A finding for every sentence that already appeared, and where those repeats are."""
    findings: list[Finding] = []
    seen: dict[str, Span] = {}
    repeated_spans: list[tuple[int, int]] = []
    for s in sents:
        key = _norm_sentence(s.text)
        if len(key.split()) < MIN_SENTENCE_WORDS:
            continue
        if key in seen:
            first = seen[key]
            findings.append(
                Finding(
                    "quality", "repeated-sentence", s.start, s.end, s.text, "warn",
                    suggestions=[],
                    rule="quality.repeated_sentence",
                    note=f"This sentence already appears at character {first.start}; delete or rephrase it.",
                )
            )
            repeated_spans.append((s.start, s.end))
        else:
            seen[key] = s
    return findings, repeated_spans


def _repeated_phrases(
    text: str, toks: list[Span], repeated_spans: list[tuple[int, int]]
) -> tuple[list[Finding], int]:
    """Word n-grams seen NGRAM_REPEATS times or more (outside sentences already flagged as
    repeats): one finding per run of covered words, and how many distinct n-grams repeat."""
    covered, repeated_ngrams = _covered_by_repeats(token_norms(toks))
    findings: list[Finding] = []
    i = 0
    while i < len(toks):
        if not covered[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and covered[j + 1]:
            j += 1
        s, e = toks[i].start, toks[j].end
        if not any(a <= s and e <= b for a, b in repeated_spans):
            findings.append(
                Finding(
                    "quality", "repetition", s, e, text[s:e], "warn",
                    suggestions=[],
                    rule="quality.repeated_ngram",
                    note=f"A {NGRAM}-word phrase here appears {NGRAM_REPEATS} or more times in the text; vary the wording.",
                )
            )
        i = j + 1
    return findings, repeated_ngrams


def _covered_by_repeats(norms: list[str]) -> tuple[list[bool], int]:
    """Which words belong to a second or later occurrence of a repeated n-gram."""
    occ: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(norms) - NGRAM + 1):
        occ[tuple(norms[i : i + NGRAM])].append(i)
    covered = [False] * len(norms)
    repeated_ngrams = 0
    for idxs in occ.values():
        if len(idxs) < NGRAM_REPEATS:
            continue
        repeated_ngrams += 1
        last = -NGRAM
        kept = []
        for i in idxs:  # ignore self-overlapping occurrences ("very very very very very")
            if i >= last + NGRAM:
                kept.append(i)
                last = i
        if len(kept) < NGRAM_REPEATS:
            continue
        for i in kept[1:]:
            for j in range(i, i + NGRAM):
                covered[j] = True
    return covered, repeated_ngrams


def _length(n: int, target_words: int, signals: dict) -> list[Finding]:
    ratio = n / target_words
    signals["target_words"] = target_words
    signals["length_ratio"] = round(ratio, 2)
    off = abs(ratio - 1.0)
    if off <= 0.25:
        return []
    sev = "warn" if off > 0.5 else "info"
    direction = "shorter" if ratio < 1 else "longer"
    return [
        Finding(
            "quality", "length", 0, 0, "", sev,
            suggestions=[],
            rule="quality.length",
            note=f"{n} words against a target of {target_words} ({abs(round((ratio - 1) * 100))}% {direction}).",
        )
    ]
