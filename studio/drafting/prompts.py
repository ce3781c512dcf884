"""Prompt templates, one per content type, each carrying that type's conventions.

These are the built-in templates: version 1 of each content type's prompt (`studio.prompts`
stores the versions editors write, and the one a draft is written with rides on its brief's
context). `PLACEHOLDERS` are the names a template may use; `prompt_values` fills them.
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from studio.drafting.brief import FORMALITY, VOICES, Brief
from studio.languages.catalog import writing_instructions
from studio.prompts.schemas import PromptTemplate

NEEDS_SOURCE = "[NEEDS SOURCE]"

_COMMON = (
    "You are an experienced content writer for a marketing team. "
    "{language_instructions} Output Markdown only: no preamble, no notes to the editor, "
    "no code fences around the piece. Aim for about {target_words} words.\n\n"
    "{voice_block}\nFormality: {formality}.\n"
    "Use inclusive, plain language. Do not make medical, financial or legal promises, and do not "
    "claim guarantees or rankings you cannot support.{sources_block}"
)

CONVENTIONS: dict[str, str] = {
    "blog": (
        "You are writing a blog post. Structure:\n"
        "1. A headline as a level-1 heading (# ...), specific and benefit-led.\n"
        "2. An introduction of two or three sentences that names the reader's problem.\n"
        "3. Three to five sections, each under a level-2 heading (## ...), with short paragraphs "
        "and a bulleted list where it helps scanning. Work the keywords in naturally.\n"
        "4. A conclusion under '## Conclusion' that sums up and ends with one clear call to action."
    ),
    "news": (
        "You are writing a news article. Structure:\n"
        "1. A headline as a level-1 heading (# ...): factual, present tense, no clickbait.\n"
        "2. A lede paragraph answering who, what, when, where and why in one or two sentences.\n"
        "3. The body in inverted-pyramid order: most important facts first, background last.\n"
        "Never invent quotes, names, dates, figures or sources. Wherever a fact, figure, name or "
        f"quote would be needed and is not in the brief, write {NEEDS_SOURCE} in its place."
    ),
    "story": (
        "You are writing a short story for a brand's storytelling channel. Structure:\n"
        "1. A title as a level-1 heading (# ...).\n"
        "2. A narrative arc: an opening that sets character and place, a rising conflict or "
        "question, a turning point, and a resolution that lands the theme.\n"
        "Show rather than tell; use concrete detail and a little dialogue. No headings after the "
        "title; separate scenes with a line containing only '***' if needed."
    ),
}

_HUMAN = (
    "Brief:\n"
    "Content type: {type_label}\n"
    "Topic: {topic}\n"
    "Audience: {audience}\n"
    "Keywords: {keywords}\n"
    "Voice: {tone}\n"
    "Formality: {formality_step}/5 ({formality_label})\n"
    "Target length: about {target_words} words\n"
    "Language: {language}\n\n"
    "Write the piece now."
)

# The names a template may use, filled by `prompt_values` (studio.prompts.rules validates
# versions against them).
PLACEHOLDERS: tuple[str, ...] = (
    "language", "language_instructions", "voice_block", "sources_block", "target_words", "formality",
    "formality_step", "formality_label", "type_label", "topic", "audience", "keywords", "tone",
)  # fmt: skip


def default_system(content_type: str) -> str:
    """The built-in system template of a content type (version 1)."""
    return _COMMON + "\n\n" + CONVENTIONS[content_type]


def default_human() -> str:
    """The built-in brief message (version 1 of every content type)."""
    return _HUMAN


# The brief as the writing workspace's prompts state it too (without the closing instruction).
BRIEF_BLOCK = _HUMAN.rsplit("\n\n", 1)[0]


def voice_block(brief: Brief) -> str:
    """The voice as the writer reads it: a brand voice's description, rules and excerpts (never
    its name alone), else the preset tone's description."""
    guide = brief.context.voice if brief.context else None
    if guide is None:
        return f"Voice: {VOICES[brief.tone]}."
    lines = [f"Brand voice “{guide.name}”. Write the way this voice is described:", guide.description.strip()]
    if guide.rules:
        lines.append("The voice's rules:")
        lines += [f"- {rule}" for rule in guide.rules]
    if guide.excerpts:
        lines.append("Short excerpts of the voice's own writing (match their style, not their content):")
        lines += [f"«{excerpt}»" for excerpt in guide.excerpts]
    return "\n".join(lines)


def sources_block(brief: Brief) -> str:
    """The source passages with their ids, and how to cite them; [NEEDS SOURCE] where none
    supports a fact."""
    context = brief.context
    if context is None or not context.grounded:
        return ""
    if not context.passages:
        return (
            "\n\nThe workspace's sources have nothing on this brief. Do not state specific facts, figures, "
            f"names, dates or quotes: wherever one would be needed, write {NEEDS_SOURCE} in its place."
        )
    lines = [
        "\n\nSource passages. State facts, figures, names, dates and quotes only when a passage below "
        "supports them, and cite it right after the fact with its id in square brackets, e.g. [S2] "
        f"(several: [S1, S3]). Where a fact would be needed and no passage supports it, write "
        f"{NEEDS_SOURCE} instead of inventing it. Keep the ids and {NEEDS_SOURCE} exactly as written, "
        "untranslated. Never quote a person who is not quoted in a passage.",
    ]
    for p in context.passages:
        where = f" ({p.title})" if p.title else ""
        lines.append(f"[{p.label}]{where}: " + passage_line(p.text))
    return "\n".join(lines)


def passage_line(text: str) -> str:
    """A passage on one line: Markdown heading marks dropped, a heading ended by a colon."""
    out = []
    for line in text.splitlines():
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*)$", line)
        out.append(heading.group(1).rstrip(":") + ":" if heading else line)
    return " ".join(" ".join(out).split())


def prompt_for(content_type: str, template: PromptTemplate | None = None) -> ChatPromptTemplate:
    """The chat prompt of a prompt version (``template``), else the built-in one."""
    if template is not None:
        return ChatPromptTemplate.from_messages([("system", template.system), ("human", template.human)])
    return ChatPromptTemplate.from_messages([("system", default_system(content_type)), ("human", _HUMAN)])


def template_of(brief: Brief) -> PromptTemplate | None:
    """The prompt version the brief's draft is written with (None: the built-in templates)."""
    return brief.context.prompt if brief.context is not None else None


def prompt_values(brief: Brief) -> dict[str, object]:
    label, description = FORMALITY[brief.formality]
    guide = brief.context.voice if brief.context else None
    return {
        "language": brief.language_name,
        "language_instructions": writing_instructions(brief.language, brief.formality),
        "voice_block": voice_block(brief),
        "sources_block": sources_block(brief),
        "target_words": brief.target_words,
        "formality": description,
        "formality_step": brief.formality,
        "formality_label": label.lower(),
        "type_label": brief.type_label.lower(),
        "topic": brief.topic,
        "audience": brief.audience or "general readers",
        "keywords": ", ".join(brief.keywords) if brief.keywords else "(none given)",
        "tone": f"brand voice “{guide.name}” (described above)" if guide else brief.tone,
    }


def build_messages(brief: Brief) -> list[BaseMessage]:
    return prompt_for(brief.content_type, template_of(brief)).format_messages(**prompt_values(brief))


def messages_as_records(messages: list[BaseMessage]) -> list[dict[str, str]]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles.get(m.type, m.type), "content": str(m.content)} for m in messages]
