"""Checked text with its findings marked in place, as escaped HTML.

The Markdown is shown rendered, as a reader sees it (headings, lists, quotes, emphasis, code;
links as their text followed by the address in grey, never as live links), with each finding
marked where it is in the source. Every character of the text is escaped; the only markup is ours
(``<div>``, ``<mark>``, ``<sup>``, ``<strong>``…), so model or user text can never become live
HTML. Findings whose spans overlap become one mark listing all their numbers ("29, 34"), never
numbers run together.

This is a reading view, not a second Markdown renderer for export: blocks are recognised line by
line (ATX and setext headings, lists, quotes, fences, rules) and inline markers (``**``, ``*``,
``_``, backticks, ``[text](url)``) are hidden. Anything it does not recognise is shown as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studio.checks.report import CATEGORY_LABELS, SEVERITY_LABELS, SEVERITY_RANK

CATEGORY_COLOURS = {
    "toxicity": "#fecaca",
    "banned": "#fca5a5",
    "bias": "#e9d5ff",
    "pii": "#fed7aa",
    "claims": "#fef08a",
    "quality": "#bfdbfe",
    "voice": "#bbf7d0",
    "language": "#c7d2fe",
    "tone": "#e5e7eb",
}


@dataclass(frozen=True)
class Mark:
    """One finding's place in the text: its span, the number it has in the list, and what it is."""

    start: int
    end: int
    number: int
    category: str
    label: str
    severity: str
    hint: str = ""  # the first line of the tooltip's entry ("Use “chair”", the advice…)


@dataclass(frozen=True)
class _Cluster:
    start: int
    end: int
    marks: tuple[Mark, ...]

    @property
    def top(self) -> Mark:
        return max(self.marks, key=lambda m: (SEVERITY_RANK.get(m.severity, 0), -m.number))

    @property
    def numbers(self) -> list[int]:
        return sorted({m.number for m in self.marks})


def clusters(marks: Iterable[Mark], length: int) -> list[_Cluster]:
    """Marks whose spans overlap (or touch inside one another) merged into one cluster each."""
    spans = sorted((m for m in marks if 0 <= m.start < m.end <= length), key=lambda m: (m.start, m.end))
    out: list[_Cluster] = []
    for m in spans:
        if out and m.start < out[-1].end:
            last = out[-1]
            out[-1] = _Cluster(last.start, max(last.end, m.end), last.marks + (m,))
        else:
            out.append(_Cluster(m.start, m.end, (m,)))
    return out


def _tooltip(c: _Cluster) -> str:
    lines = []
    for m in sorted(c.marks, key=lambda m: m.number):
        sev = SEVERITY_LABELS.get(m.severity, m.severity)
        lines.append(f"{m.number}. {CATEGORY_LABELS.get(m.category, m.category)} · {m.label} ({sev})")
        if m.hint:
            lines.append("   " + m.hint)
    return "\n".join(lines)


