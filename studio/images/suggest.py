"""The model writes an image prompt and alt text for the hero and each section of a draft.

One request asks for a JSON object (plain text, so any OpenAI-compatible server can answer);
whatever is missing or unusable in the answer comes from the demo suggestion for that slot, and
the note says so. The demo writer (not AI) gets the deterministic demo suggestions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from studio.drafting.field_proposals import first_json_object
from studio.drafting.providers import get_chat_model, resolve_provider
from studio.images.slots import HERO, Slot, demo_suggestion, proposals_from_answer
from studio.usage import context as usage

log = logging.getLogger(__name__)

BODY_CHARS_SENT = 8_000
DEMO_NOTE = "Written from the headings (demo writer, no AI model)."

_SYSTEM = (
    "You are a photo editor. For a finished post you write, per image slot, a prompt for an image "
    "generator or a designer, and alt text for people who cannot see the image: what the image "
    "shows, in one sentence of at most 125 characters, without 'image of'. Use the post's language "
    "({language}). Reply with one JSON object and nothing else."
)
_HUMAN = (
    "Task: image suggestions\nHeadline: {headline}\nSections, in order:\n{sections}\n\n"
    "The post (Markdown):\n<<<\n{body}\n>>>\n\n"
    'Reply as {{"hero": {{"prompt": "...", "alt": "..."}}, "sections": [{{"prompt": "...", "alt": "..."}}, ...]}} '
    "with exactly one entry in \"sections\" per section above, in the same order."
)


@dataclass(frozen=True)
class Suggestions:
    by_slot: dict[str, tuple[str, str]]  # slot → (prompt, alt text)
    source: str  # model | demo
    note: str
    from_model: frozenset[str] = frozenset()  # the slots the model filled


def _messages(slots: Sequence[Slot], body: str, language: str) -> list[Any]:
    sections = "\n".join(f"{s.position}. {s.heading}" for s in slots if s.slot != HERO) or "(none)"
    human = _HUMAN.format(headline=slots[0].heading, sections=sections, body=(body or "")[:BODY_CHARS_SENT])
    return [SystemMessage(_SYSTEM.format(language=language or "en")), HumanMessage(human)]


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, (str, dict)))
    return str(content or "")


def demo(slots: Sequence[Slot], topic: str) -> dict[str, tuple[str, str]]:
    return {s.slot: demo_suggestion(s, topic) for s in slots}


def suggest(settings: Any, slots: Sequence[Slot], body: str, *, topic: str = "", language: str = "en") -> Suggestions:
    """Prompts and alt text for every slot. Never raises: a failing model leaves the demo
    suggestions in place, and the note says why."""
    fallback = demo(slots, topic)
    try:
        choice = resolve_provider(settings)
    except Exception as exc:  # noqa: BLE001 - no model configured: the demo suggestions
        return Suggestions(fallback, "demo", f"No model for image suggestions ({exc}); written from the headings.")
    if choice.is_demo:
        return Suggestions(fallback, "demo", DEMO_NOTE)
    try:
        chat = get_chat_model(settings, choice, temperature=0.4)
        with usage.feature("images"):
            reply = chat.invoke(_messages(slots, body, language))
        found = proposals_from_answer(first_json_object(_text(reply)), slots)
    except Exception as exc:  # noqa: BLE001
        log.info("image suggestions failed: %s", exc)
        why = " ".join(str(exc).split())[:160]
        return Suggestions(fallback, "demo", f"The model's suggestions could not be used ({type(exc).__name__}: {why}); "
                                             "written from the headings instead.")  # fmt: skip
    if not found:
        return Suggestions(fallback, "demo", "The model's reply held no usable suggestions; written from the headings instead.")
    missing = [s for s in slots if s.slot not in found]
    note = "" if not missing else (
        f"The model left {len(missing)} of {len(slots)} slot(s) empty; those were written from their headings."
    )
    return Suggestions({**fallback, **found}, "model", note, frozenset(found))
