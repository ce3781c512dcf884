"""Publishing fields: what a CMS needs besides the text, and the rules for them (pure).

A draft's publishing fields are its title, slug, excerpt, meta description (at most 160
characters: what search engines show), tags, categories, publish status and date, and language.
`derive_fields` computes them from the Markdown and the brief alone (first heading → title, first
paragraph → excerpt and meta description, keywords or section headings → tags, content type →
category); `normalise_proposal` makes a model's answer fit the same rules; `validate_publishing`
checks what a person typed, naming every bad field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Literal

from studio.content import (
    SLUG_MAX_LENGTH,
    cut_at_word,
    first_paragraph,
    headings,
    slugify,
    squash,
    title_from_markdown,
)
from studio.drafting.brief import LANGUAGES
from studio.errors import InputError
from studio.models import utcnow

TITLE_MAX = 200
SLUG_MAX = SLUG_MAX_LENGTH
EXCERPT_MAX = 1000
EXCERPT_PROPOSED_MAX = 300
META_MAX = 160
TERM_MAX = 60
TAGS_MAX = 20
CATEGORIES_MAX = 10
TAGS_PROPOSED_MAX = 8
CATEGORIES_PROPOSED_MAX = 3
PUBLISH_STATUSES = ("draft", "publish", "future")
PUBLISH_STATUS_LABELS = {
    "draft": "Draft (not published)",
    "publish": "Publish",
    "future": "Scheduled (future)",
}

#: The category a piece gets when nobody chose one.
CATEGORY_BY_TYPE = {"blog": "Blog", "news": "News", "story": "Stories"}

#: Audit action written by update_publishing (check_version names it in conflict messages).
PUBLISHING_UPDATED = "draft.publishing_updated"
FIELDS_PROPOSED = "draft.fields_proposed"

Source = Literal["model", "json_text", "derived"]


class PublishingError(InputError):
    """Publishing fields that cannot be saved. ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(dict(problems))


@dataclass(frozen=True)
class PublishingFields:
    """A complete proposal. ``source`` says where it came from, ``note`` what went wrong, if
    anything (empty when the model answered as asked)."""

    title: str
    slug: str
    excerpt: str
    meta_description: str
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    source: Source = "derived"
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tags"], d["categories"] = list(self.tags), list(self.categories)
        return d



def parse_terms(value: str | Iterable[Any] | None) -> list[str]:
    """Tags or categories from a comma-separated string or a list: trimmed, de-duplicated
    (case-insensitively, first spelling kept), empty ones dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        term = squash(item).strip("#").strip()
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return list(seen.values())



def make_slug(text: str) -> str:
    return slugify(text)


def brief_value(brief: Any, name: str, default: Any = "") -> Any:
    if isinstance(brief, Mapping):
        return brief.get(name, default)
    return getattr(brief, name, default)


def derive_fields(brief: Any, body: str, *, note: str = "") -> PublishingFields:
    """The fields computed from the Markdown and the brief alone: no model, always succeeds."""
    found = headings(body)
    title = title_from_markdown(body)
    if not title:
        title = squash(brief_value(brief, "topic", "")).rstrip(".") or "Untitled"
        title = title[:1].upper() + title[1:]
    title = cut_at_word(title, TITLE_MAX)
    paragraph = first_paragraph(body) or squash(brief_value(brief, "topic", ""))
    excerpt = cut_at_word(paragraph, EXCERPT_PROPOSED_MAX)
    meta = cut_at_word(paragraph, META_MAX)
    keywords = parse_terms(brief_value(brief, "keywords", None) or [])
    if not keywords:
        keywords = [
            text for level, text in found
            if level == 2 and text.casefold() not in {"conclusion", "summary", "introduction"}
        ]  # fmt: skip
    tags = tuple(t[:TERM_MAX] for t in parse_terms(keywords)[:TAGS_PROPOSED_MAX] if len(t) <= TERM_MAX)
    content_type = str(brief_value(brief, "content_type", "") or "")
    category = CATEGORY_BY_TYPE.get(content_type, content_type.capitalize() if content_type else "")
    return PublishingFields(
        title=title,
        slug=make_slug(title),
        excerpt=excerpt,
        meta_description=meta,
        tags=tags,
        categories=(category,) if category else (),
        source="derived",
        note=note,
    )


def normalise_proposal(raw: Mapping[str, Any], derived: PublishingFields, source: Source, note: str) -> PublishingFields:
    """Normalise a model's answer; anything missing or unusable comes from ``derived``."""

    def text(name: str) -> str:
        value = raw.get(name)
        return squash(value) if isinstance(value, (str, int, float)) else ""

    title = cut_at_word(text("title"), TITLE_MAX) or derived.title
    slug = make_slug(text("slug")) or make_slug(title) or derived.slug
    excerpt = cut_at_word(text("excerpt"), EXCERPT_PROPOSED_MAX) or derived.excerpt
    meta = cut_at_word(text("meta_description"), META_MAX) or cut_at_word(excerpt, META_MAX)
    terms: dict[str, tuple[str, ...]] = {}
    for name, limit, fallback in (
        ("tags", TAGS_PROPOSED_MAX, derived.tags),
        ("categories", CATEGORIES_PROPOSED_MAX, derived.categories),
    ):
        value = raw.get(name)
        usable = value if isinstance(value, (str, list, tuple)) else None
        found = [t for t in parse_terms(usable) if len(t) <= TERM_MAX]
        terms[name] = tuple(found[:limit]) or fallback
    if not any(raw.get(k) for k in ("title", "slug", "excerpt", "meta_description", "tags", "categories")):
        raise ValueError("the model's answer had none of the fields")
    return PublishingFields(
        title=title, slug=slug, excerpt=excerpt, meta_description=meta,
        tags=terms["tags"], categories=terms["categories"], source=source, note=note,
    )  # fmt: skip



