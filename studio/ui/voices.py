"""Helpers for the Brand voices page: the measured profile as a table, and "a -> b" lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _pct(v: Any) -> str:
    return "—" if v is None else f"{round(100 * v)}%"


def _num(v: Any, unit: str = "") -> str:
    return "—" if v is None else f"{v:.0f}{unit}"


PROFILE_ROWS: tuple[tuple[str, Any], ...] = (
    ("Sentence length", lambda p: f"{_num(p.get('sentence_length_mean'))} ± {_num(p.get('sentence_length_sd'))} "
                                  f"{p.get('unit', 'words')}"),
    ("Reading ease", lambda p: _num(p.get("reading_ease"))),
    ("Contractions", lambda p: _pct(p.get("contractions_share"))),
    ("Person (per 100 words)", lambda p: ", ".join(f"{k} {v:.1f}" for k, v in (p.get("person") or {}).items()) or "—"),
    ("Questions", lambda p: _pct(p.get("question_rate"))),
    ("Exclamations", lambda p: _pct(p.get("exclamation_rate"))),
    ("US / UK spellings", lambda p: f"{(p.get('spelling') or {}).get('us', 0)} / {(p.get('spelling') or {}).get('uk', 0)}"),
    ("Lists with / without Oxford comma",
     lambda p: f"{(p.get('oxford_comma') or {}).get('with', 0)} / {(p.get('oxford_comma') or {}).get('without', 0)}"),
    ("Headline case", lambda p: p.get("headline_case") or "—"),
    ("Words measured", lambda p: f"{p.get('words', 0):,}"),
)  # fmt: skip


def profile_table(profile: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Feature": name, "Samples": get(profile)} for name, get in PROFILE_ROWS]


def parse_pairs(text: str) -> tuple[dict[str, str], list[str]]:
    """Lines "users -> customers" (or "=") as a mapping, and a message per line that is not."""
    out: dict[str, str] = {}
    problems: list[str] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        for sep in ("->", "→", "="):
            if sep in line:
                old, _, new = line.partition(sep)
                if old.strip() and new.strip():
                    out[old.strip()] = new.strip()
                    break
        else:
            problems.append(f"“{line.strip()}”: write a preferred term as old -> new.")
    return out, problems


def pairs_text(pairs: Mapping[str, str]) -> str:
    return "\n".join(f"{k} -> {v}" for k, v in pairs.items())
