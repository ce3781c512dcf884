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

_SECTION_LINES = [
    "Start with {kw}: it shapes everything that follows for {audience}.",
    "A simple first move is to write down what {kw} means for your team this quarter.",
    "When {kw} is clear, decisions get faster and hand-offs get easier.",
    "Look at how {kw} shows up in your week and where it gets stuck.",
    "Small, regular steps on {kw} beat one big push that fades.",
    "Ask the people closest to the work how {kw} could be simpler.",
    "Measure one thing about {kw} and review it every week.",
    "Share what you learn about {kw} so the whole team benefits.",
]

_GENERIC_ASPECTS = ["the basics", "getting started", "common pitfalls", "measuring progress"]

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

    def _fill(self, lines: list[str], budget: int, kw: str, audience: str, pick: Any) -> str:
        out: list[str] = []
        count = 0
        pool = list(lines)
        while count < budget and pool:
            line = pick(pool)
            pool.remove(line)
            sentence = line.format(kw=kw, audience=audience)
            out.append(sentence)
            count += len(sentence.split())
        return " ".join(out)

    def _blog(self, topic: str, audience: str, keywords: list[str], opener: str, target: int, pick: Any) -> str:
        aspects = keywords or [f"{a} of {topic}" for a in _GENERIC_ASPECTS]
        per_section = max(30, (target - 80) // max(1, len(aspects)))
        for_whom = "" if audience == "general readers" else f" for {audience}"
        parts = [f"# {_cap(topic)}: a practical guide{for_whom}", "", opener + f" This guide is written{for_whom or ' for you'}.", ""]
        for aspect in aspects:
            parts += [f"## {_cap(aspect)}", "", self._fill(_SECTION_LINES, per_section, aspect, audience, pick), ""]
        parts += ["## Conclusion", "", f"{_cap(topic)} rewards steady attention. {pick(_CTAS)}"]
        return "\n".join(parts)

    def _news(self, topic: str, audience: str, keywords: list[str], opener: str, target: int, pick: Any) -> str:
        detail = ", ".join(keywords) if keywords else "the details"
        paragraphs = [
            f"# {_cap(topic)}",
            "",
            f"{_cap(topic)} was announced on {NEEDS_SOURCE}, according to {NEEDS_SOURCE}. "
            f"The change affects {audience}.",
            "",
            f"The announcement covers {detail}. Figures on its scale were not available: {NEEDS_SOURCE}.",
            "",
            f"{opener} Those involved are expected to publish further information about {detail}.",
        ]
        words = sum(len(p.split()) for p in paragraphs)
        background = 0
        while words < target * 0.8 and background < 6:
            kw = keywords[background % len(keywords)] if keywords else topic
            paragraphs += ["", self._fill(_SECTION_LINES, 40, kw, audience, pick) + f" Background on {kw}: {NEEDS_SOURCE}."]
            words += 50
            background += 1
        return "\n".join(paragraphs)

    def _story(self, topic: str, audience: str, keywords: list[str], target: int, pick: Any, rng: random.Random) -> str:
        name = pick(["Maya", "Sam", "Priya", "Jonas", "Amara"])
        place = pick(["a small studio by the harbour", "a busy office on the fourth floor", "a kitchen table at dawn"])
        theme = keywords[0] if keywords else topic
        beats = [
            f"# The day {name} met {topic}",
            "",
            f"{name} worked in {place}, and every morning began the same way: a list too long and a day too short.",
            "",
            f"Then came {topic}. At first it looked like one more thing to learn. \"Do we really need this?\" {name} asked.",
            "",
            f"The turning point came on a grey Thursday, when {theme} stopped being an idea and started saving hours.",
            "",
            "***",
            "",
            f"By the end of the month, {name} had a new habit and a little more time. The list was still long, but it no longer felt heavy.",
        ]
        extra = [f"{name} noticed how {k} changed the rhythm of the week." for k in keywords[1:]]
        rng.shuffle(extra)
        beats[6:6] = [" ".join(extra), ""] if extra else []
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
