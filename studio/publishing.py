"""Publishing fields: what a CMS needs besides the text, proposed by the writer, edited by people.

A draft's publishing fields are its title, slug, excerpt, meta description (at most 160
characters: what search engines show), tags, categories, publish status and date, and language.

Proposing (:func:`propose_fields`) never fails the generation it follows:

1. **Structured output.** ``chat_model.with_structured_output(_Proposal, method="json_schema")``:
   the server is held to a JSON schema (OpenAI, vLLM, recent Ollama).
2. **JSON in plain text.** Servers without JSON-schema support refuse step 1 (or the model ignores
   it); the same request is sent again asking for a JSON object in the reply, and the first
   ``{...}`` block of the answer is parsed.
3. **Derived from the text.** If both fail, or the writer is the offline demo writer (which is not
   AI and is never presented as such), the fields come deterministically from the Markdown: first
   heading → title, first paragraph → excerpt and meta description (cut at a word boundary),
   brief keywords (else the section headings) → tags, content type → category.

Whatever the model returns is normalised the same way (slug through python-slugify, meta cut to
160 at a word boundary, tags de-duplicated…), and any field the model left empty is filled from
the derivation, so a proposal is always complete. ``note`` says what happened, in words.

Editing (:func:`update_publishing`) is a service like the others: it takes the actor, checks the
permission and the version the person saw, validates every field (all problems at once, by field,
in :class:`PublishingError`), writes one ``draft.publishing_updated`` audit row and keeps the search
index in step.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from studio import audit
from studio.auth import authorize, can
from studio.drafts import DraftInputError, VersionConflict, check_version, get_draft
from studio.models import AuditEvent, Draft, User, utcnow
from studio.search import index_draft

log = logging.getLogger(__name__)

__all__ = [
    "CATEGORY_BY_TYPE",
    "META_MAX",
    "PUBLISH_STATUSES",
    "PublishingError",
    "PublishingFields",
    "apply_proposed_fields",
    "derive_fields",
    "editable_reason",
    "parse_terms",
    "propose_fields",
    "propose_for_choice",
    "publishing_values",
    "update_publishing",
]

TITLE_MAX = 200
SLUG_MAX = 190  # studio.export.SLUG_MAX_LENGTH: a "-2" suffix still fits WordPress's 200
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
DEMO_NOTE = "Derived from the text (demo writer, no AI model)."


class PublishingError(DraftInputError):
    """Publishing fields that cannot be saved. ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


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


class _Proposal(BaseModel):
    """The JSON schema the model fills. No length limits here: OpenAI's strict mode refuses some
    schema keywords, and every value is normalised afterwards anyway."""

    title: str = Field(description="The post title: specific, at most 70 characters.")
    slug: str = Field(description="URL slug: lowercase words joined by hyphens, at most 6 words.")
    excerpt: str = Field(description="A one- or two-sentence summary for listings.")
    meta_description: str = Field(
        description="Search-result description, at most 155 characters, ending with a full stop."
    )
    tags: list[str] = Field(description="Three to six short tags.")
    categories: list[str] = Field(description="One or two broad categories.")


# --------------------------------------------------------------------------------------------
# Small text helpers


