"""Citations in a draft's text: ``[S2]`` (or ``[S1, S3]``) names a passage the writer was given.

On export a preset turns them into numbered footnotes (``[1]`` linking to the source, and a
"Sources" list at the end, in the draft's language), or removes them. A mark that names no
passage of the draft (a writer inventing ``[S9]``) is never turned into a footnote: it is
removed, and the claim ledger reports the statement as unsupported. Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

CITATION = re.compile(r"\s?\[(S\d+(?:\s*[,;]\s*S\d+)*)\]")
_LABEL = re.compile(r"S\d+")
CitationMode = Literal["footnotes", "remove"]
CITATION_MODES: tuple[str, ...] = ("footnotes", "remove")

SOURCES_HEADING = {
    "en": "Sources", "de": "Quellen", "fr": "Sources", "es": "Fuentes", "it": "Fonti", "pt": "Fontes",
    "nl": "Bronnen", "pl": "Źródła", "sv": "Källor", "zh": "来源", "ja": "出典", "ko": "출처",
}  # fmt: skip


@dataclass(frozen=True)
class Cited:
    """What a footnote shows about one passage."""

    title: str
    url: str | None = None


def labels_in(text: str) -> list[str]:
    """The passage ids cited in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in CITATION.finditer(text or ""):
        for label in _LABEL.findall(m.group(1)):
            seen.setdefault(label, None)
    return list(seen)


def cited_passages(text: str, passages: Sequence[Any]) -> list[dict[str, Any]]:
    """The passages ``text`` cites, in order of first citation: ``{"id", "source_id", "title",
    "url", "text"}``; a cited id that names no passage has ``"source_id": None`` and no text."""
    by_label = {p.label: p for p in passages}
    out = []
    for label in labels_in(text):
        p = by_label.get(label)
        out.append({"id": label, "source_id": p.source_id if p else None, "title": p.title if p else "",
                    "url": p.url if p else None, "text": p.text if p else ""})  # fmt: skip
    return out


def remove_citations(text: str) -> str:
    return CITATION.sub("", text or "")


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#!|<>])", r"\\\1", " ".join(text.split()))


def footnotes(text: str, passages: Mapping[str, Cited], language: str = "en") -> str:
    """``text`` with each citation a numbered footnote mark and the numbered sources at the end."""
    numbers: dict[str, int] = {}
    order: list[Cited] = []
    by_source: dict[tuple[str, str | None], int] = {}

    def number(label: str) -> int | None:
        cited = passages.get(label)
        if cited is None:
            return None
        if label not in numbers:
            key = (cited.title, cited.url)
            if key not in by_source:  # two passages of one source share its footnote
                order.append(cited)
                by_source[key] = len(order)
            numbers[label] = by_source[key]
        return numbers[label]

    def mark(m: re.Match[str]) -> str:
        nums = sorted({n for n in (number(label) for label in _LABEL.findall(m.group(1))) if n is not None})
        if not nums:
            return ""
        return "".join(f"[[{n}]]({order[n - 1].url})" if order[n - 1].url else f"[{n}]" for n in nums)

    body = CITATION.sub(mark, text or "")
    if not order:
        return body
    heading = SOURCES_HEADING.get((language or "en").split("-")[0], "Sources")
    lines = [f"{n}. " + (f"[{_escape(c.title)}]({c.url})" if c.url else _escape(c.title)) for n, c in enumerate(order, 1)]
    return body.rstrip() + f"\n\n## {heading}\n\n" + "\n".join(lines) + "\n"


def apply(text: str, mode: CitationMode, passages: Mapping[str, Cited], language: str = "en") -> str:
    return footnotes(text, passages, language) if mode == "footnotes" else remove_citations(text)
