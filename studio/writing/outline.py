"""The outline of a long-form draft, as plain data: parsed from the model, edited by people.

Pure: no database, no model. The introduction and the conclusion are entries like any other
(kind ``intro`` / ``conclusion``), so the marketer sees and edits them, but they are written
last, from the summaries of the body sections.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from studio.errors import InputError

MAX_SECTIONS = 14
HEADING_MAX_CHARS = 160
POINT_MAX_CHARS = 300
MAX_POINTS = 8
KINDS = ("intro", "body", "conclusion")
KIND_LABELS = {"intro": "Introduction", "body": "Section", "conclusion": "Conclusion"}


class OutlineError(InputError):
    pass


@dataclass(frozen=True)
class OutlineSection:
    heading: str
    intent: str = ""
    points: tuple[str, ...] = ()
    kind: str = "body"
    words: int = 300

    def as_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "intent": self.intent, "points": list(self.points),
                "kind": self.kind, "words": self.words}


@dataclass(frozen=True)
class Outline:
    title: str
    sections: tuple[OutlineSection, ...] = field(default_factory=tuple)

    @property
    def body(self) -> list[OutlineSection]:
        return [s for s in self.sections if s.kind == "body"]

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "sections": [s.as_dict() for s in self.sections]}


def body_section_count(target_words: int) -> int:
    """About 400 words a body section: 1,200 words → 3, 3,000 → 7."""
    return max(2, min(MAX_SECTIONS - 2, round(target_words * 0.84 / 400)))


def allot_words(sections: list[OutlineSection], target_words: int) -> list[OutlineSection]:
    """Share the target length: a short introduction and conclusion, the rest evenly."""
    frame = max(60, round(target_words * 0.08))
    body = [s for s in sections if s.kind == "body"]
    rest = max(80 * max(1, len(body)), target_words - frame * sum(1 for s in sections if s.kind != "body"))
    each = max(80, rest // max(1, len(body)))
    return [replace(s, words=frame if s.kind != "body" else each) for s in sections]


def _clean(text: Any, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit].strip(" -*#")


def _frame(content_type: str) -> tuple[OutlineSection, OutlineSection]:
    if content_type == "news":
        return (OutlineSection("Lede", "Who, what, when, where and why in one or two sentences.", kind="intro"),
                OutlineSection("What happens next", "What readers can expect or do now.", kind="conclusion"))
    if content_type == "story":
        return (OutlineSection("Opening", "Set the character and the place.", kind="intro"),
                OutlineSection("Resolution", "Land the theme.", kind="conclusion"))
    return (OutlineSection("Introduction", "Name the reader's problem and what the post covers.", kind="intro"),
            OutlineSection("Conclusion", "Sum up and end with one clear call to action.", kind="conclusion"))


def parse_outline(text: str, *, topic: str, content_type: str, target_words: int) -> Outline:
    """The model's answer (JSON, or a Markdown list when the model ignored the format) as an Outline,
    framed by an introduction and a conclusion and with the target length shared out."""
    data = _json_object(text)
    title = ""
    body: list[OutlineSection] = []
    if data is not None:
        title = _clean(data.get("title"), HEADING_MAX_CHARS)
        for item in data.get("sections") or []:
            if not isinstance(item, dict):
                continue
            heading = _clean(item.get("heading"), HEADING_MAX_CHARS)
            if not heading:
                continue
            points = tuple(p for p in (_clean(x, POINT_MAX_CHARS) for x in (item.get("points") or [])) if p)
            body.append(OutlineSection(heading, _clean(item.get("intent"), POINT_MAX_CHARS), points[:MAX_POINTS]))
    else:
        title, body = _markdown_outline(text)
    body = [s for s in body if s.heading.casefold() not in {"introduction", "conclusion", "lede", "summary"}]
    if not body:
        raise OutlineError("The model's outline had no sections. Retry, or add sections by hand.")
    intro, conclusion = _frame(content_type)
    sections = [intro, *body[: MAX_SECTIONS - 2], conclusion]
    return Outline(title or topic[:HEADING_MAX_CHARS], tuple(allot_words(sections, target_words)))


def _json_object(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


_H1 = re.compile(r"^#\s+(.+)$")
_H2 = re.compile(r"^(?:#{2,3}\s+|\d+[.)]\s+)(.+)$")
_POINT = re.compile(r"^\s*[-*•]\s+(.+)$")


def _markdown_outline(text: str) -> tuple[str, list[OutlineSection]]:
    title = ""
    sections: list[OutlineSection] = []
    for line in text.splitlines():
        if m := _H1.match(line.strip()):
            title = _clean(m.group(1), HEADING_MAX_CHARS)
        elif m := _H2.match(line.strip()):
            sections.append(OutlineSection(_clean(m.group(1), HEADING_MAX_CHARS)))
        elif (m := _POINT.match(line)) and sections:
            last = sections[-1]
            if len(last.points) < MAX_POINTS:
                sections[-1] = replace(last, points=(*last.points, _clean(m.group(1), POINT_MAX_CHARS)))
    return title, sections


def edited_outline(title: str, rows: list[dict[str, Any]], *, target_words: int) -> Outline:
    """An outline as a person edited it (rows in the order they want, with heading, intent and
    points as text, one point a line or separated by ';'), checked."""
    problems: dict[str, str] = {}
    title = _clean(title, HEADING_MAX_CHARS)
    if not title:
        problems["title"] = "The title is empty."
    sections: list[OutlineSection] = []
    for n, row in enumerate(rows, start=1):
        heading = _clean(row.get("heading"), HEADING_MAX_CHARS + 1)
        kind = str(row.get("kind") or "body")
        if kind not in KINDS:
            kind = "body"
        if not heading:
            if not any(str(row.get(k) or "").strip() for k in ("intent", "points")):
                continue  # an empty row a person added and left
            problems[f"section {n}"] = f"Section {n} has no heading."
            continue
        if len(heading) > HEADING_MAX_CHARS:
            problems[f"section {n}"] = f"Section {n}'s heading is longer than {HEADING_MAX_CHARS} characters."
        raw_points = row.get("points") or ""
        if isinstance(raw_points, (list, tuple)):
            items = [str(p) for p in raw_points]
        else:
            items = re.split(r"[\n;]", str(raw_points))
        points = tuple(p for p in (_clean(x, POINT_MAX_CHARS) for x in items) if p)[:MAX_POINTS]
        sections.append(OutlineSection(heading, _clean(row.get("intent"), POINT_MAX_CHARS), points, kind))
    if not any(s.kind == "body" for s in sections):
        problems["sections"] = "The outline needs at least one section besides the introduction and conclusion."
    if len(sections) > MAX_SECTIONS:
        problems["sections"] = f"An outline may have at most {MAX_SECTIONS} sections."
    if problems:
        raise OutlineError(problems)
    # The introduction stays first and the conclusion last, wherever a person moved them.
    ordered = ([s for s in sections if s.kind == "intro"] + [s for s in sections if s.kind == "body"]
               + [s for s in sections if s.kind == "conclusion"])
    return Outline(title, tuple(allot_words(ordered, target_words)))


def writing_order(sections: list[Any]) -> list[int]:
    """Indexes in the order they are written: the body in outline order, then the introduction
    and the conclusion (they are written from the body's summaries)."""
    body = [i for i, s in enumerate(sections) if s.kind == "body"]
    frame = [i for i, s in enumerate(sections) if s.kind == "intro"] + [
        i for i, s in enumerate(sections) if s.kind == "conclusion"]
    return body + frame


WRITING_MODES = {
    "auto": "Automatic (in sections from {min_words:,} words)",
    "one": "One pass",
    "long": "In sections (outline first)",
    "variants": "Variants side by side",
}


def writing_mode(selected: str, target_words: int, min_words: int) -> str:
    """What "Automatic" means for this length: sections from `min_words` on, else one pass."""
    if selected == "auto":
        return "long" if target_words >= min_words else "one"
    return selected if selected in WRITING_MODES else "one"
