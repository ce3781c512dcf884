"""Text as the studio handles it: one place for Markdown → safe HTML, the title parser, text
cleaning, slugs and spreadsheet-formula escaping. Drafts, publishing, export and audit all use
these, so a rule here holds everywhere text is stored, shown or shipped.

- :func:`storable_text` / :func:`clean_text`: what any database and CMS can keep.
- :func:`render_html`: Markdown (CommonMark + tables, raw HTML shown as text) sanitised by nh3
  against an explicit allowlist. :data:`HTML_VERSION` names the recipe, so HTML stored under
  another recipe is rendered again.
- :func:`headings` / :func:`title_from_markdown` / :func:`first_paragraph`: the one Markdown
  reading of a text's structure (markdown-it tokens, so ``#tag`` is not a heading).
- :func:`slugify`: URL slugs (ASCII, at most :data:`SLUG_MAX_LENGTH`).
- :func:`neutralise`: a leading ``'`` for cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import nh3
from slugify import slugify as _python_slugify

# --------------------------------------------------------------------------------------------
# Cleaning

# C0 controls other than \t \n \r, and DEL. As bytes they are single bytes in UTF-8 and never
# part of a multi-byte sequence, so a bytes.translate scan (fast, in C) finds them.
_CONTROL_CHARS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
CONTROL_BYTES = _CONTROL_CHARS.encode("ascii")
_CONTROL_RE = re.compile("[" + re.escape(_CONTROL_CHARS) + "]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` without lone surrogates (→ U+FFFD), control characters, or ``\\r`` line ends."""
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATE_RE.sub("\ufffd", value)
        encoded = value.encode("utf-8")
    if len(encoded.translate(None, CONTROL_BYTES)) != len(encoded):
        value = _CONTROL_RE.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def unstorable(value: str) -> str | None:
    """What in ``value`` no database can keep as text, in words, or None: a NUL character
    (PostgreSQL refuses it) or a lone surrogate (bytes that were not valid UTF-8, as a terminal
    hands them over). The one rule for every field a person types; see `studio.validation`."""
    if "\x00" in value:
        return "a NUL character (code 0)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "bytes that are not valid UTF-8"
    return None


def storable_text(text: str) -> str:
    """The text as any database can keep it, otherwise unchanged: NUL characters are dropped
    (PostgreSQL's text type cannot hold them) and lone surrogates, which are not valid UTF-8
    (undecodable bytes from a terminal arrive as them), become U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATE_RE.sub("\ufffd", text)
    return text


def squash(value: Any) -> str:
    """``value`` as one line with single spaces."""
    return " ".join(str(value or "").split())


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` (whitespace squashed) at most ``limit`` characters, cut at a word boundary,
    with ``ellipsis`` appended when something was cut (it counts towards the limit)."""
    text = squash(text)
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > room // 2 else text[:room]
    return head.rstrip(" ,;:-–—") + ellipsis


# --------------------------------------------------------------------------------------------
# Markdown → sanitised HTML

ALLOWED_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
        "ul", "ol", "li", "blockquote", "pre", "code", "em", "strong", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "a": frozenset({"href", "title"}),
        "img": frozenset({"src", "alt", "title"}),
        "ol": frozenset({"start"}),
        # Table column alignment; nh3 keeps only the text-align property (see _CLEANER).
        "th": frozenset({"style"}),
        "td": frozenset({"style"}),
    }
)
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with their content, not just unwrapped.
_CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "svg", "math", "noscript", "template",
     "textarea", "select", "frame", "frameset", "applet", "noembed", "noframes", "xmp"}
)  # fmt: skip

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_CLEAN_CONTENT_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
    filter_style_properties={"text-align"},
)

# The CommonMark block and inline rules plus tables; html_block and html_inline stay off, so raw
# HTML in the Markdown is escaped and shown as text.
_MARKDOWN_RULES = (
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table",
)  # fmt: skip


def _python_renderer() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render


def _make_renderer() -> tuple[str, Callable[[str], str]]:
    """One Markdown renderer for the process: markdown-it-pyrs (the Rust port of markdown-it,
    same rules and output, much faster, which large exports need), or markdown-it-py where the wheel is missing."""
    try:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt
    except ImportError:  # pragma: no cover - exercised only where the wheel is missing
        return "markdown-it-py", _python_renderer()
    md_rs = RustMarkdownIt("zero")
    md_rs.enable_many(list(_MARKDOWN_RULES))
    return "markdown-it-pyrs", md_rs.render


RENDERER, _fast_render = _make_renderer()
_fallback_render: Callable[[str], str] | None = None


def render_markdown(markdown: str) -> str:
    """Markdown → HTML, not yet sanitised. The Rust renderer panics on a few inputs (an index
    error inside its code-span rule, e.g. ``[`\\x9a``); a panic is not an Exception, so it is
    caught by name and the pure-Python renderer, whose output is the same, takes over."""
    global _fallback_render
    try:
        return _fast_render(markdown)
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if _fallback_render is None:
            _fallback_render = _python_renderer()
        return _fallback_render(markdown)


