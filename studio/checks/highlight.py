"""Checked text with its findings marked in place, as escaped HTML.

Every character of the text is escaped; the only markup is ours (<mark>, <sup>), so model or
user text can never become live HTML. Overlapping findings split the text into segments, each
marked with the most severe finding covering it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Protocol

from studio.checks.report import SEVERITY_RANK

CATEGORY_COLOURS = {
    "toxicity": "#fecaca",
    "banned": "#fca5a5",
    "bias": "#e9d5ff",
    "pii": "#fed7aa",
    "claims": "#fef08a",
    "quality": "#bfdbfe",
    "voice": "#bbf7d0",
    "language": "#c7d2fe",
}


class SpanLike(Protocol):
    category: str
    label: str
    start: int
    end: int
    severity: str
    suggestions: list[str]
    note: str


def _title(f: SpanLike) -> str:
    parts = [f"{f.category} · {f.label} ({f.severity})"]
    if f.suggestions:
        parts.append("Try: " + ", ".join(f.suggestions[:4]))
    if f.note:
        parts.append(f.note)
    return "\n".join(parts)


def highlight_html(text: str, findings: Sequence[SpanLike]) -> str:
    """The text as <div> of escaped HTML, findings as numbered <mark>s (numbers = list order)."""
    spans = [(i, f) for i, f in enumerate(findings, start=1) if 0 <= f.start < f.end <= len(text)]
    cuts = sorted({0, len(text), *(f.start for _, f in spans), *(f.end for _, f in spans)})
    out: list[str] = []
    numbered: set[int] = set()
    for a, b in zip(cuts, cuts[1:]):
        segment = html.escape(text[a:b])
        covering = [(i, f) for i, f in spans if f.start <= a and b <= f.end]
        if not covering:
            out.append(segment)
            continue
        i, top = max(covering, key=lambda p: (SEVERITY_RANK.get(p[1].severity, 0), -p[0]))
        colour = CATEGORY_COLOURS.get(top.category, "#e5e7eb")
        title = html.escape("\n\n".join(_title(f) for _, f in covering), quote=True)
        marks = "".join(f"<sup>{n}</sup>" for n, f in covering if f.end == b and n not in numbered)
        numbered.update(n for n, f in covering if f.end == b)
        underline = "border-bottom:2px solid #b91c1c;" if top.severity == "block" else ""
        out.append(
            f'<mark class="finding {html.escape(top.category)}" title="{title}" '
            f'style="background:{colour};{underline}padding:0 1px;border-radius:2px">{segment}{marks}</mark>'
        )
    body = "".join(out)
    return (
        '<div class="checked-text" style="white-space:pre-wrap;font-family:inherit;line-height:1.6">'
        f"{body}</div>"
    )


def legend_html() -> str:
    items = "".join(
        f'<span style="background:{c};padding:1px 6px;border-radius:3px;margin-right:6px">{html.escape(k)}</span>'
        for k, c in CATEGORY_COLOURS.items()
    )
    return f'<div style="font-size:0.85em">{items}</div>'
