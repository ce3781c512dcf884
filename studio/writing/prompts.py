"""The writing workspace's prompts: outline, one section in its sliding window, summaries,
introduction and conclusion, variants of a headline or an introduction, and revise turns.

Every prompt is the content type's system prompt (`studio.drafting.prompts`) and one human
message: the brief block, a ``Task:`` line naming the job, then what the job needs. The demo
writer and the tests' server read the same messages a real model does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from studio.drafting.brief import Brief
from studio.drafting.prompts import BRIEF_BLOCK, build_messages, prompt_for, prompt_values, template_of
from studio.writing.budget import TokenBudget

# Markers the sliding window's parts start with (tests look for them).
OUTLINE_HEADER = "Outline (the section to write now is marked →):"
SUMMARIES_HEADER = "What the earlier sections said (summaries):"
COVERED_HEADER = "Points already made (do not make them again; refer back in a few words at most):"
PREVIOUS_HEADER = "The previous section ended with:"
CURRENT = "→"


def system_message(brief: Brief) -> SystemMessage:
    system = prompt_for(brief.content_type, template_of(brief)).format_messages(**prompt_values(brief))[0]
    return SystemMessage(content=str(system.content))


def brief_block(brief: Brief) -> str:
    return BRIEF_BLOCK.format(**prompt_values(brief))


def messages(brief: Brief, task: str, *parts: str) -> list[BaseMessage]:
    body = "\n\n".join([brief_block(brief), f"Task: {task}", *[p for p in parts if p]])
    return [system_message(brief), HumanMessage(content=body)]


def outline_messages(brief: Brief, body_sections: int) -> list[BaseMessage]:
    return messages(
        brief, "outline",
        f"Plan the piece before it is written: a title and {body_sections} body sections (no "
        "introduction or conclusion: those are added separately). For each section give a heading, "
        "one line saying what it is for, and two to four key points it makes; no point may appear "
        "in two sections.\n"
        'Answer with JSON only: {"title": "...", "sections": [{"heading": "...", "intent": "...", '
        '"points": ["...", "..."]}]}',
    )  # fmt: skip


@dataclass
class WrittenSection:
    """What the window knows about a section that is already written."""

    position: int
    heading: str
    summary: str
    covered: list[str]
    text: str


@dataclass
class Window:
    """The sliding window for one section: what of the rest of the article its prompt holds."""

    summaries: list[tuple[int, str, str]] = field(default_factory=list)  # position, heading, summary
    covered: list[str] = field(default_factory=list)
    previous_ending: str = ""
    dropped_summaries: int = 0

    def parts(self) -> list[str]:
        out = []
        if self.summaries or self.dropped_summaries:
            lines = [SUMMARIES_HEADER]
            if self.dropped_summaries:
                lines.append(f"- ({self.dropped_summaries} earlier sections: see the outline)")
            lines += [f"- {pos + 1}. {heading}: {summary}" for pos, heading, summary in self.summaries]
            out.append("\n".join(lines))
        if self.covered:
            out.append("\n".join([COVERED_HEADER, *[f"- {p}" for p in self.covered]]))
        if self.previous_ending:
            out.append(f'{PREVIOUS_HEADER}\n"""\n{self.previous_ending}\n"""')
        return out


def last_paragraph(text: str) -> str:
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip() and not p.strip().startswith("#")]
    return paragraphs[-1] if paragraphs else ""


def build_window(
    written: list[WrittenSection],
    position: int,
    budget: TokenBudget,
    *,
    summaries: bool = True,
    covered: bool = True,
) -> Window:
    """The window for the section at `position`, fitted to `budget.window_tokens`.

    It holds the summaries of the sections already written, the points they made, and the
    closing paragraph of the section just before; never their full text. When it does not fit,
    the oldest summaries go first (the outline still names those sections), then the oldest
    points, then the start of the closing paragraph.
    """
    others = sorted((w for w in written if w.position != position), key=lambda w: w.position)
    before = [w for w in others if w.position < position]
    window = Window()
    if before:
        window.previous_ending = budget.tail(last_paragraph(before[-1].text), max(60, budget.window_tokens // 5))
    if summaries:
        window.summaries = [(w.position, w.heading, w.summary) for w in others if w.summary]
    if covered:
        seen: set[str] = set()
        for w in others:
            for p in w.covered:
                if p.casefold() not in seen:
                    seen.add(p.casefold())
                    window.covered.append(p)

    def size() -> int:
        return budget.count("\n\n".join(window.parts()))

    while size() > budget.window_tokens and window.summaries:
        window.summaries.pop(0)
        window.dropped_summaries += 1
    while size() > budget.window_tokens and window.covered:
        window.covered.pop(0)
    if size() > budget.window_tokens:
        window.previous_ending = budget.tail(window.previous_ending, max(0, budget.window_tokens // 4))
    return window


def outline_listing(sections: list[Any], current: int | None) -> str:
    lines = [OUTLINE_HEADER]
    for i, s in enumerate(sections):
        mark = CURRENT if i == current else " "
        kind = {"intro": " (introduction)", "conclusion": " (conclusion)"}.get(s.kind, "")
        lines.append(f"{mark} {i + 1}. {s.heading}{kind}: {s.intent}".rstrip(": "))
        if i == current:
            lines += [f"    - {p}" for p in s.points]
    return "\n".join(lines)


def section_messages(brief: Brief, title: str, sections: list[Any], index: int, window: Window) -> list[BaseMessage]:
    s = sections[index]
    total = len(sections)
    if s.kind == "intro":
        job = (f"Write the introduction ({s.heading}) of \"{title}\", about {s.words} words, with no heading: "
               "name the reader's problem and say what the piece covers, from the summaries below.")
    elif s.kind == "conclusion":
        job = (f"Write the conclusion ({s.heading}), about {s.words} words, with no heading: sum up what "
               "the sections below said, without repeating their sentences, and end with one clear call to action.")
    else:
        job = (f"Write section {index + 1} of {total}, \"{s.heading}\", about {s.words} words. Write only its "
               "body, without its heading. Make its own points, in order, and no other section's.")
    task = "introduction" if s.kind == "intro" else "conclusion" if s.kind == "conclusion" else "section"
    return messages(brief, task, f"Title: {title}", outline_listing(sections, index), *window.parts(), job)


def summary_messages(brief: Brief, heading: str, points: list[str], text: str) -> list[BaseMessage]:
    listed = "\n".join(f"- {p}" for p in points) or "- (none listed)"
    return messages(
        brief, "summary",
        f"Section: {heading}\nPoints this section was to make:\n{listed}",
        f'Section text:\n"""\n{text}\n"""',
        "Summarise the section in two or three sentences, and list the points it actually made, "
        'each in a few words. Answer with JSON only: {"summary": "...", "covered": ["...", "..."]}',
    )  # fmt: skip


def variant_messages(brief: Brief, kind: str, current: str, approach: str = "") -> list[BaseMessage]:
    """A headline or an introduction written again for a draft (`current` is its text)."""
    how = f"Approach: {approach}" if approach else ""
    if kind == "headline":
        return messages(brief, "headline", f'The draft so far:\n"""\n{current}\n"""', how,
                        "Write one new headline for it: specific and benefit-led, at most 12 words. "
                        "Answer with the headline only, no quotes, no '#'.")
    return messages(brief, "introduction variant", f'The draft so far:\n"""\n{current}\n"""', how,
                    "Write a new introduction for it (two or three sentences, no heading) that names the "
                    "reader's problem. Answer with the introduction only.")


def full_variant_messages(brief: Brief, approach: str) -> list[BaseMessage]:
    msgs = build_messages(brief)
    if approach:
        msgs[-1] = HumanMessage(content=f"{msgs[-1].content}\n\nApproach: {approach}")
    return msgs
