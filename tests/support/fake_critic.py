"""A stand-in model for the critic pass, used through FakeOpenAI (``server.reply = fake_critic.reply``,
or ``reply_mode="writer"`` for the two critic tasks).

- A draft prompt gets a Markdown article (``default_article``) with flaws planted in it, chosen
  per prompt: an unsupported claim ("guaranteed"), a sentence said twice, a very long sentence.
- ``Task: critic`` reads the quoted draft and answers the rubric's JSON: it flags what such a
  critic would (claim words, a sentence seen before, sentences over 30 words) with a note, and
  scores each dimension from what it found.
- ``Task: critic rewrite`` rewrites each numbered passage by its notes: claim words softened,
  long sentences split, a repeated sentence replaced by a new one, a brand voice's "says “X”,
  not “Y”" followed. A passage it has no fix for
  comes back unchanged. With ``stubborn=True`` (``stubborn_reply``) every passage comes back
  longer and with its flaw still there: a rewrite that makes nothing better.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tests.support.fake_openai import default_article

CLAIM_WORDS = ("guaranteed", "clinically proven", "number one")
CLAIM_SENTENCE = "Our method is guaranteed to double your results in a month."
LONG_SENTENCE = (
    "When every channel owner keeps a separate list of ideas and dates and nobody reconciles those lists "
    "before the month begins, the team ends up publishing three posts on the same day and then nothing at "
    "all for two weeks while everyone waits for approval."
)
FRESH = (
    "A short weekly check keeps the plan honest.",
    "Give each piece one owner and one date.",
    "Small teams win by shipping steadily.",
    "Keep the backlog short and visible to everyone.",
)
_TASK = re.compile(r"^Task:\s*(.+)$", re.MULTILINE)
_DRAFT = re.compile(r'Draft:\n"""\n(.*?)\n"""', re.DOTALL)
_PASSAGE = re.compile(r'Passage (\d+):\n"""\n(.*?)\n"""\n(?:In the paragraph: [^\n]*\n)?Notes: ([^\n]*)', re.DOTALL)
_SENT = re.compile(r"[^.!?\n]+[.!?]")


def _user(body: dict) -> str:
    for m in reversed(body.get("messages") or []):
        if isinstance(m, dict) and m.get("role") == "user":
            c = m.get("content")
            return "\n".join(p.get("text", "") for p in c) if isinstance(c, list) else str(c or "")
    return ""


def _pick(prompt: str) -> int:
    return int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16)


FLAWS = ("claim", "repeat", "long")


def flawed_article(prompt: str, words: int = 300, *, every_flaw: bool = True) -> str:
    """``default_article`` with flaws planted: all three, or (``every_flaw=False``) one to three
    chosen by the prompt, as the benchmark's set of briefs has them."""
    text = default_article(prompt, words)
    paras = text.split("\n\n")
    body = [i for i, p in enumerate(paras) if not p.startswith("#")]
    h = _pick(prompt)
    flaws = FLAWS if every_flaw else [f for k, f in enumerate(FLAWS) if (h >> k) & 1] or ["claim"]
    if "claim" in flaws:
        paras[body[0]] = paras[body[0]].rstrip() + " " + CLAIM_SENTENCE
    if "long" in flaws:
        paras[body[1]] = paras[body[1]].rstrip() + " " + LONG_SENTENCE
    if "repeat" in flaws:
        first = _SENT.findall(paras[body[0]])[0].strip()
        paras[body[-1]] = paras[body[-1]].rstrip() + " " + first
    return "\n\n".join(paras)


def critic(prompt: str) -> dict[str, Any]:
    m = _DRAFT.search(prompt)
    text = m.group(1) if m else ""
    flags, seen = [], set()
    claims = longs = repeats = 0
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for s in (x.strip() for x in _SENT.findall(line)):
            key = s.casefold()
            if any(w in key for w in CLAIM_WORDS):
                claims += 1
                flags.append({"quote": s, "dimension": "claims", "note": "Unsupported claim: soften it or back it."})
            if len(s.split()) > 30:
                longs += 1
                flags.append({"quote": s, "dimension": "reading_ease", "note": "Too long: split it."})
            if key in seen and len(s.split()) >= 4:
                repeats += 1
                flags.append({"quote": s, "dimension": "repetition", "note": "Repeats an earlier sentence."})
            seen.add(key)
    scores = {"on_brief": 8, "repetition": max(1, 10 - 3 * repeats), "claims": max(1, 10 - 3 * claims),
              "voice": 7, "reading_ease": max(1, 9 - 2 * longs)}
    return {"scores": scores, "flags": flags, "summary": f"{len(flags)} passages need work."}


def rewrite(prompt: str, *, stubborn: bool = False) -> dict[str, Any]:
    out = []
    for n, passage, notes in _PASSAGE.findall(prompt):
        text, low = passage, notes.lower()
        if stubborn:
            out.append({"n": int(n), "text": text.rstrip(".") + ", and that is the whole point of it all."})
            continue
        if "claim" in low or "guarantee" in low:
            text = re.sub(r"\bis guaranteed to double\b", "can help improve", text)
            text = re.sub(r"\bguaranteed\b", "designed", text, flags=re.IGNORECASE)
        if "long" in low:
            words = text.split()
            half = len(words) // 2
            text = " ".join(words[:half]).rstrip(",;") + ". " + " ".join(words[half:])[:1].upper() + \
                " ".join(words[half:])[1:]
        for preferred, term in re.findall(r"says “([^”]+)”, not “([^”]+)”", notes):
            text = re.sub(rf"\b{re.escape(term)}\b", preferred, text)
        if "repeat" in low or "word for word" in low or "earlier section" in low:
            text = FRESH[_pick(passage) % len(FRESH)]
        out.append({"n": int(n), "text": text})
    return {"passages": out}


def critic_reply(body: dict, *, stubborn: bool = False) -> str | None:
    """The answer to a critic task, or None when the prompt is not one."""
    prompt = _user(body)
    m = _TASK.search(prompt)
    task = m.group(1).strip().lower() if m else ""
    if task == "critic":
        return json.dumps(critic(prompt))
    if task == "critic rewrite":
        return json.dumps(rewrite(prompt, stubborn=stubborn))
    return None


def reply(body: dict, *, every_flaw: bool = True) -> str:
    """FakeOpenAI's ``reply``: the critic's tasks, the publishing-fields proposal, else a flawed article."""
    answer = critic_reply(body)
    if answer is not None:
        return answer
    prompt = _user(body)
    if "Propose: title" in prompt:
        return json.dumps({"title": "A Title", "slug": "a-title", "excerpt": "An excerpt.",
                           "meta_description": "A meta description.", "tags": ["a", "b", "c"],
                           "categories": ["Marketing"]})
    return flawed_article(prompt, every_flaw=every_flaw)


def varied_reply(body: dict) -> str:
    """As ``reply``, with the flaws each draft has chosen by its prompt."""
    return reply(body, every_flaw=False)


def stubborn_reply(body: dict) -> str:
    """As ``reply``, but the rewrite fixes nothing."""
    answer = critic_reply(body, stubborn=True)
    return answer if answer is not None else reply(body)
