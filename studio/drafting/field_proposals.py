"""The model proposes a draft's publishing fields, after the text is written.

Proposing never fails the generation it follows:

1. **Structured output.** ``chat_model.with_structured_output(_Proposal, method="json_schema")``:
   the server is held to a JSON schema (OpenAI, vLLM, recent Ollama).
2. **JSON in plain text.** Servers without JSON-schema support refuse step 1 (or the model ignores
   it); the same request is sent again asking for a JSON object in the reply, and the first
   ``{...}`` block of the answer is parsed.
3. **Derived from the text.** If both fail, or the writer is the offline demo writer (which is not
   AI and is never presented as such), the fields come from ``publishing.fields.derive_fields``.

Whatever the model returns is normalised by the same rules as a person's input, and any field the
model left empty is filled from the derivation, so a proposal is always complete. ``note`` says
what happened, in words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from studio.content import squash
from studio.drafting.brief import LANGUAGES
from studio.drafting.demo import DemoWriter
from studio.drafting.providers import get_chat_model
from studio.usage import context as usage
from studio.publishing.fields import (
    PublishingFields,
    brief_value,
    derive_fields,
    normalise_proposal,
    parse_terms,
)

log = logging.getLogger(__name__)

DEMO_NOTE = "Derived from the text (demo writer, no AI model)."


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
    language = brief_value(brief, "language", "en") or "en"
    language = LANGUAGES.get(language, language)
    keywords = ", ".join(parse_terms(brief_value(brief, "keywords", None) or [])) or "(none)"
    human = _HUMAN.format(
        content_type=brief_value(brief, "content_type", "") or "post",
        topic=squash(brief_value(brief, "topic", "")) or "(not given)",
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



def _is_demo(chat_model: Any) -> bool:
    return isinstance(chat_model, DemoWriter)


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def propose_fields(chat_model: Any, brief: Any, body: str) -> PublishingFields:
    """Publishing fields for ``body`` written from ``brief``. Never raises (see module doc).

    ``chat_model``: a LangChain chat model (None, or the demo writer, means: derive from the
    text). ``brief``: a :class:`studio.drafting.brief.Brief`, a Draft or a mapping with
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
        return normalise_proposal(_as_mapping(answer), derived, "model", "")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"structured output failed ({_why(exc)})")
        log.info("structured publishing fields failed, trying JSON text: %s", _why(exc))
    try:
        reply = chat_model.invoke(_messages(brief, body, json_text=True))
        found = first_json_object(_content_text(reply))
        if found is None:
            raise ValueError("the reply held no JSON object")
        note = "The model does not support structured output; its JSON reply was used."
        return normalise_proposal(found, derived, "json_text", note)
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
        chat = get_chat_model(settings, choice, temperature=0.2, seed=seed)
    except Exception as exc:  # noqa: BLE001
        note = f"No model for the proposal ({_why(exc)}); derived from the text."
        return derive_fields(brief, body, note=note)
    with usage.feature("fields"):
        return propose_fields(chat, brief, body)