EDITABLE_FIELDS = (
    "title", "slug", "excerpt", "meta_description", "tags", "categories",
    "publish_status", "publish_date", "language",
)  # fmt: skip


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0), tzinfo=timezone.utc)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    raise ValueError(f"not a date: {value!r}")


class _Invalid(ValueError):
    """One field's problem, in words (collected by validate_publishing)."""


def _title(value: Any, _current: Any) -> str:
    title = squash(value)
    if not title:
        raise _Invalid("The title is empty. Give the piece a title.")
    if len(title) > TITLE_MAX:
        raise _Invalid(f"The title is {len(title)} characters; the limit is {TITLE_MAX}.")
    return title


def _slug(value: Any, current: Any) -> str:
    typed = squash(value)
    slug = make_slug(typed) if typed else make_slug(current.title or "")
    if typed and not slug:
        raise _Invalid("The slug has no letters or digits; use words like my-first-post.")
    if len(typed) > 200:
        raise _Invalid(f"The slug is {len(typed)} characters; keep it under {SLUG_MAX}.")
    return slug


def _excerpt(value: Any, _current: Any) -> str:
    excerpt = str(value or "").strip()
    if len(excerpt) > EXCERPT_MAX:
        raise _Invalid(f"The excerpt is {len(excerpt):,} characters; the limit is {EXCERPT_MAX:,}.")
    return excerpt


def _meta(value: Any, _current: Any) -> str:
    meta = squash(value)
    if len(meta) > META_MAX:
        raise _Invalid(
            f"The meta description is {len(meta)} characters; search engines show at most "
            f"{META_MAX}. Shorten it by {len(meta) - META_MAX}."
        )
    return meta


def _terms(label: str, limit: int) -> Any:
    def check(value: Any, _current: Any) -> list[str]:
        terms = parse_terms(value)
        long = [t for t in terms if len(t) > TERM_MAX]
        if long:
            raise _Invalid(f"Each of the {label} may be at most {TERM_MAX} characters ({long[0][:30]!r}… is longer).")
        if len(terms) > limit:
            raise _Invalid(f"{len(terms)} {label} given; the limit is {limit}.")
        return terms

    return check


def _language(value: Any, _current: Any) -> str:
    language = str(value or "").strip()
    if language not in LANGUAGES:
        raise _Invalid(f"Unsupported language {language!r}; choose one of {', '.join(LANGUAGES)}.")
    return language


def _publish_status(value: Any, _current: Any) -> str:
    status = str(value or "").strip().lower()
    if status not in PUBLISH_STATUSES:
        raise _Invalid(f"Unknown publish status {value!r}; choose draft, publish or future.")
    return status


def _publish_date(value: Any, _current: Any) -> datetime | None:
    try:
        return _as_datetime(value)
    except (TypeError, ValueError):
        raise _Invalid("The publish date is not a date; use YYYY-MM-DD HH:MM.") from None


# One validator per field: (value typed, the draft as it is) -> the value to store.
_VALIDATORS = {
    "title": _title,
    "slug": _slug,
    "excerpt": _excerpt,
    "meta_description": _meta,
    "tags": _terms("tags", TAGS_MAX),
    "categories": _terms("categories", CATEGORIES_MAX),
    "language": _language,
    "publish_status": _publish_status,
    "publish_date": _publish_date,
}


def validate_publishing(current: Any, fields: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """The values to store for ``fields`` (only the keys given), or PublishingError naming every
    bad field. ``current`` is the draft as it is (its title makes an empty slug; its status and
    date count when only one of them changes). Naive dates are taken as UTC."""
    problems: dict[str, str] = {}
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        problems["fields"] = f"Unknown publishing field(s): {', '.join(unknown)}."
    out: dict[str, Any] = {}
    for name, validate in _VALIDATORS.items():
        if name not in fields:
            continue
        source = current
        if name == "slug" and "title" in out:
            source = _WithTitle(out["title"])
        try:
            out[name] = validate(fields[name], source)
        except _Invalid as exc:
            problems[name] = str(exc)
    status = out.get("publish_status", current.publish_status or "draft")
    when = out["publish_date"] if "publish_date" in out else current.publish_date
    if status == "future" and "publish_status" not in problems and "publish_date" not in problems:
        if when is None:
            problems["publish_date"] = "A scheduled (future) post needs a publish date."
        elif when <= (now or utcnow()) and ("publish_status" in fields or "publish_date" in fields):
            problems["publish_date"] = (
                "A scheduled (future) post needs a publish date in the future; "
                "choose a later date or the status Publish."
            )
    if problems:
        raise PublishingError(problems)
    return out


@dataclass(frozen=True)
class _WithTitle:
    """The draft as a slug sees it when the same save also sets a new title."""

    title: str
