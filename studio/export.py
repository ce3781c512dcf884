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

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from types import MappingProxyType
from typing import Any, Literal

import nh3
from slugify import slugify

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "GENERIC",
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


def row_from_draft(draft: Any, revision: Any = None, author_email: str | None = None) -> ExportRow:
    """Adapt a ``studio.models.Draft`` (and the ``Revision`` to export) into an :class:`ExportRow`.

    ``revision`` defaults to the draft's current revision. The User model keeps no e-mail, so the
    caller passes it when it knows one (HubSpot matches authors by e-mail).
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


def _slugify(text: str) -> str:
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
    owners: dict[str, int | None]
    if isinstance(taken, Mapping):
        owners = {str(s).lower(): d for s, d in taken.items()}
    else:
        owners = {str(s).lower(): None for s in taken}
    used: set[str] = set()
    slugs: list[str] = []
    for row in rows:
        base = _slugify(row.slug) or _slugify(row.title) or f"post-{row.draft_id}"
        candidate, n = base, 1
        while candidate in used or (
            candidate in owners and (owners[candidate] is None or owners[candidate] != row.draft_id)
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
    filename_suggestion: str
    content: bytes
    mimetype: str
    sha256: str
    row_count: int
    slugs: tuple[str, ...] = field(default=())  # in row order, for ExportItem.slug
    preset: str = ""


def _clean_row(row: ExportRow) -> ExportRow:
    """The row with every text value passed through :func:`clean_text`."""
    changes: dict[str, Any] = {}
    for name in (
        "title", "slug", "body_markdown", "excerpt", "meta_description", "author_name",
        "author_email", "publish_status", "language", "content_type",
    ):  # fmt: skip
        value = getattr(row, name)
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
    clean = _CLEANER.clean
    render = _render_markdown
    return [clean(render(r.body_markdown)) for r in rows]


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
) -> ExportFile:
    """Build the export file for ``rows`` in ``preset``'s format.

    ``bom`` defaults to the mode's choice (off for ``cms``, on for ``spreadsheet``).
    ``taken_slugs``: see :func:`unique_slugs`. ``disclosure``: the workspace's AI-disclosure
    line, written in its own column by the generic and JSON presets. ``site_timezone``: the
    WordPress site's time zone, for ``post_date``. ``now`` only names the file.
    """
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
    rows = [_clean_row(r) for r in rows]
    if not rows:
        raise ExportError("Nothing to export: no approved drafts match.")
    seen: set[int] = set()
    for r in rows:
        if r.draft_id in seen:
            raise ExportError(f"Draft {r.draft_id} is in the export twice.")
        seen.add(r.draft_id)

    slugs = unique_slugs(rows, taken_slugs)
    disclosure_text = clean_text(disclosure or "").strip()
    names = preset.column_names(disclosure=bool(disclosure_text))
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    stem = f"content-studio-{preset.name}-{stamp}-{len(rows)}"

    def items(start: int, stop: int) -> list[Item]:
        chunk = rows[start:stop]
        return [
            Item(row=r, slug=s, html=h, disclosure=disclosure_text, site_timezone=site_timezone)
            for r, s, h in zip(chunk, slugs[start:stop], _render_bodies(chunk))
        ]

    if preset.file_format == "json":
        records = [{name: preset.columns[name](it) for name in names} for it in items(0, len(rows))]
        content = json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")
        filename, mimetype = f"{stem}.json", "application/json"
    else:
        # Rendered and written CHUNK_ROWS at a time, so only one chunk's HTML is alive at once
        # next to the file being built.
        buffer = io.BytesIO()
        if mode == "spreadsheet" if bom is None else bom:
            buffer.write(codecs.BOM_UTF8)
        for start in range(0, len(rows), CHUNK_ROWS):
            frame = _frame(items(start, start + CHUNK_ROWS), preset, names, mode)
            _write_csv(frame, buffer, header=start == 0)
        content = buffer.getvalue()
        del buffer
        filename, mimetype = f"{stem}.csv", "text/csv; charset=utf-8"
    return ExportFile(
        filename_suggestion=filename,
        content=content,
        mimetype=mimetype,
        sha256=hashlib.sha256(content).hexdigest(),
        row_count=len(rows),
        slugs=tuple(slugs),
        preset=preset.name,
    )


def _frame(items: list[Item], preset: Preset, names: list[str], mode: Mode) -> Any:
    """The preset's table for ``items``, every cell a string, formulas neutralised per ``mode``."""
    import pandas as pd

    data: dict[str, list[str]] = {}
    for name in names:
        get = preset.columns[name]
        values = [get(it) for it in items]
        if mode == "spreadsheet" or name not in preset.body_columns:
            values = [neutralise(v, mode) for v in values]
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
