"""One approved draft at one revision, as the plain values an export needs.

:class:`ExportRow` is built from a draft's columns by :func:`row_from_values` (the service reads
columns, never whole ORM objects, for exports of thousands of drafts); its checks refuse a row a
CMS could not take, naming the draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from studio.config import get_settings
from studio.content import clean_text, title_from_markdown
from studio.errors import StudioError
from studio.images.slots import featured_url

PUBLISH_STATUSES = frozenset({"draft", "publish", "future"})


class ExportError(StudioError, ValueError):
    """The export cannot be produced as asked; the message says why, in a marketer's words."""


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
    # The chosen hero image (studio/images): the address a CMS fetches it from, and its alt text.
    featured_image_url: str = ""
    featured_image_alt: str = ""
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



def row_from_values(
    values: Any,
    *,
    revision_number: int,
    body: str = "",
    body_html: str | None = None,
    author_name: str = "",
    author_email: str = "",
) -> ExportRow:
    """An :class:`ExportRow` from a draft's columns (``values`` has the Draft's attribute names:
    a Draft, or a row of its columns). ``body`` is the revision's Markdown when it is already
    read (a draft without a title takes the title from its first heading); ``body_html`` its
    stored HTML, when made under the running HTML_VERSION."""
    title = (values.title or "").strip() or title_from_markdown(body)
    if not title:
        topic = (getattr(values, "topic", "") or "").strip()
        named = f"Draft {values.id}" + (f" ({topic[:60]!r})" if topic else "")
        raise ExportError(
            f"{named} has no title and its text has no heading: add a title before exporting."
        )
    return ExportRow(
        draft_id=values.id,
        revision_number=revision_number,
        title=title,
        slug=values.slug or "",
        body_markdown=body,
        excerpt=values.excerpt or "",
        meta_description=values.meta_description or "",
        tags=tuple(values.tags or ()),
        categories=tuple(values.categories or ()),
        author_name=author_name,
        author_email=author_email or "",
        publish_date=values.publish_date,
        publish_status=values.publish_status or "draft",
        language=values.language or "en",
        content_type=values.content_type or "",
        body_html=body_html,
        **_featured(values),
    )


def _featured(values: Any) -> dict[str, str]:
    """The hero image's export fields, when ``values`` carries them (the export's head rows)."""
    url = featured_url(getattr(values, "image_file", None) or "", getattr(values, "image_url", None) or "",
                       get_settings().studio_media_base_url)  # fmt: skip
    return {"featured_image_url": url, "featured_image_alt": (getattr(values, "image_alt", None) or "") if url else ""}
