"""The demo writer's answers to the writing workspace's tasks (outline, section, summary,
introduction, conclusion, headline, introduction variant, revise, conversation summary).

Templates, not AI: each answer is put together from what the prompt says (the brief, the
section's own points, the instruction), so the offline demo walks through every step a model
would, and is labelled as the demo wherever it appears.
"""

from __future__ import annotations

import json
import random
import re

_TASK = re.compile(r"^Task:\s*(.+)$", re.MULTILINE)
_POINT_LINE = re.compile(r"^\s{4}-\s+(.+)$", re.MULTILINE)
_WORDS = re.compile(r"about (\d+) words")
_QUOTED = re.compile(r'"""\n(.*?)\n"""', re.DOTALL)

_ASPECTS = ["goals", "owners", "weekly review", "tools", "common mistakes", "first steps", "measures",
            "examples"]
_SENTENCES = [
    "Start with {p}: they shape how {audience} spend their week.",
    "When it comes to {p}, keep things small, visible and regular.",
    "Most trouble with {p} starts when nobody decides who does what.",
    "Write {p} down in one place the whole team can see.",
    "Look at {p} once a month and change one thing at a time.",
    "A short checklist covers {p} better than a long policy.",
    "Ask the people who do the work how {p} could be simpler.",
]


def task_of(text: str) -> str | None:
    m = _TASK.search(text)
    return m.group(1).strip().lower() if m else None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _paragraphs(points: list[str], words: int, audience: str, rng: random.Random) -> str:
    """Sentences about the section's own points, each (sentence, point) pair used once."""
    pairs = [(t, p) for p in (points or ["this step"]) for t in _SENTENCES]
    rng.shuffle(pairs)
    pairs.sort(key=lambda tp: (points or ["this step"]).index(tp[1]))
    out: list[str] = []
    count = 0
    for template, p in pairs:
        if count >= words:
            break
        sentence = template.format(p=p, audience=audience)
        out.append(_cap(sentence))
        count += len(sentence.split())
    return "\n\n".join(" ".join(out[i : i + 3]) for i in range(0, len(out), 3))


def answer(task: str, prompt: str, brief: dict[str, str], rng: random.Random, temperature: float) -> str:
    topic = brief.get("topic") or "your topic"
    audience = brief.get("audience") or "readers"
    keywords = [k.strip() for k in brief.get("keywords", "").split(",") if k.strip() and "(none" not in k]
    if task == "outline":
        n = int(m.group(1)) if (m := re.search(r"and (\d+) body sections", prompt)) else 4
        subjects = (keywords + [topic, "the team", "the calendar", "publishing", "results", "the budget"])[:n]
        aspects = rng.sample(_ASPECTS, len(_ASPECTS))
        sections = [{"heading": _cap(f"{s}: {aspects[k % len(aspects)]}"), "intent": f"Explain {s} for {audience}.",
                     "points": [f"{s} {aspects[(k + j) % len(aspects)]}" for j in range(3)]}
                    for k, s in enumerate(subjects)]
        return json.dumps({"title": f"{_cap(topic)}: a practical guide", "sections": sections})
    words = int(m.group(1)) if (m := _WORDS.search(prompt.rsplit("\n\n", 1)[-1])) else 200
    if task == "section":
        points = _POINT_LINE.findall(prompt)
        return _paragraphs(points, words, audience, rng)
    if task == "summary":
        text = (_QUOTED.findall(prompt) or [""])[-1]
        sentences = re.findall(r"[^.!?\n]+[.!?]", text)
        points = re.findall(r"^- (.+)$", prompt.split("Section text:")[0], re.MULTILINE)
        return json.dumps({"summary": " ".join(s.strip() for s in sentences[:2]), "covered": points})
    if task == "introduction":
        headings = re.findall(r"^\s+\d+\.\s*([^:\n(]+)", prompt, re.MULTILINE)
        listed = ", ".join(h.strip().lower() for h in headings[1:-1][:4]) or "the essentials"
        return (f"{_cap(topic)} can feel like a lot to take on. This guide walks {audience} through {listed}, "
                "one step at a time, so you can start this week.")
    if task == "conclusion":
        return (f"{_cap(topic)} rewards steady attention more than big pushes. Pick one idea from this guide "
                "and try it this week. Ready to start? Get in touch with our team today.")
    if task == "headline":
        options = [f"{_cap(topic)}: what {audience} need to know", f"A practical guide to {topic}",
                   f"{_cap(topic)}, made simple", f"How {audience} get {topic} right"]
        width = max(1, min(len(options), 1 + round(temperature * (len(options) - 1) / 2)))
        return options[rng.randrange(width)]
    if task == "introduction variant":
        return (f"{_cap(topic)} is easier than it looks. Here is where {audience} should start, "
                "and what to skip.")
    if task == "revise":
        return revise(prompt)
    if task == "conversation summary":
        return conversation_summary(prompt)
    return ""


_RULE = re.compile(r"always (?:say|use|write) ['\"“‘]([^'\"”’]+)['\"”’],? (?:and )?never ['\"“‘]([^'\"”’]+)['\"”’]", re.IGNORECASE)


def revise(prompt: str) -> str:
    """Follows simple instructions: shorten to N words, add a line, and every standing
    "always say 'X', never 'Y'" rule found anywhere in the prompt."""
    text = (_QUOTED.findall(prompt) or [""])[-1]
    instruction = prompt.rsplit("Instruction:", 1)[-1].strip()
    if m := re.search(r"(\d+) words", instruction):
        text = " ".join(text.split()[: int(m.group(1))])
    if m := re.search(r"add (?:a |an )?(.+)$", instruction, re.IGNORECASE):
        text = text.rstrip() + f"\n\n{_cap(m.group(1).strip().rstrip('.'))}."
    if "punch" in instruction.lower():
        first, _, rest = text.partition(". ")
        text = f"{first.rstrip('.')}!" + (f" {rest}" if rest else "")
    for say, never in _RULE.findall(prompt):
        text = re.sub(rf"\b{re.escape(never)}\b", say, text)
        text = re.sub(rf"\b{re.escape(_cap(never))}\b", _cap(say), text)
    return text


def conversation_summary(prompt: str) -> str:
    """Keeps the standing rules (always/never …) and counts the other requests."""
    lines = [line.strip("- ").strip() for line in prompt.splitlines()]
    rules = []
    for line in lines:
        if _RULE.search(line) or re.search(r"\b(always|never|do not|don't|avoid)\b", line, re.IGNORECASE):
            rule = re.sub(r"^(Instruction|Turn \d+|Standing rule):\s*", "", line)
            if rule and rule not in rules and not rule.lower().startswith(("keep every", "summarise")):
                rules.append(rule)
    others = len(re.findall(r"^- Turn \d+:", prompt, re.MULTILINE))
    out = [f"Standing rule: {r}" for r in rules[:10]]
    out.append(f"Other requests so far: {others} edits to wording and length.")
    return "\n".join(out)

