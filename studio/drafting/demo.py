"""The offline demo writer: a LangChain chat model that composes a draft from the brief.

It exists so the studio works on a fresh machine with no AI model configured. It is not AI and
is never presented as such: everything it writes is labelled DEMO_LABEL in the app and CLI.
It reads the brief back from the "Brief:" block of the prompt (the same messages a real model
receives), so it slots in wherever a chat model does.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from studio.drafting import demo_tasks
from studio.drafting.prompts import NEEDS_SOURCE

DEMO_LABEL = "Demo writer: no AI model configured"
DEMO_MODEL = "demo-writer-1"

_FIELD = re.compile(r"^(Content type|Topic|Audience|Keywords|Voice|Formality|Target length|Language):\s*(.*)$", re.M)

_OPENERS = {
    "professional": ["Here is what matters about {topic}.", "{Topic} deserves a closer look.", "Teams that get {topic} right share a few habits."],
    "friendly": ["Let's talk about {topic}.", "If {topic} has been on your mind, you're in good company.", "Grab a coffee: we're digging into {topic}."],
    "persuasive": ["{Topic} is the change your team has been waiting for.", "Every week without a plan for {topic} costs you.", "Here's why {topic} belongs at the top of your list."],
    "witty": ["{Topic}: less scary than your inbox, we promise.", "Nobody ever regretted understanding {topic}. Well, almost nobody.", "{Topic} walks into a meeting. Everyone finally pays attention."],
    "inspirational": ["Imagine what {topic} could make possible.", "Great work starts with a single step, and {topic} is yours.", "{Topic} is where ambition meets a good plan."],
    "empathetic": ["{Topic} can feel overwhelming, and that's okay.", "If {topic} has been hard to get started on, you're not alone.", "We know {topic} comes with real worries. Let's take them one at a time."],
}

# Sentences are built from short parts (at most three words; tails one) so that no four-word phrase
# comes back often enough to trip the quality rules: sentence n takes part n modulo each pool's
# size, and the pool sizes are distinct primes, so a pair of parts repeats only after hundreds of
# sentences. The words avoid the rules' lists too (claims, bias, gender-coded tone): this is our
# own text, and a draft of it should pass the checks.
_SUBJECTS = [
    "the editor", "your team", "a writer", "each reviewer", "the planner", "one marketer", "a new hire",
    "the owner", "every author", "a designer", "the manager", "a copywriter", "a freelancer",
    "the producer", "each editor", "our reader", "a teammate", "the client", "a colleague", "the writer",
    "a partner", "the founder", "each person",
]  # 23
_VERBS = [
    "keeps", "reviews", "drafts", "checks", "plans", "updates", "trims", "files", "tags", "reads",
    "sorts", "notes", "rewrites", "outlines", "tracks", "groups", "marks", "clears", "opens", "edits",
    "names", "tests", "moves", "prints", "pins", "rates", "lists", "sends", "tidies",
]  # 29
_OBJECTS = [
    "a short list", "the weekly plan", "every brief", "the next post", "one idea", "the open tasks",
    "a rough outline", "the main headline", "each draft", "the old notes", "a simple calendar",
    "the key dates", "one clear goal", "the review comments", "a fresh angle", "the last report",
    "a quick summary", "the story pitches", "each deadline", "the topic board", "a small backlog",
    "the style guide", "a reader question", "the launch copy", "one open issue",
    "the image captions", "a working title", "the link index", "the first paragraph",
    "a spare slot", "the final proof",
]  # 31, each ending in its own word and starting with its own two
_TAILS = [
    "today", "tonight", "tomorrow", "weekly", "daily", "monthly", "early", "again", "first",
    "later", "soon", "quickly", "carefully", "calmly", "briefly", "promptly", "regularly",
    "overnight", "afterwards", "beforehand", "nightly", "hourly", "yearly", "quarterly", "midweek",
    "offline", "online", "upstairs", "downstairs", "aloud", "twice", "once", "routinely", "slowly",
    "properly", "neatly", "thoroughly",
]  # 37 single words: a tail and the words around it never repeat as four
_STORY_VERBS = [
    "sorted", "reread", "moved", "opened", "wrote", "rechecked", "checked", "renamed",
    "printed", "filed", "trimmed", "marked", "pinned", "cleared", "tidied", "noted", "listed",
    "grouped", "updated",
]  # 19, one word each
_STORY_TIMES = [
    "early", "later", "tonight", "today", "yesterday", "overnight", "afterwards", "again", "first",
    "slowly", "carefully", "quickly", "twice", "briefly", "alone", "calmly", "finally",
]  # 17 single words, for the same reason


def _sentence(n: int) -> str:
    """The n-th advice sentence of a draft: never the same as another within hundreds."""
    parts = (_SUBJECTS[n % 23], _VERBS[n % 29], _OBJECTS[n % 31], _TAILS[n % 37])
    return _cap(" ".join(parts)) + "."


def _story_sentence(name: str, n: int) -> str:
    return f"{name} {_STORY_VERBS[n % 19]} {_OBJECTS[n % 31]} {_STORY_TIMES[n % 17]}."


_GENERIC_ASPECTS = ["The basics", "Getting started", "Common pitfalls", "Measuring progress"]
_SOURCE_NOTES = [
    "Figures on its scale were not available: {ns}.",
    "The dates involved are still to be confirmed: {ns}.",
    "Who decided this was not stated: {ns}.",
    "Costs were not disclosed: {ns}.",
    "Earlier plans were not described: {ns}.",
    "Reactions from those affected were not gathered: {ns}.",
    "The timetable for next steps is unknown: {ns}.",
]

_CTAS = [
    "Ready to put this into practice? Pick one idea from this post and try it this week.",
    "Want help getting started? Get in touch with our team today.",
    "Subscribe for more practical guides like this one.",
]


_PASSAGE = re.compile(r"^\[(S\d+)\](?: \(([^)\n]*)\))?: (.+)$", re.M)


def _with_sources(body: str, system: str) -> str:
    """When the prompt carries source passages, a paragraph that restates the first sentence of
    the first two, each cited: the demo shows citations and the claim ledger working."""
    found = _PASSAGE.findall(system)[:2]
    if not found:
        return body
    said = " ".join(_first_sentence(text).rstrip(".!?") + f" [{label}]." for label, _, text in found)
    paragraph = f"What the sources say: {said}"
    heading = "\n## Conclusion"
    if heading in body:
        return body.replace(heading, f"\n{paragraph}\n{heading}", 1)
    return body + "\n\n" + paragraph


def _first_sentence(text: str) -> str:
    pieces = [p.strip() for p in re.split(r"(?<=[.!?:])\s+", text.strip()) if p.strip()]
    return next((p for p in pieces if len(p.split()) >= 6 and not p.endswith(":")), pieces[0] if pieces else text)


def parse_brief_block(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2).strip() for m in _FIELD.finditer(text)}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class DemoWriter(BaseChatModel):
    """Composes a structured Markdown draft from the brief; seedable and deterministic."""

    seed: int | None = None
    temperature: float = 0.7
    words_per_chunk: int = Field(default=3, ge=1)
    # The pace of the stream, so streaming shows in the offline demo too; 0 = all at once.
    words_per_second: float = Field(default=0.0, ge=0)
    sleep: Callable[[float], None] = Field(default=time.sleep, exclude=True)

    @property
    def _llm_type(self) -> str:
        return "studio-demo-writer"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": DEMO_MODEL, "seed": self.seed, "temperature": self.temperature}

    def compose(self, messages: list[BaseMessage]) -> str:
        human = next((str(m.content) for m in reversed(messages) if m.type == "human"), "")
        brief = parse_brief_block(human)
        task = demo_tasks.task_of(human)
        seed_material = f"{self.seed}|{self.temperature}|{sorted(brief.items())}|{task}|{human if task else ''}"
        rng = random.Random(int(hashlib.sha256(seed_material.encode()).hexdigest()[:16], 16))
        if task is not None:
            return demo_tasks.answer(task, human, brief, rng, self.temperature)
        kind = brief.get("content type", "blog post")
        topic = brief.get("topic") or "your topic"
        audience = brief.get("audience") or "general readers"
        keywords_raw = brief.get("keywords", "")
        keywords = [k.strip() for k in keywords_raw.split(",") if k.strip() and "(none" not in k]
        voice = brief.get("voice", "professional")
        words_match = re.search(r"\d+", brief.get("target length", ""))
        target = int(words_match.group()) if words_match else 600

        def pick(options: list[str]) -> str:
            # Temperature widens the choice: at 0 always the first option, at 2 any of them.
            width = max(1, min(len(options), 1 + round(self.temperature * (len(options) - 1) / 2)))
            return options[rng.randrange(width)]

        fmt = {"topic": topic, "Topic": _cap(topic), "audience": audience}
        opener = pick(_OPENERS.get(voice, _OPENERS["professional"])).format(**fmt)
        if kind.startswith("news"):
            body = self._news(topic, audience, keywords, opener, target, pick)
        elif kind.startswith("story"):
            body = self._story(topic, audience, keywords, target, pick, rng)
        else:
            body = self._blog(topic, audience, keywords, opener, target, pick)
        system = next((str(m.content) for m in messages if m.type == "system"), "")
        return _with_sources(body.strip(), system) + "\n"

    @staticmethod
    def _paragraph(start: int, budget: int, lead: str = "") -> tuple[str, int]:
        """About ``budget`` words of advice sentences starting at sentence ``start``."""
        out = [lead] if lead else []
        count = len(lead.split())
        n = start
        while count < budget:
            sentence = _sentence(n)
            out.append(sentence)
            count += len(sentence.split())
            n += 1
        return " ".join(out), n

    def _blog(self, topic: str, audience: str, keywords: list[str], opener: str, target: int, pick: Any) -> str:
        aspects = [_cap(k) for k in keywords] or list(_GENERIC_ASPECTS)
        for_whom = "" if audience == "general readers" else f" for {audience}"
        head = [f"# {_cap(topic)}: a practical guide{for_whom}", "", opener + f" This guide is written{for_whom or ' for you'}.", ""]
        tail = ["## Conclusion", "", f"Steady attention pays off here. {pick(_CTAS)}"]
        room = max(20, target - sum(len(p.split()) for p in head + tail))
        # Short pieces get fewer sections (each needs a couple of sentences to read as one).
        aspects = aspects[: max(1, min(len(aspects), room // 40))]
        per_section = max(10, room // len(aspects) - 2)
        parts = list(head)
        n = pick(list(range(23)))
        for aspect in aspects:
            lead = f"Start with {aspect.lower()}." if keywords else ""
            text, n = self._paragraph(n, per_section, lead)
            parts += [f"## {aspect}", "", text, ""]
        return "\n".join(parts + tail)

    def _news(self, topic: str, audience: str, keywords: list[str], opener: str, target: int, pick: Any) -> str:
        detail = ", ".join(keywords) if keywords else "the details"
        ns = NEEDS_SOURCE
        paragraphs = [
            f"# {_cap(topic)}",
            "",
            f"{_cap(topic)} was announced on {ns}, according to {ns}. The change affects {audience}.",
            "",
            f"The announcement covers {detail}. {_SOURCE_NOTES[0].format(ns=ns)}",
            "",
            "Those involved are expected to publish further information.",
        ]
        words = sum(len(p.split()) for p in paragraphs)
        n = pick(list(range(23)))
        background = 1
        while words < target * 0.9 and background < len(_SOURCE_NOTES):
            text, n = self._paragraph(n, min(60, max(25, int(target * 0.9) - words)))
            text += " " + _SOURCE_NOTES[background].format(ns=ns)
            paragraphs += ["", text]
            words += len(text.split())
            background += 1
        while words < target * 0.9:
            text, n = self._paragraph(n, min(60, max(25, int(target * 0.9) - words)))
            paragraphs += ["", text]
            words += len(text.split())
        return "\n".join(paragraphs)

    def _story(self, topic: str, audience: str, keywords: list[str], target: int, pick: Any, rng: random.Random) -> str:
        name = pick(["Maya", "Sam", "Priya", "Jonas", "Amara"])
        place = pick(["a small studio by the harbour", "a busy office on the fourth floor", "a kitchen table at dawn"])
        theme = keywords[0] if keywords else "the new habit"
        beats = [
            f"# The day {name} met {topic}",
            "",
            f"{name} worked in {place}, and every morning began the same way: a list too long and a day too short.",
            "",
            f"Then came {topic}. At first it looked like one more thing to learn. \"Do we really need this?\" {name} asked.",
            "",
            f"The turning point came on a grey Thursday, when {theme} stopped being an idea and started saving hours.",
        ]
        extra = [f"{name} noticed how {k} changed the rhythm of the week." for k in keywords[1:]]
        rng.shuffle(extra)
        if extra:
            beats += ["", " ".join(extra)]
        ending = "By the end of the month the list was still long, but it no longer felt heavy."
        words = sum(len(b.split()) for b in beats) + len(ending.split())
        n = rng.randrange(19)
        while words < target * 0.9:
            para: list[str] = []
            count = 0
            while count < 45 and words + count < target * 0.9:
                sentence = _story_sentence(name, n)
                para.append(sentence)
                count += len(sentence.split())
                n += 1
            beats += ["", " ".join(para)]
            words += count
        beats += ["", "***", "", ending]
        return "\n".join(beats)

    def _chunks(self, text: str) -> Iterator[str]:
        tokens = re.findall(r"\S+\s*|\s+", text)
        for i in range(0, len(tokens), self.words_per_chunk):
            yield "".join(tokens[i : i + self.words_per_chunk])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self.compose(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for n, piece in enumerate(self._chunks(self.compose(messages))):
            if n and self.words_per_second > 0:
                self.sleep(len(piece.split()) / self.words_per_second)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
