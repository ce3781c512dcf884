"""A draft's image slots (the hero, then one per section) and the rules for what fills them.

Pure functions, no database and no model: which slots a text has, the demo writer's
deterministic suggestions, and how a model's (or a person's) prompt and alt text are cleaned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.content import clean_text, squash, title_from_markdown

HERO = "hero"
#: Alt text longer than this is cut at a word: screen readers read it whole, and CMS fields
#: for it are short (WordPress shows about this much in the media library).
ALT_MAX = 150
PROMPT_MAX = 600
#: At most this many section slots: a very long piece gets images for its first sections only.
MAX_SECTIONS = 12
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp"})

_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Slot:
    """Where an image goes: ``hero`` (the post's featured image) or ``section-N``."""

    slot: str
    position: int
    heading: str

    @property
    def label(self) -> str:
        return "Hero image" if self.slot == HERO else f"Section {self.position}: {self.heading}"


def section_slot(n: int) -> str:
    return f"section-{n}"


def slots_for(title: str, body: str) -> list[Slot]:
    """The hero (headed by the post's title, or the text's first heading) and one slot per
    second- or third-level heading of ``body``, in order."""
    headline = squash(title or "") or title_from_markdown(body or "") or "Untitled"
    slots = [Slot(HERO, 0, headline[:300])]
    for n, m in enumerate(_HEADING.finditer(body or ""), start=1):
        if n > MAX_SECTIONS:
            break
        heading = squash(re.sub(r"[*_`]", "", m.group(2)))[:300]
        slots.append(Slot(section_slot(n), n, heading))
    return slots


def cut_at_word(text: str, limit: int) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut or text[:limit]


def clean_alt(text: Any) -> str:
    """Alt text as it is stored: one line, no control characters, no "image of" preamble
    (screen readers already say it is an image), at most ALT_MAX characters."""
    value = squash(clean_text(str(text or "")))
    value = re.sub(r"^(an? )?(image|picture|photo(graph)?) of\s+", "", value, flags=re.IGNORECASE)
    value = value[:1].upper() + value[1:]
    return cut_at_word(value, ALT_MAX)


def clean_prompt(text: Any) -> str:
    return cut_at_word(clean_text(str(text or "")), PROMPT_MAX)


def demo_suggestion(slot: Slot, topic: str) -> tuple[str, str]:
    """The demo writer's prompt and alt text for ``slot``: built from the heading and the topic,
    the same every time (the demo writer is not AI and is never presented as such)."""
    subject = squash(slot.heading) or squash(topic) or "the topic"
    about = squash(topic)
    if slot.slot == HERO:
        prompt = f"Wide editorial photograph illustrating “{subject}”: natural light, uncluttered, room for a headline."
        alt = f"Illustration for {subject}"
    else:
        context = f" in a post about {about}" if about and about.lower() != subject.lower() else ""
        prompt = f"Simple editorial illustration of “{subject}”{context}: one clear subject, plain background."
        alt = f"Illustration of {subject}"
    return clean_prompt(prompt), clean_alt(alt)


def proposals_from_answer(answer: Mapping[str, Any] | None, slots: Sequence[Slot]) -> dict[str, tuple[str, str]]:
    """slot → (prompt, alt text) from a model's JSON answer: ``{"hero": {"prompt", "alt"},
    "sections": [{"prompt", "alt"}, …]}`` (sections in the order of the text). Anything missing
    or empty is left out; the caller fills it from `demo_suggestion`."""
    found: dict[str, tuple[str, str]] = {}
    if not isinstance(answer, Mapping):
        return found

    def pair(value: Any) -> tuple[str, str] | None:
        if not isinstance(value, Mapping):
            return None
        prompt = clean_prompt(value.get("prompt") or value.get("image_prompt") or "")
        alt = clean_alt(value.get("alt") or value.get("alt_text") or "")
        return (prompt, alt) if prompt and alt else None

    hero = pair(answer.get("hero"))
    if hero:
        found[HERO] = hero
    sections = answer.get("sections")
    if isinstance(sections, list):
        for slot, value in zip([s for s in slots if s.slot != HERO], sections):
            got = pair(value)
            if got:
                found[slot.slot] = got
    return found


def is_image_name(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in IMAGE_SUFFIXES


def featured_url(chosen_file: str, chosen_url: str, base_url: str) -> str:
    """The featured-image address an export writes: the URL set for the image, else the media
    base URL and the file's name, else the file's name alone (importers such as WP All Import
    take images already uploaded by file name)."""
    if chosen_url:
        return chosen_url
    if not chosen_file:
        return ""
    name = chosen_file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{base_url.rstrip('/')}/{name}" if base_url else name
