"""Export approved content as a file a CMS imports: the pure, database-free core.

Nothing here touches the database or Streamlit. The service that records an ExportBatch, moves
drafts to ``exported`` and writes the audit trail calls :func:`export_bytes` and stores what it
returns; the page and the CLI call that service.

The pieces, in the order an export runs them:

1. **Rows.** :class:`ExportRow` is one approved draft at one revision, in plain values.
   :func:`row_from_draft` builds it from the ORM objects; a missing title is taken from the first
   Markdown heading, and a draft with neither is refused (:class:`ExportError` names it).
2. **Text hygiene.** Every text value loses the characters no CMS or spreadsheet should receive:
   lone surrogates become U+FFFD, C0 control characters other than tab and newline (and DEL) are
   dropped, and ``\\r\\n`` / ``\\r`` become ``\\n``.
3. **Body.** :func:`render_html` renders Markdown (CommonMark + tables, raw HTML *disabled*: any
   HTML the model wrote shows as text) and then sanitises the result with nh3 against an explicit
   allowlist (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`; ``http``/``https``/``mailto`` and
   relative URLs only; every link gets ``rel="noopener noreferrer"``). The sanitiser is the second
   wall, not the only one: it would hold even if Markdown let HTML through.
   ``drafts.add_revision`` stores each revision's ``render_html`` output with
   :data:`HTML_VERSION`; rows carrying it (``ExportRow.body_html``) are not rendered again.
4. **Slugs.** python-slugify (ASCII, at most 190 characters so a suffix still fits WordPress's 200),
   unique within the export and against earlier exports: the second ``my-post`` becomes
   ``my-post-2``, then ``my-post-3``. A title that slugifies to nothing (emoji only) gets
   ``post-<draft id>``.
5. **Preset.** Each CMS is one declarative :class:`Preset`: an ordered mapping of column name to
   the function that produces the cell, read top to bottom like the importer's field list.
6. **File.** CSV is written by pandas, RFC 4180: comma separated, ``QUOTE_MINIMAL`` (a field is
   quoted when it holds a comma, a quote or a line break), quotes doubled, records ended by
   ``\\r\\n``, UTF-8. Line breaks *inside* a cell (the HTML body has many) are written as they are,
   ``\\n``, inside the quotes. ``\\r\\n`` is what RFC 4180 prescribes and what Excel writes; WP All
   Import and WP Ultimate CSV Importer (PHP ``fgetcsv``), HubSpot's importer, Excel, LibreOffice,
   pandas and Python's ``csv`` all read it, and all of them keep quoted ``\\n`` inside the cell.
   JSON presets write one UTF-8 array (``ensure_ascii=False``), never with a BOM (RFC 8259).
7. **Large exports.** From :data:`PARALLEL_MIN_ROWS` rows on, the file is built 500 rows at a
   time by a pool of :data:`EXPORT_WORKERS` processes (``forkserver``, kept between exports;
   each renders, sanitises and has pandas write the CSV of its chunk) while this process cleans
   the rows and hands out the slugs; the chunks are joined in order, so the bytes are exactly the
   in-process ones. A failed or killed worker is an :class:`ExportError`. The workers never
   import the caller's ``__main__`` (a Streamlit page, a script). ``workers=1`` keeps an export
   in-process.

Formula neutralisation: the two modes
-------------------------------------
A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"). Model text can start that
way (an excerpt beginning ``=HYPERLINK(...)``, a title ``-10% this week``). Neutralising means
prefixing the cell with a single quote ``'``, which makes every spreadsheet treat it as text.

``mode="cms"`` (CMS import; the default)
    * HTML body columns (``post_content``, ``postBody``, generic ``body_html``) are written
      exactly as sanitised: the CMS must get the HTML byte for byte. (Rendered HTML always starts
      with ``<`` anyway, so it can never start a formula.)
    * Every other cell, the generic Markdown body included, is prefixed with ``'`` when its
      first character is ``=``, ``+``, ``-``, ``@``, tab or CR. The quote reaches the CMS too: a
      title that really starts with ``-`` arrives as ``'-…``. That is the price of a file that is
      still safe if someone opens it in a spreadsheet; the JSON preset carries the raw values.
    * No BOM unless ``bom=True`` (PHP importers would otherwise see it in the first header).

``mode="spreadsheet"`` (review in Excel / LibreOffice / Sheets before importing)
    * Every cell is checked, the HTML body columns included.
    * A cell is neutralised when its first character *after leading whitespace* (spaces, tabs,
      line breaks, no-break spaces) is a trigger, and the fullwidth forms ``＝ ＋ － ＠`` count as
      triggers too: some spreadsheets trim cells or fold fullwidth characters on entry.
    * The BOM is on by default (``utf-8-sig``), so Excel detects UTF-8 instead of mangling
      accents, Chinese, Arabic or emoji; ``bom=False`` turns it off.

Neutralisation applies to CSV presets only. JSON is not opened by spreadsheets, so the JSON
preset carries every value raw; asking for spreadsheet mode or a BOM with JSON is an error.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import types
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from itertools import islice
from types import MappingProxyType
from typing import Any, BinaryIO, Literal

import nh3
from slugify import slugify

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "GENERIC",
    "HTML_VERSION",
    "HUBSPOT",
    "JSON_PRESET",
    "PRESETS",
    "PUBLISH_STATUSES",
    "RENDERER",
    "WORDPRESS",
    "ExportError",
    "ExportFile",
    "ExportRow",
    "Preset",
    "clean_text",
    "export_bytes",
    "neutralise",
    "render_html",
    "row_from_draft",
    "sanitize_html",
    "title_from_markdown",
    "unique_slugs",
]

Mode = Literal["cms", "spreadsheet"]
PUBLISH_STATUSES = frozenset({"draft", "publish", "future"})
SLUG_MAX_LENGTH = 190
CHUNK_ROWS = 500


class ExportError(ValueError):
    """The export cannot be produced as asked; the message says why, in a marketer's words."""


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One approved draft at one revision, as plain values: everything an export needs."""

    draft_id: int
    revision_number: int
    title: str
    slug: str
    body_markdown: str
    excerpt: str = ""
    meta_description: str = ""
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    author_name: str = ""
    author_email: str = ""
    publish_date: datetime | None = None
    publish_status: str = "draft"
    language: str = "en"
    content_type: str = "blog"
    # The body's sanitised HTML when it was rendered ahead (stored with the revision, made by
    # render_html under the running HTML_VERSION); None renders it during the export.
    body_html: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Lists from the ORM's JSON columns become tuples, so a row is hashable and immutable.
        for name in ("tags", "categories"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = [value]
            object.__setattr__(self, name, tuple(str(t) for t in (value or ()) if str(t).strip()))
        if not clean_text(self.title or "").strip():
            raise ExportError(
                f"Draft {self.draft_id} has no title: add one (or start the text with a heading) "
                "before exporting."
            )
        if self.publish_status not in PUBLISH_STATUSES:
            raise ExportError(
                f"Draft {self.draft_id} ({self.title!r}) has publish status "
                f"{self.publish_status!r}; expected one of draft, publish, future."
            )
        if self.publish_date is not None and self.publish_date.utcoffset() is None:
            raise ExportError(
                f"Draft {self.draft_id} ({self.title!r}) has a publish date without a time zone."
            )
        if self.publish_status == "future" and self.publish_date is None:
            raise ExportError(
                f"Draft {self.draft_id} ({self.title!r}) is scheduled (future) but has no "
                "publish date."
            )


_ROW_FIELDS = tuple(ExportRow.__dataclass_fields__)


def with_text(row: ExportRow, body_markdown: str, body_html: str | None) -> ExportRow:
    """``row`` with its text: a copy without the field checks, which passed when ``row`` was
    made (an export validates every row first, then reads the text a chunk at a time)."""
    new = object.__new__(ExportRow)
    for name in _ROW_FIELDS:
        object.__setattr__(new, name, getattr(row, name))
    object.__setattr__(new, "body_markdown", body_markdown)
    object.__setattr__(new, "body_html", body_html)
    return new


def title_from_markdown(markdown: str) -> str:
    """The plain text of the first heading (ATX ``#`` or setext) in ``markdown``, or ``""``."""
    tokens = _title_parser().parse(markdown or "")
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            parts = [
                child.content
                for child in (inline.children or ())
                if child.type in ("text", "code_inline")
            ]
            text = " ".join("".join(parts).split())
            if text:
                return text
    return ""


_TITLE_PARSER: Any = None


def _title_parser() -> Any:
    global _TITLE_PARSER
    if _TITLE_PARSER is None:
        from markdown_it import MarkdownIt

        _TITLE_PARSER = MarkdownIt("commonmark", {"html": False})
    return _TITLE_PARSER


def row_from_draft(
    draft: Any,
    revision: Any = None,
    author_email: str | None = None,
    *,
    author_name: str | None = None,
    html: bool = True,
) -> ExportRow:
    """Adapt a ``studio.models.Draft`` (and the ``Revision`` to export) into an :class:`ExportRow`.

    ``revision`` defaults to the draft's current revision; its stored HTML is used when it was
    made under the running :data:`HTML_VERSION`. The User model keeps no e-mail, so the caller
    passes it when it knows one (HubSpot matches authors by e-mail). ``author_name`` stands in
    for ``draft.author`` (a caller that read the draft's columns, not the ORM object).
    ``html=False`` leaves the stored HTML unread (a row built only to validate the draft).
    """
    revision = revision if revision is not None else draft.current_revision
    if revision is None:
        raise ExportError(f"Draft {draft.id} has no text to export.")
    body = revision.body or ""
    title = (draft.title or "").strip() or title_from_markdown(body)
    if not title:
        topic = (getattr(draft, "topic", "") or "").strip()
        named = f"Draft {draft.id}" + (f" ({topic[:60]!r})" if topic else "")
        raise ExportError(
            f"{named} has no title and its text has no heading: add a title before exporting."
        )
    if author_name is None:
        author = getattr(draft, "author", None)
        author_name = ""
        if author is not None:
            author_name = getattr(author, "label", None) or getattr(author, "name", "") or ""
    return ExportRow(
        draft_id=draft.id,
        revision_number=revision.number,
        title=title,
        slug=draft.slug or "",
        body_markdown=body,
        excerpt=draft.excerpt or "",
        meta_description=draft.meta_description or "",
        tags=tuple(draft.tags or ()),
        categories=tuple(draft.categories or ()),
        author_name=author_name,
        author_email=author_email or "",
        publish_date=draft.publish_date,
        publish_status=draft.publish_status or "draft",
        language=draft.language or "en",
        content_type=draft.content_type or "",
        # html_version first: body_html is a deferred column, read only when it will be used.
        body_html=(
            revision.body_html
            if html and getattr(revision, "html_version", None) == HTML_VERSION
            else None
        ),
    )


# --------------------------------------------------------------------------------------------
# Text hygiene
# --------------------------------------------------------------------------------------------

# C0 controls other than \t \n \r, and DEL. As bytes they are single bytes in UTF-8 and never
# part of a multi-byte sequence, so a bytes.translate scan (fast, in C) finds them.
_CONTROL_CHARS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_BYTES = _CONTROL_CHARS.encode("ascii")
_CONTROL_RE = re.compile("[" + re.escape(_CONTROL_CHARS) + "]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` without lone surrogates (→ U+FFFD), control characters, or ``\\r`` line ends."""
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATE_RE.sub("\ufffd", value)
        encoded = value.encode("utf-8")
    if len(encoded.translate(None, _CONTROL_BYTES)) != len(encoded):
        value = _CONTROL_RE.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


# --------------------------------------------------------------------------------------------
# Markdown → sanitised HTML
# --------------------------------------------------------------------------------------------

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


def _make_renderer() -> tuple[str, Callable[[str], str]]:
    """One Markdown parser for the process.

    markdown-it-pyrs (the Rust port of markdown-it, same rules and output) is about ten times
    faster than markdown-it-py, which is what lets 10,000 posts export in seconds. When it is not
    installed, markdown-it-py renders the same HTML (tests compare the two), only slower.
    """
    try:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt
    except ImportError:  # pragma: no cover - exercised only where the wheel is missing
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        return "markdown-it-py", md.render
    md_rs = RustMarkdownIt("zero")
    md_rs.enable_many(list(_MARKDOWN_RULES))
    return "markdown-it-pyrs", md_rs.render


RENDERER, _render_markdown = _make_renderer()


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
    """Markdown → HTML that is safe to hand to a CMS (see the module docstring)."""
    return _CLEANER.clean(_render_markdown(clean_text(markdown or "")))


# --------------------------------------------------------------------------------------------
# Formula neutralisation
# --------------------------------------------------------------------------------------------

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_STRICT_TRIGGERS = frozenset(_TRIGGERS) | frozenset("\uff1d\uff0b\uff0d\uff20")


def neutralise(value: str, mode: Mode = "cms") -> str:
    """``value`` with a leading ``'`` if a spreadsheet would run it as a formula (see modes)."""
    if not value:
        return value
    if mode == "cms":
        return "'" + value if value.startswith(_TRIGGERS) else value
    stripped = value.lstrip()
    if stripped and stripped[0] in _STRICT_TRIGGERS:
        return "'" + value
    if value[0] in _STRICT_TRIGGERS:  # all-whitespace cell that starts with a tab or CR
        return "'" + value
    return value


# --------------------------------------------------------------------------------------------
# Slugs
# --------------------------------------------------------------------------------------------


# What python-slugify returns unchanged: a draft's stored slug (publishing made it with
# python-slugify) usually is one already, and skipping the call saves ~30 µs a row.
_PLAIN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _slugify(text: str) -> str:
    if len(text) <= SLUG_MAX_LENGTH and _PLAIN_SLUG.fullmatch(text):
        return text
    # text-unidecode, named: the default "auto" backend re-tries importing the optional
    # `unidecode` package on every non-ASCII call (a file-system search each time), and the
    # slug must not change with what else happens to be installed.
    return slugify(
        clean_text(text), max_length=SLUG_MAX_LENGTH, word_boundary=True, backend="text-unidecode"
    )


def unique_slugs(
    rows: Sequence[ExportRow], taken: Iterable[str] | Mapping[str, int] = ()
) -> list[str]:
    """One slug per row, in order: slugified, then suffixed ``-2``, ``-3``… until unused.

    ``taken`` holds slugs earlier exports used. As a mapping ``slug → draft_id`` it lets a draft
    that is exported again keep its own earlier slug (so the CMS updates rather than duplicates);
    as a plain iterable every listed slug counts as used by someone else.
    """
    return _SlugAllocator(taken).take(rows)


class _SlugAllocator:
    """:func:`unique_slugs`, a chunk at a time: an export hands out slugs for rows 0–499 and
    starts rendering them while it slugifies the next 500."""

    def __init__(self, taken: Iterable[str] | Mapping[str, int] = ()) -> None:
        if isinstance(taken, Mapping):
            self.owners: dict[str, int | None] = {str(s).lower(): d for s, d in taken.items()}
        else:
            self.owners = {str(s).lower(): None for s in taken}
        self.used: set[str] = set()

    def take(self, rows: Iterable[ExportRow]) -> list[str]:
        owners, used = self.owners, self.used
        slugs: list[str] = []
        for row in rows:
            # _slugify("") is "": skip the call (python-slugify costs ~20 µs even for nothing).
            base = (row.slug and _slugify(row.slug)) or _slugify(row.title) or f"post-{row.draft_id}"
            candidate, n = base, 1
            while candidate in used or (
                candidate in owners
                and (owners[candidate] is None or owners[candidate] != row.draft_id)
            ):
                n += 1
                candidate = f"{base}-{n}"
            used.add(candidate)
            slugs.append(candidate)
        return slugs


# --------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """What a preset's column functions see: the row, cleaned, plus what the export derived."""

    row: ExportRow
    slug: str
    html: str
    disclosure: str
    site_timezone: tzinfo


Getter = Callable[[Item], Any]


@dataclass(frozen=True)
class Preset:
    """One CMS's file: ordered column → cell function, and how the file is written."""

    name: str
    label: str
    columns: Mapping[str, Getter]
    file_format: Literal["csv", "json"] = "csv"
    # HTML body columns: untouched by formula neutralisation in cms mode.
    body_columns: frozenset[str] = frozenset()
    # Columns present only when the workspace sets an AI-disclosure text.
    disclosure_columns: frozenset[str] = frozenset()
    notes: str = ""

    @property
    def uses_markdown(self) -> bool:
        """Whether a column carries the Markdown body (else rows may come without it when their
        HTML was rendered ahead)."""
        return "body_markdown" in self.columns

    def column_names(self, *, disclosure: bool) -> list[str]:
        return [c for c in self.columns if disclosure or c not in self.disclosure_columns]


# Small cell functions, so each preset below reads as a table.
def _field(name: str) -> Getter:
    return lambda item: getattr(item.row, name)


def _text(name: str) -> Getter:
    return lambda item: str(getattr(item.row, name))


def _terms(name: str, sep: str) -> Getter:
    """Join a list field; a separator inside a term would split it on import, so it becomes a
    space."""
    bare = sep.strip()

    def get(item: Item) -> str:
        terms = (" ".join(t.replace(bare, " ").split()) for t in getattr(item.row, name))
        return sep.join(t for t in terms if t)

    return get


def _date(fmt: Literal["wp_local", "wp_gmt", "iso"]) -> Getter:
    def get(item: Item) -> str:
        d = item.row.publish_date
        if d is None:
            return ""
        if fmt == "wp_local":
            return d.astimezone(item.site_timezone).strftime("%Y-%m-%d %H:%M:%S")
        if fmt == "wp_gmt":
            return d.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        return d.isoformat(timespec="seconds")

    return get


def _iso_or_none(item: Item) -> str | None:
    d = item.row.publish_date
    return None if d is None else d.isoformat(timespec="seconds")


_slug: Getter = lambda item: item.slug  # noqa: E731
_html: Getter = lambda item: item.html  # noqa: E731
_disclosure: Getter = lambda item: item.disclosure  # noqa: E731
_wp_author: Getter = lambda item: item.row.author_email or item.row.author_name  # noqa: E731

WORDPRESS = Preset(
    name="wordpress",
    label="WordPress (WP All Import / WP Ultimate CSV Importer)",
    columns=MappingProxyType({
        "post_title":               _text("title"),
        "post_content":             _html,
        "post_excerpt":             _text("excerpt"),
        "post_name":                _slug,
        "post_status":              _text("publish_status"),
        "post_date":                _date("wp_local"),
        "post_date_gmt":            _date("wp_gmt"),
        "post_author":              _wp_author,
        "post_category":            _terms("categories", "|"),
        "tags_input":               _terms("tags", ","),
        "_yoast_wpseo_metadesc":    _text("meta_description"),
    }),  # fmt: skip
    body_columns=frozenset({"post_content"}),
    notes=(
        "post_date is the site's local time (pass site_timezone), post_date_gmt the same moment "
        "in UTC. post_author is the author's e-mail when known, else the display name. "
        "Categories are separated by '|', tags by ','. The meta description is the Yoast SEO "
        "custom field _yoast_wpseo_metadesc; map it to rank_math_description for Rank Math."
    ),
)

HUBSPOT = Preset(
    name="hubspot",
    label="HubSpot blog import",
    columns=MappingProxyType({
        "name":             _text("title"),
        "slug":             _slug,
        "postBody":         _html,
        "postSummary":      _text("excerpt"),
        "metaDescription":  _text("meta_description"),
        "publishDate":      _date("iso"),
        "language":         _text("language"),
        "tags":             _terms("tags", ","),
        "authorEmail":      _text("author_email"),
    }),  # fmt: skip
    body_columns=frozenset({"postBody"}),
    notes="publishDate is ISO 8601 with its UTC offset; tags are separated by ','.",
)

# The generic fields, typed: JSON writes them as they are, the generic CSV as text.
_GENERIC_FIELDS: Mapping[str, Getter] = MappingProxyType({
    "draft_id":          _field("draft_id"),
    "revision_number":   _field("revision_number"),
    "title":             _field("title"),
    "slug":              _slug,
    "excerpt":           _field("excerpt"),
    "meta_description":  _field("meta_description"),
    "tags":              lambda item: list(item.row.tags),
    "categories":        lambda item: list(item.row.categories),
    "author_name":       _field("author_name"),
    "author_email":      _field("author_email"),
    "publish_date":      _iso_or_none,
    "publish_status":    _field("publish_status"),
    "language":          _field("language"),
    "content_type":      _field("content_type"),
    "body_markdown":     _field("body_markdown"),
    "body_html":         _html,
    "ai_disclosure":     _disclosure,
})  # fmt: skip


def _as_cell(getter: Getter) -> Getter:
    def get(item: Item) -> str:
        value = getter(item)
        if value is None:
            return ""
        if isinstance(value, list):
            return "|".join(" ".join(str(v).replace("|", " ").split()) for v in value)
        return str(value)

    return get


GENERIC = Preset(
    name="generic",
    label="Generic CSV (every field)",
    columns=MappingProxyType({name: _as_cell(get) for name, get in _GENERIC_FIELDS.items()}),
    body_columns=frozenset({"body_html"}),
    disclosure_columns=frozenset({"ai_disclosure"}),
    notes="Lists are separated by '|'; publish_date is ISO 8601 with offset, empty when unset.",
)

JSON_PRESET = Preset(
    name="json",
    label="JSON (every field)",
    columns=_GENERIC_FIELDS,
    file_format="json",
    body_columns=frozenset({"body_html"}),
    disclosure_columns=frozenset({"ai_disclosure"}),
    notes="An array of objects; tags and categories are arrays, publish_date null when unset.",
)

PRESETS: Mapping[str, Preset] = MappingProxyType(
    {p.name: p for p in (WORDPRESS, HUBSPOT, GENERIC, JSON_PRESET)}
)


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file an export made. ``content`` is the file itself; an export made with
    ``compressed=True`` keeps only its gzip (``content_gzip``), and ``content`` decompresses it
    on each read (so the 76 MB of a 10,000-post CSV is not held while the export is recorded)."""

    filename_suggestion: str
    mimetype: str
    sha256: str
    row_count: int
    size: int  # bytes of the file itself
    slugs: tuple[str, ...] = field(default=())  # in row order, for ExportItem.slug
    preset: str = ""
    plain: bytes | None = field(default=None, repr=False)
    content_gzip: bytes | None = field(default=None, repr=False)
    # Where the time went, in seconds: "render" (Markdown → sanitised HTML) and "csv" (cells,
    # DataFrame, pandas) summed over every chunk and process; "workers" is 1 for in-process;
    # "cpu_main" / "cpu_workers" are CPU seconds of this process and of the workers' chunks.
    timings: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def content(self) -> bytes:
        if self.plain is not None:
            return self.plain
        assert self.content_gzip is not None
        return gunzip(self.content_gzip, self.size)

    def write_to(self, out: BinaryIO) -> None:
        """The file into ``out``, decompressed a megabyte at a time when only its gzip is kept."""
        if self.plain is not None:
            out.write(self.plain)
            return
        assert self.content_gzip is not None
        with gzip.GzipFile(fileobj=io.BytesIO(self.content_gzip), mode="rb") as src:
            while block := src.read(1 << 20):
                out.write(block)


_TEXT_FIELDS = (
    "title", "slug", "body_markdown", "excerpt", "meta_description", "author_name",
    "author_email", "publish_status", "language", "content_type",
)  # fmt: skip


def _clean_row(row: ExportRow) -> ExportRow:
    """The row with every text value passed through :func:`clean_text`."""
    values = [getattr(row, name) for name in _TEXT_FIELDS]
    if all(type(v) is str for v in values):
        # Fast path, one check for the whole row: text with no surrogate, no control character
        # and no CR is returned by clean_text unchanged (the very same object), field by field.
        whole = "\n".join((*values, *row.tags, *row.categories))
        try:
            encoded = whole.encode("utf-8")
        except UnicodeEncodeError:
            encoded = b""
        if encoded and "\r" not in whole and len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded):
            return row
    changes: dict[str, Any] = {}
    for name, value in zip(_TEXT_FIELDS, values):
        cleaned = clean_text(value if isinstance(value, str) else str(value))
        if cleaned is not value:
            changes[name] = cleaned
    for name in ("tags", "categories"):
        value = getattr(row, name)
        cleaned_terms = tuple(clean_text(t) for t in value)
        if any(a is not b for a, b in zip(cleaned_terms, value)):
            changes[name] = cleaned_terms
    if not changes:
        return row
    from dataclasses import replace

    return replace(row, **changes)


def _render_bodies(rows: Sequence[ExportRow]) -> list[str]:
    """Each row's sanitised HTML: the stored one when the row has it, else rendered now (rows
    are cleaned already, so this is render_html's output either way)."""
    clean = _CLEANER.clean
    render = _render_markdown
    return [clean(render(r.body_markdown)) if r.body_html is None else r.body_html for r in rows]


# With STUDIO_EXPORT_WORKERS > 1, exports of at least PARALLEL_MIN_ROWS rows render and write
# their chunks in that many processes (smaller ones stay in-process: starting work elsewhere
# costs more than it saves). Off by default: on 2 cores it halves the time of a 10,000-post
# export but each worker carries its own interpreter and pandas (~+300 MB resident).
PARALLEL_MIN_ROWS = 500


def export_workers() -> int:
    from studio.config import get_settings

    return get_settings().studio_export_workers


def export_bytes(
    rows: Iterable[ExportRow],
    preset: Preset | str,
    *,
    mode: Mode = "cms",
    bom: bool | None = None,
    taken_slugs: Iterable[str] | Mapping[str, int] = (),
    disclosure: str | None = None,
    site_timezone: tzinfo = timezone.utc,
    now: datetime | None = None,
    workers: int | None = None,
    compressed: bool = False,
) -> ExportFile:
    """Build the export file for ``rows`` in ``preset``'s format.

    ``bom`` defaults to the mode's choice (off for ``cms``, on for ``spreadsheet``).
    ``taken_slugs``: see :func:`unique_slugs`. ``disclosure``: the workspace's AI-disclosure
    line, written in its own column by the generic and JSON presets. ``site_timezone``: the
    WordPress site's time zone, for ``post_date``. ``now`` only names the file.

    ``workers``: processes that render and write the file's chunks. ``None`` (the default) uses
    :data:`EXPORT_WORKERS` for exports of :data:`PARALLEL_MIN_ROWS` rows or more and stays
    in-process below; ``1`` always stays in-process. The bytes are the same either way.

    ``compressed``: keep only the gzip of the file (``ExportFile.content_gzip``, compressed
    chunk by chunk as it is written); ``content`` then decompresses on read.
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    if isinstance(preset, str):
        try:
            preset = PRESETS[preset]
        except KeyError:
            raise ExportError(
                f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}."
            ) from None
    if mode not in ("cms", "spreadsheet"):
        raise ExportError(f"Unknown mode {mode!r}; choose 'cms' or 'spreadsheet'.")
    if preset.file_format == "json" and (mode != "cms" or bom):
        raise ExportError("JSON exports have no spreadsheet mode and no BOM; use a CSV preset.")
    # A sized iterable (the export flow's rows, whose text is read as they are iterated) is
    # consumed once, a chunk at a time; anything else is read into a list first.
    if not isinstance(rows, Sized) or preset.file_format == "json":
        rows = list(rows)
    total = len(rows)
    if not total:
        raise ExportError("Nothing to export: no approved drafts match.")
    seen: set[int] = set()

    def once(row: ExportRow) -> ExportRow:
        if row.draft_id in seen:
            raise ExportError(f"Draft {row.draft_id} is in the export twice.")
        seen.add(row.draft_id)
        return row

    disclosure_text = clean_text(disclosure or "").strip()
    names = preset.column_names(disclosure=bool(disclosure_text))
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    stem = f"content-studio-{preset.name}-{stamp}-{total}"
    n_workers = _worker_count(total, preset, workers)
    slugger = _SlugAllocator(taken_slugs)
    slugs: list[str] = []
    timings = {"render": 0.0, "csv": 0.0, "workers": float(n_workers), "cpu_workers": 0.0}

    if preset.file_format == "json":
        rows = [_clean_row(once(r)) for r in rows]
        slugs = slugger.take(rows)
        htmls = _render_all(rows, n_workers, timings)
        records = [
            {name: preset.columns[name](it) for name in names}
            for it in _items(rows, slugs, htmls, disclosure_text, site_timezone)
        ]
        content = json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")
        sha256 = hashlib.sha256(content).hexdigest()
        size = len(content)
        if compressed:
            content_gzip: bytes | None = gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
            content = None
        else:
            content_gzip = None
        del records, htmls
        filename, mimetype = f"{stem}.json", "application/json"
    else:
        # Written CHUNK_ROWS rows at a time, so only a few chunks' HTML are alive at once next
        # to the file being built. Each chunk is cleaned and given its slugs here (slugs are
        # unique across the whole file, so this part is sequential), then rendered, sanitised
        # and written to CSV by pandas: in this process, or in a worker while this process
        # prepares the next chunk. The chunks are joined in order: the bytes do not depend on
        # where a chunk was written.
        with _Sink(compressed) as sink:
            if mode == "spreadsheet" if bom is None else bom:
                sink.write(codecs.BOM_UTF8)
            job = _CsvJob(preset.name, names, mode, disclosure_text, site_timezone)

            def chunks() -> Iterator[tuple[list[ExportRow], list[str], bool]]:
                remaining = iter(rows)
                header = True
                while chunk := [_clean_row(once(r)) for r in islice(remaining, CHUNK_ROWS)]:
                    chunk_slugs = slugger.take(chunk)
                    slugs.extend(chunk_slugs)
                    yield chunk, chunk_slugs, header
                    header = False

            if n_workers == 1:
                for chunk, chunk_slugs, header in chunks():
                    part, t_render, t_csv, _ = job.run(chunk, chunk_slugs, header, preset)
                    sink.write(part)
                    timings["render"] += t_render
                    timings["csv"] += t_csv
                    del part
            else:
                for part in _in_workers(job, chunks(), n_workers, timings):
                    sink.write(part)
                    del part
            content, content_gzip, sha256, size = sink.close()
        filename, mimetype = f"{stem}.csv", "text/csv; charset=utf-8"
    timings["wall"] = time.perf_counter() - started
    timings["cpu_main"] = time.process_time() - started_cpu  # this process, all its threads
    return ExportFile(
        filename_suggestion=filename,
        plain=content,
        content_gzip=content_gzip,
        size=size,
        mimetype=mimetype,
        sha256=sha256,
        row_count=total,
        slugs=tuple(slugs),
        preset=preset.name,
        timings=timings,
    )


GZIP_LEVEL = 1  # HTML-heavy CSV: ~5x smaller at level 1; higher levels cost more than they save


def gunzip(data: bytes, size: int | None = None) -> bytes:
    """A stored export file, decompressed. With its ``size`` known, into one buffer of that
    size: gzip.decompress grows one as it goes and briefly holds about twice the file."""
    return zlib.decompress(data, wbits=31, bufsize=max(size or 0, 16384))


class _Sink:
    """Where the CSV's chunks go: kept as they are, or gzip-compressed as they arrive. Hashing
    and compressing run in one thread (hashlib and zlib let go of the GIL on large inputs) while
    the caller writes the next chunk; one thread, so the chunks are taken in order."""

    def __init__(self, compressed: bool) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer = io.BytesIO()
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compressed else None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-file")
        self.pending: deque[Any] = deque()

    def _take(self, part: bytes) -> None:
        self.digest.update(part)
        if self.compressor is not None:
            self.buffer.write(self.compressor.compress(part))

    def write(self, part: bytes) -> None:
        self.size += len(part)
        if self.compressor is None:
            self.buffer.write(part)
        self.pending.append(self.pool.submit(self._take, part))
        while self.pending and self.pending[0].done():  # errors surface early; memory freed
            self.pending.popleft().result()

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:  # the export failed half-way: drop what is queued, end the thread
            self.pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> tuple[bytes | None, bytes | None, str, int]:
        """(the file or None, its gzip or None, SHA-256 of the file, its size)."""
        self.pool.shutdown(wait=True)
        while self.pending:
            self.pending.popleft().result()
        if self.compressor is not None:
            self.buffer.write(self.compressor.flush())
            return None, self.buffer.getvalue(), self.digest.hexdigest(), self.size
        return self.buffer.getvalue(), None, self.digest.hexdigest(), self.size


def _items(
    rows: Sequence[ExportRow], slugs: Sequence[str], htmls: Sequence[str], disclosure: str,
    site_timezone: tzinfo,
) -> list[Item]:  # fmt: skip
    return [
        Item(row=r, slug=s, html=h, disclosure=disclosure, site_timezone=site_timezone)
        for r, s, h in zip(rows, slugs, htmls)
    ]


@dataclass(frozen=True)
class _CsvJob:
    """What every chunk of one CSV export shares; small and picklable (the preset by name), so
    it goes to a worker process with each chunk."""

    preset_name: str
    names: list[str]
    mode: Mode
    disclosure: str
    site_timezone: tzinfo

    def run(
        self, rows: list[ExportRow], slugs: list[str], header: bool, preset: Preset | None = None
    ) -> tuple[bytes, float, float, float]:
        """One chunk of cleaned rows → its CSV bytes (the header too when ``header``), the
        seconds spent rendering and writing, and the CPU seconds of both."""
        c0, t0 = time.process_time(), time.perf_counter()
        htmls = _render_bodies(rows)
        t1 = time.perf_counter()
        items = _items(rows, slugs, htmls, self.disclosure, self.site_timezone)
        del htmls
        frame = _frame(items, preset or PRESETS[self.preset_name], self.names, self.mode)
        del items
        # Straight into bytes: pandas' UTF-8 writer is about twice as fast here as a StringIO
        # (which widens its buffer for every non-Latin-1 character) encoded afterwards.
        buffer = io.BytesIO()
        _write_csv(frame, buffer, header=header)
        del frame
        return buffer.getvalue(), t1 - t0, time.perf_counter() - t1, time.process_time() - c0


def _frame(items: list[Item], preset: Preset, names: list[str], mode: Mode) -> Any:
    """The preset's table for ``items``, every cell a string, formulas neutralised per ``mode``."""
    import pandas as pd

    data: dict[str, list[str]] = {}
    triggers = _TRIGGERS
    for name in names:
        get = preset.columns[name]
        values = [get(it) for it in items]
        if mode == "spreadsheet":
            values = [neutralise(v, mode) for v in values]
        elif name not in preset.body_columns:
            # neutralise(v, "cms"), inlined: this runs for every cell of every export.
            values = ["'" + v if v.startswith(triggers) else v for v in values]
        data[name] = values
    # dtype=object keeps the Python strings as they are (pandas 3 would copy them into Arrow).
    return pd.DataFrame(data, columns=names, dtype=object)


def _write_csv(frame: Any, buffer: io.BytesIO, *, header: bool) -> None:
    """RFC 4180 (see the module docstring): comma, QUOTE_MINIMAL, doubled quotes, CRLF, UTF-8."""
    frame.to_csv(
        buffer,
        index=False,
        header=header,
        encoding="utf-8",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
        doublequote=True,
        quotechar='"',
        sep=",",
    )


# --------------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------------
#
# Rendering and sanitising (both in Rust, ~0.45 ms a post) and pandas' CSV writer hold the GIL, so
# threads would not help: large exports use a small process pool. It uses the ``forkserver``
# start method (``spawn`` where that does not exist), never ``fork``: Streamlit runs scripts in
# threads, and forking a threaded process can copy a held lock into the child. The pool is made
# on the first large export and kept for the next ones (a worker starts in ~0.5 s, pandas
# included); it is shut down when the process exits, and replaced if a worker dies. Each worker
# builds the Markdown parser and the sanitiser once, when it imports this module.

_POOL: Any = None  # concurrent.futures.ProcessPoolExecutor, made by _pool()
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()
# Chunks handed to the pool ahead of the one being collected: enough to keep every worker busy,
# few enough that only a handful of chunks' rows and CSV are in flight at once.
_AHEAD_PER_WORKER = 2


def _worker_count(n_rows: int, preset: Preset, workers: int | None) -> int:
    if workers is not None:
        if workers < 1:
            raise ExportError(f"workers must be 1 or more, not {workers}.")
        wanted = workers
    elif n_rows < PARALLEL_MIN_ROWS:
        return 1
    else:
        wanted = min(export_workers(), os.cpu_count() or 1)
    if wanted > 1 and (PRESETS.get(preset.name) is not preset or multiprocessing.current_process().daemon):
        # A preset that is not one of PRESETS cannot be named to a worker; a daemonic process
        # (a pool worker itself) may not start processes. Both stay in-process.
        return 1
    return wanted


def _worker_init() -> None:
    # Ctrl-C in the CLI reaches the whole process group: the parent reports it; the workers
    # just stop when the pool shuts down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pandas  # noqa: F401  (once per worker, not in the first chunk)


def _pool(size: int) -> Any:
    global _POOL, _POOL_SIZE
    from concurrent.futures import ProcessPoolExecutor

    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE != size:
            if _POOL is not None:
                _POOL.shutdown(wait=False, cancel_futures=True)
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload([__name__, "pandas"])
            _POOL = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=_worker_init)
            _POOL_SIZE = size
        return _POOL


def _discard_pool(pool: Any) -> None:
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL, _POOL_SIZE = None, 0
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_workers() -> None:
    """Stop the export worker processes (they start again with the next large export)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        pool, _POOL, _POOL_SIZE = _POOL, None, 0
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_workers)


# multiprocessing's forkserver and spawn children first import the parent's ``__main__`` module
# (to find functions pickled from it). Streamlit installs each page script as ``__main__``, so
# every worker would run the export page itself; a script without the ``if __name__ ==
# "__main__":`` guard would run again in each worker. Nothing the workers run lives in
# ``__main__``, so while a worker may be starting (processes start inside ``submit``) the parent
# shows them a blank one: the workers import only this module (and what pickled tasks name).
_BLANK_MAIN = types.ModuleType("__main__")
_SUBMIT_LOCK = threading.Lock()


def _submit(pool: Any, fn: Callable[..., Any], *args: Any) -> Any:
    with _SUBMIT_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = _BLANK_MAIN
        try:
            return pool.submit(fn, *args)
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _csv_chunk_task(
    job: _CsvJob, rows: list[ExportRow], slugs: list[str], header: bool
) -> tuple[bytes, float, float, float]:
    """What a worker runs for one CSV chunk (module-level, so the pool can name it)."""
    return job.run(rows, slugs, header)


def _render_task(rows: list[ExportRow]) -> tuple[list[str], float]:
    t = time.perf_counter()
    return _render_bodies(rows), time.perf_counter() - t


def _in_workers(
    job: _CsvJob,
    chunks: Iterator[tuple[list[ExportRow], list[str], bool]],
    n_workers: int,
    timings: dict[str, float],
) -> Iterator[bytes]:
    """The CSV chunks written by the pool, in order; a few are handed out ahead."""
    pool = _pool(n_workers)
    pending: deque[tuple[Any, int, int]] = deque()
    first = 0
    try:
        for chunk, chunk_slugs, header in chunks:
            pending.append(
                (_submit(pool, _csv_chunk_task, job, chunk, chunk_slugs, header), first, len(chunk))
            )
            first += len(chunk)
            while len(pending) > n_workers * _AHEAD_PER_WORKER:
                yield _collect(pool, *pending.popleft(), timings)
        while pending:
            yield _collect(pool, *pending.popleft(), timings)
    finally:
        for future, _, _ in pending:
            future.cancel()


def _render_all(rows: list[ExportRow], n_workers: int, timings: dict[str, float]) -> list[str]:
    if n_workers == 1:
        htmls, seconds = _render_task(rows)
        timings["render"] += seconds
        return htmls
    pool = _pool(n_workers)
    futures = [
        (_submit(pool, _render_task, rows[start : start + CHUNK_ROWS]), start, len(rows[start : start + CHUNK_ROWS]))
        for start in range(0, len(rows), CHUNK_ROWS)
    ]
    htmls: list[str] = []
    try:
        for future, first, count in futures:
            part, seconds = _collect(pool, future, first, count, None)
            htmls.extend(part)
            timings["render"] += seconds
    finally:
        for future, _, _ in futures:
            future.cancel()
    return htmls


def _collect(pool: Any, future: Any, first: int, count: int, timings: dict[str, float] | None) -> Any:
    """A chunk's result; a failed worker becomes an ExportError that says what happened."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        result = future.result()
    except ExportError:
        raise
    except BrokenProcessPool as exc:
        _discard_pool(pool)
        raise ExportError(
            "The export stopped: a worker process preparing the file ended unexpectedly (it may "
            "have run out of memory or been stopped). Nothing was exported; try again, or export "
            "fewer drafts at once."
        ) from exc
    except Exception as exc:
        raise ExportError(
            f"The export stopped: preparing rows {first + 1}–{first + count} failed in a worker "
            f"process ({type(exc).__name__}: {exc}). Nothing was exported."
        ) from exc
    if timings is None:
        return result
    part, t_render, t_csv, cpu = result
    timings["render"] += t_render
    timings["csv"] += t_csv
    timings["cpu_workers"] += cpu
    return part