def _squash(value: Any) -> str:
    return " ".join(str(value or "").split())


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` (whitespace squashed) at most ``limit`` characters, cut at a word boundary,
    with ``ellipsis`` appended when something was cut (it counts towards the limit)."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > room // 2 else text[:room]
    return head.rstrip(" ,;:-–—") + ellipsis


def parse_terms(value: str | Iterable[Any] | None) -> list[str]:
    """Tags or categories from a comma-separated string or a list: trimmed, de-duplicated
    (case-insensitively, first spelling kept), empty ones dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        term = _squash(item).strip("#").strip()
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return list(seen.values())


def make_slug(text: str) -> str:
    return slugify(_squash(text), max_length=SLUG_MAX, word_boundary=True, backend="text-unidecode")


_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links → text
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),
    (re.compile(r"<[^>]{0,200}>"), ""),  # stray HTML tags never reach a field
]


def _plain(markdown_line: str) -> str:
    text = markdown_line
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return _squash(text)


def _blocks(markdown: str) -> list[str]:
    """The Markdown split into blocks (blank-line separated), code fences dropped."""
    out: list[str] = []
    fenced = False
    current: list[str] = []
    for line in (markdown or "").replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            if current:
                out.append("\n".join(current))
                current = []
            continue
        if fenced:
            continue
        if not line.strip():
            if current:
                out.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        out.append("\n".join(current))
    return out


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_OR_QUOTE = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|>|\|)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def _headings(markdown: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for block in _blocks(markdown):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = _HEADING.match(line)
            if m:
                found.append((len(m.group(1)), _plain(m.group(2))))
            elif i == 1 and re.match(r"^\s*(=+|-+)\s*$", line) and lines[0].strip():
                found.append((1 if "=" in line else 2, _plain(lines[0])))
    return [(level, text) for level, text in found if text]


def _first_paragraph(markdown: str) -> str:
    for block in _blocks(markdown):
        lines = block.split("\n")
        if _HEADING.match(lines[0]) or _RULE.match(lines[0]) or _LIST_OR_QUOTE.match(lines[0]):
            continue
        if len(lines) > 1 and re.match(r"^\s*(=+|-+)\s*$", lines[1]):
            continue  # setext heading
        text = _plain(" ".join(lines))
        if text and text != "***":
            return text
    return ""


def _brief_value(brief: Any, name: str, default: Any = "") -> Any:
    if isinstance(brief, Mapping):
        return brief.get(name, default)
    return getattr(brief, name, default)


# --------------------------------------------------------------------------------------------
# Deriving and proposing


def derive_fields(brief: Any, body: str, *, note: str = "") -> PublishingFields:
    """The fields computed from the Markdown and the brief alone: no model, always succeeds."""
    headings = _headings(body)
    level_one = [text for level, text in headings if level == 1]
    title = level_one[0] if level_one else (headings[0][1] if headings else "")
    if not title:
        title = _squash(_brief_value(brief, "topic", "")).rstrip(".") or "Untitled"
        title = title[:1].upper() + title[1:]
    title = cut_at_word(title, TITLE_MAX)
    paragraph = _first_paragraph(body) or _squash(_brief_value(brief, "topic", ""))
    excerpt = cut_at_word(paragraph, EXCERPT_PROPOSED_MAX)
    meta = cut_at_word(paragraph, META_MAX)
    keywords = parse_terms(_brief_value(brief, "keywords", None) or [])
    if not keywords:
        keywords = [
            text for level, text in headings
            if level == 2 and text.casefold() not in {"conclusion", "summary", "introduction"}
        ]  # fmt: skip
    tags = tuple(t[:TERM_MAX] for t in parse_terms(keywords)[:TAGS_PROPOSED_MAX] if len(t) <= TERM_MAX)
    content_type = str(_brief_value(brief, "content_type", "") or "")
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


_SYSTEM = (
    "You prepare CMS publishing fields for a finished piece of content. Use the piece's own "
    "language ({language}). Do not invent facts that are not in the text."
)
_HUMAN = (
    "Content type: {content_type}\nTopic: {topic}\nKeywords: {keywords}\n\n"
    "The piece (Markdown):\n<<<\n{body}\n>>>\n\n"
    "Propose: title (at most 70 characters), slug (lowercase words joined by hyphens), excerpt "
    "(one or two sentences), meta_description (at most 155 characters), tags (three to six), "
    "categories (one or two)."
)
_JSON_INSTRUCTION = (
    "\n\nReply with one JSON object and nothing else, with exactly these keys: "
    '"title" (string), "slug" (string), "excerpt" (string), "meta_description" (string), '
    '"tags" (array of strings), "categories" (array of strings).'
)
#: Only the beginning of a very long piece is sent: enough to summarise, cheap to process.
BODY_CHARS_SENT = 12_000


def _messages(brief: Any, body: str, *, json_text: bool) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    language = _brief_value(brief, "language", "en") or "en"
    try:
        from studio.generation.brief import LANGUAGES

        language = LANGUAGES.get(language, language)
    except ImportError:  # pragma: no cover
        pass
    keywords = ", ".join(parse_terms(_brief_value(brief, "keywords", None) or [])) or "(none)"
    human = _HUMAN.format(
        content_type=_brief_value(brief, "content_type", "") or "post",
        topic=_squash(_brief_value(brief, "topic", "")) or "(not given)",
        keywords=keywords,
        body=(body or "")[:BODY_CHARS_SENT],
    )
    if json_text:
        human += _JSON_INSTRUCTION
    return [SystemMessage(_SYSTEM.format(language=language)), HumanMessage(human)]


def first_json_object(text: str) -> dict[str, Any] | None:
    """The first ``{...}`` block in ``text`` that parses as a JSON object (code fences, prose
    before and after, and braces inside strings are all fine), or None."""
    start = text.find("{")
    decoder = json.JSONDecoder()
    while start != -1:
        try:
            value, _end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def _content_text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, (str, dict))
        )
    return str(content or "")


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, Mapping):
        # include_raw=True style results, or the plain dict some providers return
        if "parsed" in value and isinstance(value.get("parsed"), (BaseModel, Mapping)):
            return _as_mapping(value["parsed"])
        return value
    raise ValueError("the model returned no structured answer")


def _finish(raw: Mapping[str, Any], derived: PublishingFields, source: Source, note: str) -> PublishingFields:
    """Normalise a model's answer; anything missing or unusable comes from ``derived``."""

    def text(name: str) -> str:
        value = raw.get(name)
        return _squash(value) if isinstance(value, (str, int, float)) else ""

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


def _is_demo(chat_model: Any) -> bool:
    try:
        from studio.generation.demo import DemoWriter
    except ImportError:  # pragma: no cover
        return False
    return isinstance(chat_model, DemoWriter)


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def propose_fields(chat_model: Any, brief: Any, body: str) -> PublishingFields:
    """Publishing fields for ``body`` written from ``brief``. Never raises (see module doc).

    ``chat_model``: a LangChain chat model (None, or the demo writer, means: derive from the
    text). ``brief``: a :class:`studio.generation.brief.Brief`, a Draft or a mapping with
    content_type, topic, keywords, language.
    """
    try:
        derived = derive_fields(brief, body)
    except Exception as exc:  # noqa: BLE001 - a proposal must never break a generation
        log.warning("deriving publishing fields failed: %s", _why(exc))
        derived = PublishingFields(title="Untitled", slug="untitled", excerpt="", meta_description="")
    if chat_model is None:
        return derived
    if _is_demo(chat_model):
        return replace(derived, note=DEMO_NOTE)

    problems: list[str] = []
    try:
        structured = chat_model.with_structured_output(_Proposal, method="json_schema")
        answer = structured.invoke(_messages(brief, body, json_text=False))
        return _finish(_as_mapping(answer), derived, "model", "")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"structured output failed ({_why(exc)})")
        log.info("structured publishing fields failed, trying JSON text: %s", _why(exc))
    try:
        reply = chat_model.invoke(_messages(brief, body, json_text=True))
        found = first_json_object(_content_text(reply))
        if found is None:
            raise ValueError("the reply held no JSON object")
        note = "The model does not support structured output; its JSON reply was used."
        return _finish(found, derived, "json_text", note)
    except Exception as exc:  # noqa: BLE001
        problems.append(f"JSON reply failed ({_why(exc)})")
        log.info("JSON publishing fields failed, deriving from the text: %s", _why(exc))
    note = (
        "The model's proposal could not be used, so the fields were derived from the text: "
        + "; ".join(problems)
        + "."
    )
    return replace(derived, note=note)


def propose_for_choice(
    settings: Any, choice: Any, brief: Any, body: str, *, seed: int | None = None
) -> PublishingFields:
    """:func:`propose_fields` with the chat model the writer used (``ProviderChoice``), at a low
    temperature. Never raises."""
    try:
        if getattr(choice, "is_demo", False):
            return replace(propose_fields(None, brief, body), note=DEMO_NOTE)
        from studio.generation.providers import get_chat_model

        chat = get_chat_model(settings, choice, temperature=0.2, seed=seed)
    except Exception as exc:  # noqa: BLE001
        note = f"No model for the proposal ({_why(exc)}); derived from the text."
        return derive_fields(brief, body, note=note)
    return propose_fields(chat, brief, body)


# --------------------------------------------------------------------------------------------
# Applying a proposal (inside the writer's save)


def _edited_by_a_person(session: Session, draft: Draft) -> bool:
    if draft.id is None:
        return False
    stmt = select(AuditEvent.id).where(
        AuditEvent.draft_id == draft.id, AuditEvent.action == PUBLISHING_UPDATED
    ).limit(1)
    return session.scalar(stmt) is not None


def apply_proposed_fields(
    session: Session, draft: Draft, fields: PublishingFields, *, actor: User | None = None
) -> list[str]:
    """Write a proposal onto ``draft`` inside the caller's transaction (the writer's save).

    Until a person has saved the publishing fields, every proposal replaces the last one (a
    regenerated text gets fields that match it). Once someone has, only empty fields are filled.
    The title follows the text's first heading when the text has one (``add_revision`` already
    set it); the proposal fills it only when it is empty. Returns the names of the fields
    changed and records them in one ``draft.fields_proposed`` audit row (with the note).
    """
    keep_people_edits = _edited_by_a_person(session, draft)
    values: dict[str, Any] = {
        "slug": fields.slug,
        "excerpt": fields.excerpt,
        "meta_description": fields.meta_description,
        "tags": list(fields.tags),
        "categories": list(fields.categories),
    }
    changed: list[str] = []
    if not (draft.title or "").strip() and fields.title:
        draft.title = fields.title
        changed.append("title")
    for name, value in values.items():
        current = getattr(draft, name)
        if keep_people_edits and current:
            continue
        if current != value:
            setattr(draft, name, value)
            changed.append(name)
    if "title" in changed:
        index_draft(session, draft)
    audit.record(
        session,
        actor,
        FIELDS_PROPOSED,
        draft_id=draft.id,
        comment=fields.note,
        data={"source": fields.source, "changed": changed, "kept_people_edits": keep_people_edits},
    )
    return changed


_REFINABLE = ("slug", "excerpt", "meta_description", "tags", "categories")


def refine_proposed_fields(
    session: Session, draft_id: int, derived: PublishingFields, proposed: PublishingFields
) -> list[str]:
    """Replace fields that still hold the values derived at save time with the model's proposal.

    Runs after the draft was saved (in the background), so it must never undo a person's work:
    it locks the row, compares each field with what was derived, and writes only the untouched
    ones. It does not bump the draft's version, so nobody's next action meets a conflict.
    """
    if proposed.source == "derived":
        return []
    table = Draft.__table__
    stmt = select(table.c.id, *(table.c[name] for name in _REFINABLE)).where(table.c.id == draft_id)
    if session.get_bind().dialect.name != "sqlite":  # SQLite's write lock is taken at BEGIN
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        return []
    values = {}
    for name in _REFINABLE:
        was, now = getattr(derived, name), getattr(proposed, name)
        if isinstance(was, (list, tuple)):
            was, now = list(was), list(now)
        if getattr(row, name) == was and now and now != was:
            values[name] = now
    if values:
        session.execute(table.update().where(table.c.id == draft_id).values(**values))
    audit.record(
        session,
        None,
        FIELDS_PROPOSED,
        draft_id=draft_id,
        comment=proposed.note,
        data={"source": proposed.source, "changed": sorted(values), "refined": True},
        actor_name="writer",
    )
    return sorted(values)


# --------------------------------------------------------------------------------------------
# Editing (the panel next to the text)

EDITABLE_FIELDS = (
    "title", "slug", "excerpt", "meta_description", "tags", "categories",
    "publish_status", "publish_date", "language",
)  # fmt: skip


def editable_reason(actor: User, draft: Draft) -> str | None:
    """None when ``actor`` may edit ``draft``'s publishing fields now, else why not (in words).

    Authors (``draft.edit_own``) edit them while the text is theirs to change (draft, changes
    requested). Editors (``draft.edit_any``) edit them in every status but rejected: fixing a
    slug or a publish date of an approved or exported piece before (re-)exporting is their job.
    """
    from studio.review import EDITABLE_BY_AUTHOR, STATUS_LABELS

    label = STATUS_LABELS.get(draft.status, draft.status).lower()
    if can(actor, "draft.edit_any"):
        if draft.status == "rejected":
            return "This draft was rejected; its publishing fields can no longer be changed."
        return None
    if draft.author_id == actor.id and can(actor, "draft.edit_own"):
        if draft.status in EDITABLE_BY_AUTHOR:
            return None
        return f"This draft is {label}; only an editor can change its publishing fields now."
    return "Only the author or an editor can change this draft's publishing fields."


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


def validate_publishing(
    draft: Draft, fields: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """The values to store for ``fields`` (only the keys given), or PublishingError naming every
    bad field. Naive dates are taken as UTC."""
    problems: dict[str, str] = {}
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        problems["fields"] = f"Unknown publishing field(s): {', '.join(unknown)}."
    out: dict[str, Any] = {}

    title = draft.title
    if "title" in fields:
        title = _squash(fields["title"])
        if not title:
            problems["title"] = "The title is empty. Give the piece a title."
        elif len(title) > TITLE_MAX:
            problems["title"] = f"The title is {len(title)} characters; the limit is {TITLE_MAX}."
        else:
            out["title"] = title
    if "slug" in fields:
        typed = _squash(fields["slug"])
        slug = make_slug(typed) if typed else make_slug(title or "")
        if typed and not slug:
            problems["slug"] = "The slug has no letters or digits; use words like my-first-post."
        elif len(typed) > 200:
            problems["slug"] = f"The slug is {len(typed)} characters; keep it under {SLUG_MAX}."
        else:
            out["slug"] = slug
    if "excerpt" in fields:
        excerpt = str(fields["excerpt"] or "").strip()
        if len(excerpt) > EXCERPT_MAX:
            problems["excerpt"] = f"The excerpt is {len(excerpt):,} characters; the limit is {EXCERPT_MAX:,}."
        else:
            out["excerpt"] = excerpt
    if "meta_description" in fields:
        meta = _squash(fields["meta_description"])
        if len(meta) > META_MAX:
            problems["meta_description"] = (
                f"The meta description is {len(meta)} characters; search engines show at most "
                f"{META_MAX}. Shorten it by {len(meta) - META_MAX}."
            )
        else:
            out["meta_description"] = meta
    for name, limit, label in (("tags", TAGS_MAX, "tags"), ("categories", CATEGORIES_MAX, "categories")):
        if name not in fields:
            continue
        terms = parse_terms(fields[name])
        long = [t for t in terms if len(t) > TERM_MAX]
        if long:
            problems[name] = (
                f"Each of the {label} may be at most {TERM_MAX} characters ({long[0][:30]!r}… is longer)."
            )
        elif len(terms) > limit:
            problems[name] = f"{len(terms)} {label} given; the limit is {limit}."
        else:
            out[name] = terms
    if "language" in fields:
        from studio.generation.brief import LANGUAGES

        language = str(fields["language"] or "").strip()
        if language not in LANGUAGES:
            problems["language"] = f"Unsupported language {language!r}; choose one of {', '.join(LANGUAGES)}."
        else:
            out["language"] = language

    status = draft.publish_status or "draft"
    if "publish_status" in fields:
        status = str(fields["publish_status"] or "").strip().lower()
        if status not in PUBLISH_STATUSES:
            problems["publish_status"] = (
                f"Unknown publish status {fields['publish_status']!r}; choose draft, publish or future."
            )
        else:
            out["publish_status"] = status
    when = draft.publish_date
    if "publish_date" in fields:
        try:
            when = _as_datetime(fields["publish_date"])
            out["publish_date"] = when
        except (TypeError, ValueError):
            problems["publish_date"] = "The publish date is not a date; use YYYY-MM-DD HH:MM."
            when = None
    if status == "future" and "publish_status" not in problems and "publish_date" not in problems:
        now = now or utcnow()
        if when is None:
            problems["publish_date"] = "A scheduled (future) post needs a publish date."
        elif when <= now and ("publish_status" in fields or "publish_date" in fields):
            problems["publish_date"] = (
                "A scheduled (future) post needs a publish date in the future; "
                "choose a later date or the status Publish."
            )
    if problems:
        raise PublishingError(problems)
    return out


def update_publishing(
    session: Session,
    draft_id: int,
    actor: User,
    fields: Mapping[str, Any],
    expected_version: int | None,
    *,
    now: datetime | None = None,
) -> Draft:
    """Save the publishing fields given in ``fields`` (the others stay as they are).

    Refuses with PermissionDenied (see :func:`editable_reason`), VersionConflict (someone changed
    the draft since ``expected_version``) or PublishingError (``problems`` by field). Saving
    values equal to the stored ones changes nothing and records nothing.
    """
    from studio.auth import PermissionDenied

    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    own = draft.author_id == actor.id
    action = "draft.edit_own" if own and can(actor, "draft.edit_own") else "draft.edit_any"
    actor = authorize(session, actor, action)
    reason = editable_reason(actor, draft)
    if reason is not None:
        raise PermissionDenied(reason, action=action)
    values = validate_publishing(draft, fields, now=now)
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(draft, name)
        if old != value:
            changes[name] = [old, value]
            setattr(draft, name, value)
    if not changes:
        return draft
    draft.updated_at = utcnow()
    if "title" in changes:
        index_draft(session, draft)
    audit.record(
        session,
        actor,
        PUBLISHING_UPDATED,
        draft_id=draft.id,
        data={"changed": sorted(changes), "values": {k: _short(v[1]) for k, v in changes.items()}},
    )
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise VersionConflict(
            "Someone else changed this draft at the same moment; reload to see it. Nothing was changed."
        ) from exc
    return draft


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


def publishing_values(draft: Draft) -> dict[str, Any]:
    """The draft's publishing fields as plain values (for forms and tests)."""
    return {
        "title": draft.title or "",
        "slug": draft.slug or "",
        "excerpt": draft.excerpt or "",
        "meta_description": draft.meta_description or "",
        "tags": list(draft.tags or []),
        "categories": list(draft.categories or []),
        "publish_status": draft.publish_status or "draft",
        "publish_date": draft.publish_date,
        "language": draft.language or "en",
    }
