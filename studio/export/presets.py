"""Each CMS is one declarative :class:`Preset`: an ordered mapping of column name to the function
that produces the cell, read top to bottom like the importer's field list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timezone, tzinfo
from types import MappingProxyType
from typing import Any, Literal

from studio.content import cms_body_html
from studio.export.rows import ExportRow


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
    # Citation marks ([S2]) in the body: numbered footnotes linking to the sources, or removed.
    citations: Literal["footnotes", "remove"] = "footnotes"

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
# CMS themes print the post title as the page's heading: the body starts after it, with no H1.
_cms_html: Getter = lambda item: cms_body_html(item.html, item.row.title)  # noqa: E731
_disclosure: Getter = lambda item: item.disclosure  # noqa: E731
_wp_author: Getter = lambda item: item.row.author_email or item.row.author_name  # noqa: E731

WORDPRESS = Preset(
    name="wordpress",
    label="WordPress (WP All Import / WP Ultimate CSV Importer)",
    columns=MappingProxyType({
        "post_title":               _text("title"),
        "post_content":             _cms_html,
        "post_excerpt":             _text("excerpt"),
        "post_name":                _slug,
        "post_status":              _text("publish_status"),
        "post_date":                _date("wp_local"),
        "post_date_gmt":            _date("wp_gmt"),
        "post_author":              _wp_author,
        "post_category":            _terms("categories", "|"),
        "tags_input":               _terms("tags", ","),
        "_yoast_wpseo_metadesc":    _text("meta_description"),
        "featured_image":           _text("featured_image_url"),
        "featured_image_alt":       _text("featured_image_alt"),
    }),  # fmt: skip
    body_columns=frozenset({"post_content"}),
    notes=(
        "post_content starts after the title: the leading title heading is dropped and any other "
        "H1 becomes H2 (the theme prints the title as the page's H1). "
        "post_date is in the site time zone (Settings → Workspace), post_date_gmt the same moment "
        "in UTC. post_author is the author's e-mail address (People) when they have one, else "
        "their display name. "
        "Categories are separated by '|', tags by ','. The meta description is the Yoast SEO "
        "custom field _yoast_wpseo_metadesc; map it to rank_math_description for Rank Math. "
        "featured_image is the chosen hero image's URL (STUDIO_MEDIA_BASE_URL and its file name, "
        "or its file name alone) and featured_image_alt its alt text: map them to the importer's "
        "featured image and its alternative text."
    ),
)

HUBSPOT = Preset(
    name="hubspot",
    label="HubSpot blog import",
    columns=MappingProxyType({
        "name":             _text("title"),
        "slug":             _slug,
        "postBody":         _cms_html,
        "postSummary":      _text("excerpt"),
        "metaDescription":  _text("meta_description"),
        "publishDate":      _date("iso"),
        "language":         _text("language"),
        "tags":             _terms("tags", ","),
        "authorEmail":      _text("author_email"),
    }),  # fmt: skip
    body_columns=frozenset({"postBody"}),
    notes=(
        "postBody starts after the title: the leading title heading is dropped and any other H1 "
        "becomes H2 (the theme prints the title as the page's H1). publishDate is ISO 8601 with "
        "its UTC offset; tags are separated by ','."
    ),
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
    "featured_image_url": _field("featured_image_url"),
    "featured_image_alt": _field("featured_image_alt"),
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
    notes=(
        "The body is kept as written (Markdown and its HTML, title heading included). Lists are "
        "separated by '|'; publish_date is ISO 8601 with offset, empty when unset."
    ),
)

JSON_PRESET = Preset(
    name="json",
    label="JSON (every field)",
    columns=_GENERIC_FIELDS,
    file_format="json",
    body_columns=frozenset({"body_html"}),
    disclosure_columns=frozenset({"ai_disclosure"}),
    notes=(
        "The body is kept as written (Markdown and its HTML, title heading included). An array "
        "of objects; tags and categories are arrays, publish_date null when unset. Citation marks "
        "are removed: a site rendering JSON lays out its own source notes."
    ),
    citations="remove",
)

PRESETS: Mapping[str, Preset] = MappingProxyType(
    {p.name: p for p in (WORDPRESS, HUBSPOT, GENERIC, JSON_PRESET)}
)


def preset_name(name: str) -> str:
    """A preset as a list shows it: "WordPress", "HubSpot blog import" (the code if unknown)."""
    preset = PRESETS.get(name)
    return preset.label.split(" (")[0] if preset is not None else name


def make_items(
    rows: Sequence[ExportRow], slugs: Sequence[str], htmls: Sequence[str], disclosure: str,
    site_timezone: tzinfo,
) -> list[Item]:  # fmt: skip
    return [
        Item(row=r, slug=s, html=h, disclosure=disclosure, site_timezone=site_timezone)
        for r, s, h in zip(rows, slugs, htmls)
    ]
