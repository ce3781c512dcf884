"""The pure rules of a training-data export (no database, no I/O).

- **Edit distance** is word-level Levenshtein distance (whitespace-separated words inserted,
  deleted or replaced) between the text a model wrote and the approved text; its ratio is that
  distance over the longer text's word count (0: identical, 1: nothing in common). It is computed
  with the bit-parallel algorithm of Myers/Hyyrö, so long drafts cost milliseconds.
- **A material change** is one at least as large as the ``MinEdit`` asked for: a number of
  words (``25``) or a share of the longer text (``5%``).
- **Redaction** replaces the personal data the studio's PII check finds (`studio.checks.pii`,
  read through the checks' shadow so hidden characters do not hide an address) by a placeholder
  naming its kind, e.g. ``[EMAIL]``.
- **Rows**: ``sft_row`` is the OpenAI fine-tuning chat format
  ``{"messages": [system, user, assistant]}``; ``dpo_row`` is TRL's conversational preference
  format ``{"prompt": [system, user], "chosen": [assistant], "rejected": [assistant]}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from studio.checks.pii import find_pii
from studio.checks.shadow import shadow

SFT = "sft"
DPO = "dpo"
FORMATS: dict[str, str] = {
    SFT: "supervised pairs (OpenAI fine-tuning chat format)",
    DPO: "preference pairs (TRL DPO format)",
}

#: Where a preference pair's rejected side came from.
EDITED = "edited"  # what the model first wrote, changed materially by editors
REJECTED_DRAFT = "rejected_draft"  # a rejected draft of the same brief
APPROVED = "approved"  # a supervised pair: the brief and its approved text

#: Keys of each format's lines (documented in docs/feedback.md).
SFT_KEYS = ("messages",)
DPO_KEYS = ("prompt", "chosen", "rejected")

DEFAULT_MIN_EDIT = "5%"


def words(text: str) -> list[str]:
    return text.split()


def edit_distance(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Levenshtein distance between two sequences of hashable items (words)."""
    # Common ends cost nothing and shrink the bit vectors.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    # Hyyrö's bit-vector formulation of Myers' algorithm: column j of the DP matrix as two bit
    # vectors of vertical +1/-1 steps, the pattern b's positions of each word as a mask.
    positions: dict[Any, int] = {}
    for i, item in enumerate(b):
        positions[item] = positions.get(item, 0) | (1 << i)
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for item in a:
        eq = positions.get(item, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


@dataclass(frozen=True)
class EditSize:
    distance: int  # words inserted, deleted or replaced
    ratio: float  # distance / the longer text's words

    def as_dict(self) -> dict[str, Any]:
        return {"edit_distance": self.distance, "edit_ratio": round(self.ratio, 4)}


def edit_size(first: str, final: str) -> EditSize:
    a, b = words(first), words(final)
    distance = edit_distance(a, b)
    longest = max(len(a), len(b))
    return EditSize(distance, distance / longest if longest else 0.0)


class MinEditError(ValueError):
    pass


@dataclass(frozen=True)
class MinEdit:
    """The smallest edit that makes a preference pair: ``words`` or ``ratio`` (one of them)."""

    words: int | None = None
    ratio: float | None = None

    @classmethod
    def parse(cls, text: str) -> MinEdit:
        """``25`` (words) or ``5%`` (of the longer text); anything else raises MinEditError."""
        value = (text or "").strip()
        try:
            if value.endswith("%"):
                percent = float(value[:-1])
                if not 0 <= percent <= 100:
                    raise ValueError
                return cls(ratio=percent / 100)
            count = int(value)
            if count < 0:
                raise ValueError
            return cls(words=count)
        except ValueError:
            raise MinEditError(
                f"{text!r} is not an edit size; give a number of words (25) or a share of the text (5%)."
            ) from None

    def met_by(self, size: EditSize) -> bool:
        if self.words is not None:
            return size.distance >= self.words and size.distance > 0
        return size.ratio >= (self.ratio or 0.0) and size.distance > 0

    def describe(self) -> str:
        if self.words is not None:
            return f"{self.words} word(s)"
        return f"{(self.ratio or 0) * 100:g}% of the words"


# --- personal data ---------------------------------------------------------------------------


def placeholder(label: str) -> str:
    return f"[{label.upper()}]"


def redact(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with each piece of personal data the PII check finds replaced by its placeholder,
    and how many of each kind were replaced."""
    seen = shadow(text)
    spans = []
    for finding in find_pii(seen.text):
        start, end = seen.span(finding.start, finding.end)
        spans.append((start, end, finding.label))
    counts: dict[str, int] = {}
    out: list[str] = []
    at = 0
    for start, end, label in sorted(spans):
        if start < at:  # overlapping after mapping back: already covered
            continue
        out.append(text[at:start])
        out.append(placeholder(label))
        counts[label] = counts.get(label, 0) + 1
        at = end
    out.append(text[at:])
    return "".join(out), counts


def pii_kinds(text: str) -> dict[str, int]:
    """How many of each kind of personal data ``text`` holds (what ``redact`` would replace)."""
    return redact(text)[1]


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def sft_row(prompt: Prompt, approved: str) -> dict[str, Any]:
    return {"messages": [*prompt.messages(), {"role": "assistant", "content": approved}]}


def dpo_row(prompt: Prompt, chosen: str, rejected: str) -> dict[str, Any]:
    return {
        "prompt": prompt.messages(),
        "chosen": [{"role": "assistant", "content": chosen}],
        "rejected": [{"role": "assistant", "content": rejected}],
    }


def redact_row(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """Every message's content in a row redacted; the counts of what was replaced."""
    totals: dict[str, int] = {}

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("content"), str):
                text, counts = redact(value["content"])
                for k, n in counts.items():
                    totals[k] = totals.get(k, 0) + n
                return {**value, "content": text}
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(row), totals


def row_pii(row: dict[str, Any]) -> dict[str, int]:
    """The personal data a row holds, by kind (nothing is changed)."""
    return redact_row(row)[1]


def brief_key(user_message: str) -> str:
    """Two drafts are of the same brief when their brief reads the same, ignoring case and
    spacing: the same prompt, so one's approved text and the other's rejected text compare."""
    return re.sub(r"\s+", " ", user_message).strip().casefold()
