"""The one way the app shows text that came from a person or a model.

Streamlit renders Markdown almost everywhere (messages, captions, labels, table cells), and
Markdown loads remote images, follows ``data:`` and ``javascript:`` links and, in places, shows
raw HTML. Text a person typed (a topic, a display name, a comment) or a model or an AI server
sent (a draft, an error message) therefore never reaches Streamlit as Markdown:

- `inline(text)`: for a label or a message sentence: every Markdown character escaped, so it
  shows as typed (no emphasis, links, images, emoji codes, colour directives or maths);
- `markdown(text)` / `stream_markdown(pieces)`: for a draft's body: Markdown rendered to HTML by
  the studio's own renderer (raw HTML shown as text) and reduced to an allowlist with no images
  (an image shows as its alt text), no styles, and links only to http(s) and mailto;
- `message(kind, text)`: ``st.error`` and its kin with the text escaped.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator

import nh3
import streamlit as st

from studio.content import clean_text, render_markdown

# What makes Markdown of plain text anywhere in a line (emphasis, code, links and images, raw
# HTML, tables, strike-through, maths, entities), and what does only at the start of a line
# (headings, lists, quotes, setext underlines).
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|~$&])")
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))", re.MULTILINE)

_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "blockquote", "pre",
    "code", "em", "strong", "a", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "span": {"class"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r'\balt="([^"]*)"', re.IGNORECASE)


def inline(text: object, *, multiline: bool = False) -> str:
    """``text`` for a Streamlit Markdown context (a label, a message): shown exactly as typed."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", clean_text(str(text or "")))
    escaped = _LINE_START.sub(_escape_line_start, escaped)
    if multiline:
        return escaped.replace("\n", "  \n")
    return " ".join(escaped.split("\n"))


def _escape_line_start(m: re.Match[str]) -> str:
    indent, what = m.group(1), m.group(2)
    return f"{indent}{what}\\" if what[0].isdigit() else f"{indent}\\{what}"


def _image_as_text(match: re.Match[str]) -> str:
    alt = _ALT.search(match.group(0))
    label = html.unescape(alt.group(1)) if alt else ""
    return f'<span class="image-placeholder">[image{": " + html.escape(label) if label else ""}]</span>'


def markdown_html(text: str) -> str:
    """A draft's Markdown as HTML the page can show: headings, lists, emphasis, tables, code and
    http(s)/mailto links; no image is loaded (its alt text is shown), no HTML from the text."""
    rendered = render_markdown(clean_text(text or ""))
    return _CLEANER.clean(_IMG.sub(_image_as_text, rendered))


def _box(inner: str) -> str:
    return f'<div class="studio-text" style="line-height:1.6">{inner}</div>'


def scroller(inner: str, *, height: int, label: str) -> str:
    """``inner`` in a box at most ``height`` pixels high that scrolls, and that people reach and
    scroll with the keyboard (Tab, then the arrow keys), named ``label`` for screen readers."""
    return (
        f'<div role="region" tabindex="0" aria-label="{html.escape(label)}" style="max-height:{height}px;'
        'overflow:auto;border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;padding:0.5rem 1rem">'
        f"{inner}</div>"
    )


def markdown(text: str, *, height: int | None = None, label: str = "The text") -> None:
    """Show a draft's Markdown (see `markdown_html`); in a scrolling box when ``height`` is given."""
    box = _box(markdown_html(text))
    st.html(box if height is None else scroller(box, height=height, label=label))


def stream_markdown(pieces: Iterator[str], *, every: float = 0.15) -> str:
    """Show text as it streams, rendered as `markdown` does; returns the whole text. If the page
    run is stopped meanwhile (the person clicks elsewhere), the stream is closed, so its
    producer ends as it does for any other interruption (the writer saves)."""
    box = st.empty()
    parts: list[str] = []
    shown_at = 0.0
    try:
        for piece in pieces:
            parts.append(piece)
            now = time.monotonic()
            if now - shown_at >= every:
                box.html(_box(markdown_html("".join(parts))))
                shown_at = now
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
    text = "".join(parts)
    box.html(_box(markdown_html(text)))
    return text


def markdown_in(slot: object, text: str, *, height: int | None = None, label: str = "The text") -> None:
    """`markdown` into a placeholder (an ``st.empty()``), replacing what it showed."""
    box = _box(markdown_html(text))
    slot.html(box if height is None else scroller(box, height=height, label=label))  # type: ignore[attr-defined]


def html_without_images(body: str) -> str:
    """HTML the studio made (the export's), reduced to the same allowlist as `markdown_html`:
    shown as it will be published, except that no image is loaded from anywhere."""
    return _CLEANER.clean(_IMG.sub(_image_as_text, body))


def message(kind: str, text: object, **kwargs: object) -> None:
    """``st.error`` / ``warning`` / ``info`` / ``success`` / ``caption`` with ``text`` escaped."""
    getattr(st, kind)(inline(text, multiline=True), **kwargs)
