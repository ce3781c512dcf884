"""The critic's two prompts (read the draft against the rubric; rewrite the flagged passages)
and the reading of their JSON answers. A model that answers with something else is not an
error: the critic then has no model view (the checks still score), and a rewrite that cannot be
read changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from studio.critic.rubric import DIMENSIONS, ModelView, Passage
from studio.drafting.brief import Brief
from studio.writing.prompts import messages

MAX_MODEL_FLAGS = 12
PASSAGE_HEADER = "Passage {n}:"


def critic_messages(brief: Brief, text: str) -> list[BaseMessage]:
    dims = "; ".join(f"{key} ({label.lower()})" for key, label in DIMENSIONS.items())
    return messages(
        brief, "critic",
        "You are the editor who reads this draft before the writer sees it. Score it from 1 (poor) to 10 "
        f"(good) on each of: {dims}. Then quote, word for word, the sentences that most need rewriting "
        f"(at most {MAX_MODEL_FLAGS}), each with the dimension it fails and a short note saying what to change. "
        "Quote nothing that is fine.",
        f'Draft:\n"""\n{text}\n"""',
        'Answer with JSON only: {"scores": {"on_brief": 7, ...}, "flags": [{"quote": "...", '
        '"dimension": "claims", "note": "..."}], "summary": "one line"}',
    )  # fmt: skip


def rewrite_messages(brief: Brief, text: str, passages: Sequence[Passage]) -> list[BaseMessage]:
    parts = []
    for n, p in enumerate(passages, start=1):
        paragraph = _paragraph_of(text, p)
        context = f"In the paragraph: {paragraph}\n" if paragraph.strip() != p.text.strip() else ""
        notes = " ".join(p.notes)
        parts.append(f'{PASSAGE_HEADER.format(n=n)}\n"""\n{p.text}\n"""\n{context}Notes: {notes}')
    return messages(
        brief, "critic rewrite",
        "An editor flagged these passages of the draft. Rewrite each one so the notes no longer apply: keep "
        "its meaning where the notes allow, its language and the brief's voice, and keep it about as long. "
        "Rewrite only these passages; a passage that is one or more sentences stays sentences (no headings, "
        "no new paragraphs).",
        "\n\n".join(parts),
        'Answer with JSON only: {"passages": [{"n": 1, "text": "the rewritten passage"}, ...]}',
    )  # fmt: skip


def _paragraph_of(text: str, p: Passage) -> str:
    start = text.rfind("\n\n", 0, p.start)
    end = text.find("\n\n", p.end)
    return text[0 if start < 0 else start + 2 : len(text) if end < 0 else end].strip()


def _json(answer: str) -> Any:
    answer = answer.strip()
    m = re.search(r"```(?:json)?\s*(.*?)```", answer, re.DOTALL)
    if m:
        answer = m.group(1)
    start, end = answer.find("{"), answer.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        return json.loads(answer[start : end + 1])
    except ValueError:
        return None


def read_critic(answer: str) -> ModelView | None:
    data = _json(answer)
    if not isinstance(data, dict):
        return None
    scores: dict[str, float] = {}
    for key, value in (data.get("scores") or {}).items() if isinstance(data.get("scores"), dict) else ():
        if key in DIMENSIONS and isinstance(value, (int, float)) and not isinstance(value, bool):
            scores[key] = float(max(1, min(10, value)))
    flags = []
    for item in data.get("flags") or [] if isinstance(data.get("flags"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("quote"), str):
            dim = str(item.get("dimension") or "")
            flags.append((dim if dim in DIMENSIONS else "on_brief", item["quote"], str(item.get("note") or "")[:300]))
    summary = data.get("summary")
    return ModelView(scores, flags[:MAX_MODEL_FLAGS], summary[:300] if isinstance(summary, str) else "")


def read_rewrite(answer: str, count: int) -> dict[int, str]:
    """Passage number (from 1) -> rewritten text, for the passages the answer has."""
    data = _json(answer)
    items = data.get("passages") if isinstance(data, dict) else None
    out: dict[int, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            n = item.get("n")
            if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= count:
                out[n] = item["text"]
    return out
