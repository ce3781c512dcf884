"""A stand-in model that answers the writing workspace's prompts from what the prompt says.

Used by FakeOpenAI when ``reply_mode="writer"``. It behaves as a prompt-following model would,
with one habit the long-form design has to counter: every section wants to explain the basics
again ("what <keyword> means") unless the prompt says those points were already made (in the
"points already made" list or the summaries). It follows revise instructions it can read
("cut to N words", "add …", "make … punchier") and every standing rule of the form
"always say 'X', never 'Y'" that is anywhere in its prompt, so a test can see whether a rule
from an early turn still reaches the prompt fifty turns later. The critic pass's two tasks are
answered by ``tests.support.fake_critic``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from typing import Any

_TASK = re.compile(r"^Task:\s*(.+)$", re.MULTILINE)
_FIELD = re.compile(r"^(Topic|Audience|Keywords|Target length):\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r'"""\n(.*?)\n"""', re.DOTALL)
_RULE = re.compile(r"always (?:say|use|write) ['\"“‘]([^'\"”’]+)['\"”’],? (?:and )?never ['\"“‘]([^'\"”’]+)['\"”’]", re.IGNORECASE)
_VOCAB = ("plan", "team", "channel", "reader", "calendar", "draft", "review", "budget", "signal", "story",
          "format", "cadence", "owner", "backlog", "theme", "metric", "launch", "brief", "voice", "asset",
          "season", "window", "habit", "checklist", "template", "archive", "goal", "quarter", "slot", "queue")


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def _user(body: dict) -> str:
    for m in reversed(body.get("messages") or []):
        if isinstance(m, dict) and m.get("role") == "user":
            return _text(m.get("content"))
    return ""


def prompt_of(request: Any) -> str:
    """The last user message of a recorded request (``RecordedRequest``)."""
    return _user(request.json)


def _rng(*parts: Any) -> random.Random:
    return random.Random(int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16], 16))


def _fields(prompt: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2).strip() for m in _FIELD.finditer(prompt)}


def _keywords(prompt: str) -> list[str]:
    raw = _fields(prompt).get("keywords", "")
    return [k.strip() for k in raw.split(",") if k.strip() and "(none" not in k] or ["planning"]


def basics_point(keyword: str) -> str:
    return f"what {keyword} means"


def basics_sentence(keyword: str) -> str:
    return f"Put simply, {keyword} means deciding in advance what goes out, when, and who owns each piece."


def _filler(rng: random.Random, words: int) -> list[str]:
    out, count = [], 0
    while count < words:
        n = rng.randint(9, 15)
        ws = [rng.choice(_VOCAB) for _ in range(n)]
        out.append(" ".join([ws[0].capitalize(), *ws[1:]]) + ".")
        count += n
    return out


def reply(body: dict) -> str:
    prompt = _user(body)
    m = _TASK.search(prompt)
    task = m.group(1).strip().lower() if m else ""
    temperature = body.get("temperature")
    if task == "outline":
        n = int(m.group(1)) if (m := re.search(r"and (\d+) body sections", prompt)) else 4
        kws = _keywords(prompt)
        sections = []
        for k in range(n):
            points = [f"part {k + 1} point {j + 1}" for j in range(3)]
            if k == 0:
                points = [basics_point(kw) for kw in kws] + points[: max(1, 3 - len(kws))]
            sections.append({"heading": f"Part {k + 1}: {_VOCAB[k % len(_VOCAB)]}s", "intent": f"Cover part {k + 1}.",
                             "points": points})
        return json.dumps({"title": f"The guide to {_fields(prompt).get('topic', 'it')}", "sections": sections})
    if task in ("section", "introduction", "conclusion"):
        job = prompt.rsplit("\n\n", 1)[-1]
        words = int(m.group(1)) if (m := re.search(r"about (\d+) words", job)) else 200
        current = re.search(r"^→ (\d+)\. ([^:\n]+)", prompt, re.MULTILINE)
        heading = current.group(2) if current else task
        own = re.findall(r"^\s{4}-\s+(.+)$", prompt, re.MULTILINE)
        context = prompt.split("Outline (", 1)[-1]
        sentences = [f"This part makes its point about {p}, step by step." for p in own]
        for kw in _keywords(prompt):
            # The habit: explain the basics again, unless told they were made already.
            if basics_point(kw) in own or basics_point(kw) not in context:
                sentences.insert(0, basics_sentence(kw))
        if task == "introduction":
            sentences.append("This guide walks through every part in turn.")
        if task == "conclusion":
            sentences.append("Ready to start? Book a call with our team today.")
        count = sum(len(s.split()) for s in sentences)
        sentences += _filler(_rng(heading, prompt.count("\n")), max(0, words - count))
        return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))
    if task == "summary":
        text = (_QUOTED.findall(prompt) or [""])[-1]
        first = re.findall(r"[^.!?\n]+[.!?]", text)[:2]
        points = re.findall(r"^- (.+)$", prompt.split("Section text:")[0], re.MULTILINE)
        return json.dumps({"summary": " ".join(s.strip() for s in first), "covered": points})
    if task == "headline":
        return f"Headline at {temperature}: {_fields(prompt).get('topic', 'it')}"
    if task == "introduction variant":
        return f"An introduction written at temperature {temperature}, for {_fields(prompt).get('audience', 'readers')}."
    if task == "revise":
        return _revise(prompt)
    if task == "conversation summary":
        return _conversation_summary(prompt)
    if task in ("critic", "critic rewrite"):
        from tests.support.fake_critic import critic_reply

        return critic_reply(body) or ""
    return ""


def _revise(prompt: str) -> str:
    text = (_QUOTED.findall(prompt) or [""])[-1]
    instruction = prompt.rsplit("Instruction:", 1)[-1].strip()
    if m := re.search(r"(\d+) words", instruction):
        text = " ".join(text.split()[: int(m.group(1))])
    if m := re.search(r"\badd (?:a |an )?(.+)$", instruction, re.IGNORECASE):
        text = text.rstrip() + f"\n\n{m.group(1).strip().rstrip('.').capitalize()}."
    if "punch" in instruction.lower():
        text = "Here's the thing: " + text
    for say, never in _RULE.findall(prompt):
        text = re.sub(rf"\b{re.escape(never)}\b", say, text)
        text = re.sub(rf"\b{re.escape(never.capitalize())}\b", say.capitalize(), text)
    return text


def _conversation_summary(prompt: str) -> str:
    rules: list[str] = []
    for say, never in _RULE.findall(prompt):
        rule = f"always say '{say}', never '{never}'"
        if rule not in rules:
            rules.append(rule)
    earlier = re.search(r"Other requests so far: (\d+)", prompt)
    folded = len(re.findall(r"^- Turn \d+:", prompt, re.MULTILINE))
    total = (int(earlier.group(1)) if earlier else 0) + folded
    return "\n".join([*(f"Standing rule: {r}" for r in rules), f"Other requests so far: {total}"])