# ---- Markdown, line by line ------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)([-*+])[ \t]+")
_ORDERED = re.compile(r"^([ \t]*)(\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_CODE = re.compile(r"(`+)(.+?)\1")
_IMAGE_OR_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^)\s]*)(?:[ \t]+\"[^\"\n]*\")?\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM = re.compile(r"(?<![\w*])(\*|_)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")


@dataclass
class _Line:
    start: int  # offset of the line in the text
    end: int  # end of its content (before the newline)
    kind: str  # p | h1..h6 | li | oli | quote | pre | hr | blank | hidden
    hidden: list[tuple[int, int]]
    styles: list[tuple[int, int, str, str]]  # (start, end, open tag, close tag)


def _inline(text: str, a: int, b: int, hidden: list, styles: list) -> None:
    """Hide inline Markdown markers of text[a:b] and style what they mark."""
    segment = text[a:b]
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= x or s >= y for x, y in taken)

    for m in _CODE.finditer(segment):
        s, e = a + m.start(), a + m.end()
        tick = len(m.group(1))
        hidden += [(s, s + tick), (e - tick, e)]
        styles.append((s + tick, e - tick, "<code>", "</code>"))
        taken.append((s, e))
    for m in _IMAGE_OR_LINK.finditer(segment):
        s, e = a + m.start(), a + m.end()
        if not free(s, e):
            continue
        bang = len(m.group(1))
        label_start = s + bang + 1
        label_end = label_start + len(m.group(2))
        url_start = label_end + 2
        url_end = url_start + len(m.group(3))
        hidden += [(s, label_start), (label_end, url_start), (url_end, e)]
        styles.append((label_start, label_end, '<span style="text-decoration:underline">', "</span>"))
        styles.append((url_start, url_end, '<span style="color:#6b7280;font-size:0.85em"> (', ")</span>"))
        taken.append((s, e))
    for rx, tag in ((_STRONG, "strong"), (_EM, "em")):
        for m in rx.finditer(segment):
            s, e = a + m.start(), a + m.end()
            if not free(s, e):
                continue
            n = len(m.group(1))
            hidden += [(s, s + n), (e - n, e)]
            styles.append((s + n, e - n, f"<{tag}>", f"</{tag}>"))
            taken += [(s, s + n), (e - n, e)]


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    raw = text.split("\n")
    in_fence: str | None = None
    for i, line in enumerate(raw):
        start, end = pos, pos + len(line)
        pos = end + 1
        if in_fence is not None:
            if line.strip().startswith(in_fence):
                in_fence = None
                out.append(_Line(start, end, "hidden", [(start, end)], []))
            else:
                out.append(_Line(start, end, "pre", [], []))
            continue
        fence = _FENCE.match(line)
        if fence:
            in_fence = fence.group(1)[:3]
            out.append(_Line(start, end, "hidden", [(start, end)], []))
            continue
        if not line.strip():
            out.append(_Line(start, end, "blank", [], []))
            continue
        hidden: list[tuple[int, int]] = []
        styles: list[tuple[int, int, str, str]] = []
        prev = out[-1] if out else None
        if _SETEXT.match(line) and prev is not None and prev.kind == "p":
            prev.kind = "h1" if line.strip().startswith("=") else "h2"
            out.append(_Line(start, end, "hidden", [(start, end)], []))
            continue
        if _HR.match(line):
            out.append(_Line(start, end, "hr", [(start, end)], []))
            continue
        kind = "p"
        content = start
        m = _ATX.match(line)
        if m:
            kind = f"h{len(m.group(2))}"
            content = start + m.end()
            close = _ATX_CLOSE.search(line)
            if close and close.start() >= m.end():
                hidden.append((start + close.start(), end))
                end_content = start + close.start()
            else:
                end_content = end
            hidden.append((start, content))
            _inline(text, content, end_content, hidden, styles)
            out.append(_Line(start, end, kind, hidden, styles))
            continue
        q = _QUOTE.match(line)
        if q:
            kind = "quote"
            content = start + q.end()
            hidden.append((start, content))
        rest = text[content:end]
        b = _BULLET.match(rest)
        o = _ORDERED.match(rest)
        if b:
            kind = "li"
            hidden.append((content, content + b.end()))
            content += b.end()
        elif o:  # the number stays as text
            kind = "oli"
            hidden.append((content, content + len(o.group(1))))
            content += o.end()
        _inline(text, content, end, hidden, styles)
        out.append(_Line(start, end, kind, hidden, styles))
    return out


_BLOCK_STYLE = {
    "h1": "font-size:1.5em;font-weight:700;margin:0.6em 0 0.3em",
    "h2": "font-size:1.25em;font-weight:700;margin:0.6em 0 0.3em",
    "h3": "font-size:1.1em;font-weight:700;margin:0.5em 0 0.2em",
    "h4": "font-weight:700;margin:0.4em 0 0.2em",
    "h5": "font-weight:700;margin:0.4em 0 0.2em",
    "h6": "font-weight:700;margin:0.4em 0 0.2em",
    "li": "margin:0.1em 0 0.1em 1.2em;display:list-item;list-style:disc",
    "oli": "margin:0.1em 0 0.1em 1.2em",
    "quote": "border-left:3px solid #d1d5db;padding-left:0.6em;color:#4b5563",
    "pre": "font-family:monospace;white-space:pre-wrap;background:#f3f4f6;padding:0 0.3em",
    "p": "margin:0",
}


def highlight_html(text: str, marks: Sequence[Mark], *, markdown: bool = True) -> str:
    """The text as one ``<div>`` of escaped HTML: rendered (``markdown``) or as plain text, each
    cluster of overlapping findings one ``<mark>`` followed by its numbers."""
    text = text or ""
    groups = clusters(marks, len(text))
    if markdown:
        lines = _lines(text)
    else:
        lines = [_Line(0, len(text), "plain", [], [])]
    out: list[str] = []
    hidden_all = [h for ln in lines for h in ln.hidden]
    # Each cluster's numbers go after its last visible character.
    badges: dict[int, _Cluster] = {}
    for c in groups:
        badges.setdefault(_last_visible(text, c, hidden_all), c)
    paragraph_open = False
    for ln in lines:
        if ln.kind in ("blank", "hidden", "hr"):
            if paragraph_open:
                out.append("</p>")
                paragraph_open = False
            if ln.kind == "hr":
                out.append('<hr style="margin:0.6em 0">')
            elif ln.kind == "blank":
                out.append("")
            continue
        body = _segments(text, ln, groups, badges)
        if ln.kind == "plain":
            out.append(f'<span style="white-space:pre-wrap">{body}</span>')
        elif ln.kind == "p":
            if not paragraph_open:
                out.append('<p style="margin:0 0 0.6em 0">')
                paragraph_open = True
            else:
                out.append(" ")
            out.append(body)
        else:
            if paragraph_open:
                out.append("</p>")
                paragraph_open = False
            tag = "blockquote" if ln.kind == "quote" else "div"
            out.append(f'<{tag} style="{_BLOCK_STYLE[ln.kind]}">{body}</{tag}>')
    if paragraph_open:
        out.append("</p>")
    for c in badges.values():  # a cluster with nothing visible still shows its numbers
        out.append(_badge(c))
    return f'<div class="checked-text" style="line-height:1.6">{"".join(out)}</div>'


def _badge(c: _Cluster) -> str:
    numbers = ", ".join(str(n) for n in c.numbers)
    return f'<sup class="mark-ref" style="font-size:0.7em;color:#374151">[{numbers}]</sup>'


def _last_visible(text: str, c: _Cluster, hidden: list[tuple[int, int]]) -> int:
    """The offset just after the cluster's last character that is shown (or its end)."""
    pos = c.end
    while pos > c.start and (text[pos - 1] == "\n" or any(a <= pos - 1 < b for a, b in hidden)):
        pos -= 1
    return pos if pos > c.start else c.end


def _segments(text: str, ln: _Line, groups: list[_Cluster], badges: dict[int, _Cluster]) -> str:
    a, b = ln.start, ln.end
    cuts = {a, b}
    for s, e in ln.hidden:
        cuts.update((max(a, min(b, s)), max(a, min(b, e))))
    for s, e, _o, _c in ln.styles:
        cuts.update((s, e))
    for c in groups:
        if c.start < b and c.end > a:
            cuts.update((max(a, c.start), min(b, c.end)))
    cuts.update(p for p in badges if a <= p <= b)
    points = sorted(cuts)
    parts: list[str] = []
    for s, e in zip(points, points[1:]):
        if s >= e:
            continue
        if any(h0 <= s and e <= h1 for h0, h1 in ln.hidden):
            piece = ""
        else:
            piece = html.escape(text[s:e])
            for st, en, open_tag, close_tag in ln.styles:
                if st <= s and e <= en:
                    piece = _styled(piece, open_tag, close_tag, first=s == st, last=e == en)
            covering = next((c for c in groups if c.start <= s and e <= c.end), None)
            if covering is not None:
                top = covering.top
                colour = CATEGORY_COLOURS.get(top.category, "#e5e7eb")
                underline = "border-bottom:2px solid #b91c1c;" if top.severity == "block" else ""
                title = html.escape(_tooltip(covering), quote=True)
                piece = (
                    f'<mark class="finding {html.escape(top.category)}" title="{title}" '
                    f'style="background:{colour};{underline}padding:0 1px;border-radius:2px">{piece}</mark>'
                )
        parts.append(piece)
        cluster = badges.get(e)
        if cluster is not None and cluster.start < e and piece:
            parts.append(_badge(badges.pop(e)))
    return "".join(parts)


def _styled(piece: str, open_tag: str, close_tag: str, *, first: bool, last: bool) -> str:
    """``piece`` inside a style. A style's text around its content (the " (" and ")" around a
    link's address) is shown once, at the style's start and end, however many pieces a mark
    cuts the content into."""
    cut = open_tag.find(">") + 1
    markup, lead = open_tag[:cut], open_tag[cut:]
    cut = close_tag.find("<") if "<" in close_tag else len(close_tag)
    trail, closing = close_tag[:cut], close_tag[cut:]
    return f"{markup}{lead if first else ''}{piece}{trail if last else ''}{closing}"


def legend_html() -> str:
    items = "".join(
        f'<span style="background:{c};padding:1px 6px;border-radius:3px;margin-right:6px">'
        f"{html.escape(CATEGORY_LABELS.get(k, k))}</span>"
        for k, c in CATEGORY_COLOURS.items()
    )
    return f'<div style="font-size:0.85em">{items}</div>'