def _html_version() -> str:
    """Names what :func:`render_html` produces: the renderer and sanitiser with their versions,
    the Markdown rules and the allowlist. HTML stored under another name is rendered again, so
    an upgraded sanitiser (or a narrower allowlist) reaches every export at once."""
    from importlib.metadata import PackageNotFoundError, version

    def v(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:  # pragma: no cover
            return "?"

    package = "markdown-it-pyrs" if RENDERER == "markdown-it-pyrs" else "markdown-it-py"
    recipe = repr((
        RENDERER, v(package), "nh3", v("nh3"), _MARKDOWN_RULES, sorted(ALLOWED_TAGS),
        sorted((t, sorted(a)) for t, a in ALLOWED_ATTRIBUTES.items()), sorted(ALLOWED_URL_SCHEMES),
        sorted(_CLEAN_CONTENT_TAGS), "noopener noreferrer", "text-align",
    ))  # fmt: skip
    return "h1-" + hashlib.sha256(recipe.encode()).hexdigest()[:20]


HTML_VERSION = _html_version()


def sanitize_html(html: str) -> str:
    """``html`` reduced to the allowlist: the last step before HTML leaves the studio."""
    return _CLEANER.clean(html)


def render_html(markdown: str) -> str:
    """Markdown → HTML that is safe to hand to a CMS. The sanitiser is the second wall, not the
    only one: it would hold even if Markdown let HTML through."""
    return _CLEANER.clean(render_markdown(clean_text(markdown or "")))


_LEADING_HEADING = re.compile(r"\A\s*<h([1-6])>(.*?)</h\1>\s*", re.S)
_H1 = re.compile(r"<(/?)h1>")
_TAGS = re.compile(r"<[^>]+>")


def cms_body_html(html: str, title: str) -> str:
    """A sanitised body as a CMS page needs it under its own title heading: a leading heading
    that is the title (any ``<h1>``, or a lower heading with the title's text) is dropped, and
    every other ``<h1>`` becomes ``<h2>`` (one H1 per page, the CMS's). ``html`` is
    :func:`render_html` output, where text is escaped, so a literal ``<h1>`` is never text."""
    match = _LEADING_HEADING.match(html)
    if match is not None:
        text = squash(html_lib.unescape(_TAGS.sub("", match.group(2))))
        if match.group(1) == "1" or text.casefold() == squash(title).casefold():
            html = html[match.end() :]
    return _H1.sub(lambda m: f"<{m.group(1)}h2>", html)


# --------------------------------------------------------------------------------------------
# Structure: headings, title, first paragraph

_PARSER: Any = None


def _tokens(markdown: str) -> list[Any]:
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")
    return _PARSER.parse(clean_text(markdown or ""))


def _inline_text(inline: Any) -> str:
    """The plain text of an inline token: text, code and image alt text; markup dropped."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(_inline_text(child))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return squash("".join(parts))


def headings(markdown: str) -> list[tuple[int, str]]:
    """``(level, plain text)`` of every heading (ATX ``#`` or setext), in order."""
    tokens = _tokens(markdown)
    found: list[tuple[int, str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            text = _inline_text(tokens[i + 1])
            if text:
                found.append((int(token.tag[1]), text))
    return found


def title_from_markdown(markdown: str) -> str:
    """The text's title: the plain text of its first heading (ATX or setext), else ``""``."""
    found = headings(markdown)
    return found[0][1] if found else ""


def first_paragraph(markdown: str) -> str:
    """The plain text of the first top-level paragraph (not a heading, list, quote or table)."""
    tokens = _tokens(markdown)
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0 and i + 1 < len(tokens):
            text = _inline_text(tokens[i + 1])
            if text:
                return text
    return ""


# --------------------------------------------------------------------------------------------
# Slugs

SLUG_MAX_LENGTH = 190  # a "-2" suffix still fits WordPress's 200
# What python-slugify returns unchanged: a stored slug usually is one already, and skipping the
# call matters when an export slugifies thousands of rows.
_PLAIN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str) -> str:
    """A URL slug for ``text``: ASCII words joined by hyphens, at most SLUG_MAX_LENGTH, cut at a
    word boundary; ``""`` when nothing of it is a letter or digit."""
    if len(text) <= SLUG_MAX_LENGTH and _PLAIN_SLUG.fullmatch(text):
        return text
    # text-unidecode, named: the default "auto" backend re-tries importing the optional
    # `unidecode` package on every non-ASCII call, and the slug must not change with what else
    # happens to be installed.
    return _python_slugify(
        squash(clean_text(text)), max_length=SLUG_MAX_LENGTH, word_boundary=True, backend="text-unidecode"
    )


# --------------------------------------------------------------------------------------------
# Spreadsheet formulas

Mode = Literal["cms", "spreadsheet"]
#: A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_STRICT_TRIGGERS = frozenset(FORMULA_TRIGGERS) | frozenset("\uff1d\uff0b\uff0d\uff20")


def neutralise(value: str, mode: Mode = "cms") -> str:
    """``value`` with a leading ``'`` if a spreadsheet would run it as a formula.

    ``cms``: the first character is a trigger. ``spreadsheet``: also behind leading whitespace
    and invisible characters (zero-width, direction controls), and in any compatibility form
    (full-width, small), as some spreadsheets trim or fold cells on entry.
    """
    if not value:
        return value
    if mode == "cms":
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value[0] in _STRICT_TRIGGERS:  # also an all-whitespace cell that starts with a tab or CR
        return "'" + value
    for ch in value:
        # Leading spaces and invisible characters (zero-width, direction controls such as a
        # right-to-left override, a byte-order mark) are skipped: some spreadsheets drop them.
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        # The first visible character, in any compatibility form (full-width, small "﹦").
        first = unicodedata.normalize("NFKC", ch)[:1]
        return "'" + value if first in _STRICT_TRIGGERS else value
    return value
