"""Repetition across the sections of a long-form draft. Pure.

`repeated_share` is the figure the benchmark reports: the share of 5-word sequences that occur
in more than one section. `repetition_findings` is what the marketer acts on: sentences that
appear in two sections, long runs of the same words, and sentences that make the same point in
other words (most of their content words shared).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "for", "with", "at", "by", "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "you", "your", "we", "our", "they", "their", "he", "she", "his", "her", "i", "my", "me", "us", "them", "not", "no", "so", "if", "then", "than", "too", "very", "can", "will", "would", "should", "could", "may", "might", "do", "does", "did", "have", "has", "had", "just", "also", "more", "most", "such", "into", "about", "over", "out", "up", "what", "which", "who", "when", "where", "why", "how", "all", "any", "each", "every", "some", "one"]
)
MAX_FINDINGS = 30


@dataclass(frozen=True)
class RepetitionFinding:
    kind: str  # sentence | phrase | idea
    text: str
    sections: tuple[int, ...]  # indexes into the sections given
    other: str = ""  # for an idea: the other sentence

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "sections": list(self.sections), "other": self.other}


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _prose(text: str) -> str:
    """The text without Markdown headings (a heading is not repetition)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def shingles(text: str, n: int = 5) -> list[tuple[str, ...]]:
    words = _words(_prose(text))
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def repeated_share(texts: list[str], n: int = 5) -> float:
    """Of all n-word sequences in the sections, the share that also occurs in another section."""
    per = [shingles(t, n) for t in texts]
    where: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for i, grams in enumerate(per):
        for g in grams:
            where[g].add(i)
    total = sum(len(g) for g in per)
    if not total:
        return 0.0
    repeated = sum(1 for grams in per for g in grams if len(where[g]) > 1)
    return repeated / total


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(_prose(text)) if len(_words(s)) >= 4]


def _content(sentence: str) -> frozenset[str]:
    return frozenset(w for w in _words(sentence) if w not in _STOP and len(w) > 2)


def repetition_findings(texts: list[str], *, n: int = 5, min_run: int = 8, idea_overlap: float = 0.6) -> list[RepetitionFinding]:
    found: list[RepetitionFinding] = []
    seen_text: set[str] = set()

    # Whole sentences in more than one section.
    by_sentence: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, t in enumerate(texts):
        for s in _sentences(t):
            by_sentence[" ".join(_words(s))].append((i, s))
    for key, hits in by_sentence.items():
        where = tuple(sorted({i for i, _ in hits}))
        if len(where) > 1:
            found.append(RepetitionFinding("sentence", hits[0][1], where))
            seen_text.add(key)

    # Long runs of the same words (5-word sequences merged into runs) in two sections.
    words = [_words(_prose(t)) for t in texts]
    index: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for i, ws in enumerate(words):
        for k in range(len(ws) - n + 1):
            index[tuple(ws[k : k + n])].append((i, k))
    for i, ws in enumerate(words):
        k = 0
        while k <= len(ws) - n:
            gram = tuple(ws[k : k + n])
            others = [(j, m) for j, m in index[gram] if j > i]
            if not others:
                k += 1
                continue
            j, m = others[0]
            length = n
            while k + length < len(ws) and m + length < len(words[j]) and ws[k + length] == words[j][m + length]:
                length += 1
            run = " ".join(ws[k : k + length])
            if length >= min_run and not any(run in s for s in seen_text):
                found.append(RepetitionFinding("phrase", run, (i, j)))
                seen_text.add(run)
            k += length
    # The same point made in other words.
    sents = [(i, s, _content(s)) for i, t in enumerate(texts) for s in _sentences(t)]
    for a in range(len(sents)):
        i, s, cs = sents[a]
        if len(cs) < 4:
            continue
        for b in range(a + 1, len(sents)):
            j, u, cu = sents[b]
            if j == i or len(cu) < 4:
                continue
            overlap = len(cs & cu) / len(cs | cu)
            if overlap >= idea_overlap and " ".join(_words(s)) != " ".join(_words(u)):
                found.append(RepetitionFinding("idea", s, (i, j), other=u))
                break
        if len(found) >= MAX_FINDINGS:
            break
    return found[:MAX_FINDINGS]
