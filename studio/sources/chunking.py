"""Cutting a source's text into passages a prompt can carry, and the tokens search reads (pure).

A chunk is a run of whole paragraphs of about ``TARGET_CHARS`` (a paragraph longer than
``MAX_CHARS`` is cut at sentence ends); ``text[start:end]`` of the source is the chunk, so a
passage quoted to the writer or shown in the claim ledger is the source's own words.

Tokens: words lower-cased (accents kept: "résumé" is not "resume"), with a possessive ’s dropped;
in Chinese, Japanese and Korean, where words are not separated by spaces, every character and
every pair of neighbouring characters (the usual CJK n-gram approach to lexical search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TARGET_CHARS = 700
MAX_CHARS = 1_200

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    text: str


def _pieces(text: str) -> list[tuple[int, int]]:
    """Paragraph spans, long paragraphs cut at sentence ends into spans of at most MAX_CHARS."""
    out: list[tuple[int, int]] = []
    for m in _PARAGRAPH.finditer(text):
        a, b = m.start(), m.end()
        if not text[a:b].strip():
            continue
        while b - a > MAX_CHARS:
            window = text[a : a + MAX_CHARS]
            cuts = [c.end() for c in _SENTENCE_END.finditer(window) if c.end() > MAX_CHARS // 3]
            cut = cuts[-1] if cuts else (window.rfind(" ", MAX_CHARS // 2) + 1 or MAX_CHARS)
            out.append((a, a + cut))
            a += cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out


def chunk_text(text: str) -> list[Chunk]:
    """The source's passages, in order (see the module docstring)."""
    chunks: list[Chunk] = []
    start = end = None
    for a, b in _pieces(text):
        if start is None:
            start, end = a, b
        elif b - start <= TARGET_CHARS or (end - start) < TARGET_CHARS // 3:
            end = b
        else:
            chunks.append(Chunk(start, end, text[start:end]))
            start, end = a, b
    if start is not None:
        chunks.append(Chunk(start, end, text[start:end]))
    return chunks


def tokens(text: str) -> list[str]:
    """Search tokens of ``text`` (see the module docstring)."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        word = m.group(0)
        if _CJK_RUN.match(word):
            out.extend(word)
            out.extend(word[i : i + 2] for i in range(len(word) - 1))
            continue
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        out.append(word)
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Function words of the studio's languages (bm25s's lists): never what a search is about."""
    import bm25s.stopwords as sw

    words: set[str] = set()
    for name in ("STOPWORDS_EN_PLUS", "STOPWORDS_GERMAN", "STOPWORDS_FRENCH", "STOPWORDS_SPANISH",
                 "STOPWORDS_ITALIAN", "STOPWORDS_PORTUGUESE", "STOPWORDS_DUTCH", "STOPWORDS_SWEDISH",
                 "STOPWORDS_CHINESE"):  # fmt: skip
        words.update(w.lower() for w in getattr(sw, name, ()))
    return frozenset(words)


def search_tokens(text: str) -> list[str]:
    """``tokens`` without function words: what BM25 indexes and queries with."""
    stop = stopwords()
    return [t for t in tokens(text) if t not in stop]
