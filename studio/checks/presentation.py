"""Findings as a person reads them (pure): grouped, ordered, summarised, filtered.

* One group per pattern: the same rule on the same words in the same field (ten "chairman"s are
  one finding ×10, a repeated phrase is one quality note with its count); a sentence a toxicity
  model flagged under several labels is one finding listing them.
* Ordered by severity (blocks, warnings, notes), then by field (the body first) and position.
* The summary names the most severe items first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from studio.checks.highlight import Mark
from studio.checks.report import CATEGORY_LABELS, FIELD_LABELS, FIELDS, SEVERITY_RANK
from studio.checks.text import normalize

SUMMARY_NAMED = 3  # items named in the summary line


@dataclass(frozen=True)
class FindingGroup:
    """Findings that read as one: ``first`` stands for them all (its suggestions, note, advice)."""

    number: int
    findings: tuple[Any, ...]  # anything with the FindingView fields

    @property
    def first(self) -> Any:
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def severity(self) -> str:
        return max((f.severity for f in self.findings), key=lambda s: SEVERITY_RANK.get(s, 0))

    @property
    def category(self) -> str:
        return self.first.category

    @property
    def field(self) -> str:
        return getattr(self.first, "field", "body") or "body"

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(f.label for f in self.findings))

    @property
    def title(self) -> str:
        """"Bias · gendered", "Toxicity · insult, threat"."""
        return f"{CATEGORY_LABELS.get(self.category, self.category)} · {', '.join(self.labels)}"

    @property
    def score(self) -> float | None:
        scores = [f.score for f in self.findings if f.score is not None]
        return max(scores) if scores else None

    @property
    def document_level(self) -> bool:
        return self.first.end <= self.first.start


def _key(f: Any) -> tuple:
    field = getattr(f, "field", "body") or "body"
    if f.end <= f.start:
        return (field, "doc", f.rule, f.label)
    if f.category == "toxicity":
        return (field, "toxicity", f.start, f.end)
    return (field, f.rule, normalize(f.text))


def group_findings(findings: Iterable[Any]) -> list[FindingGroup]:
    """Findings grouped by pattern, most severe first, then by field and position; numbered."""
    groups: dict[tuple, list[Any]] = {}
    for f in findings:
        groups.setdefault(_key(f), []).append(f)
    ordered = []
    for members in groups.values():
        members.sort(key=lambda f: (f.start, -SEVERITY_RANK.get(f.severity, 0)))
        ordered.append(tuple(members))

    def order(members: tuple) -> tuple:
        worst = max(SEVERITY_RANK.get(f.severity, 0) for f in members)
        first = members[0]
        field = getattr(first, "field", "body") or "body"
        return (-worst, FIELDS.index(field) if field in FIELDS else len(FIELDS), first.end <= first.start, first.start)

    ordered.sort(key=order)
    return [FindingGroup(i, members) for i, members in enumerate(ordered, start=1)]


def filter_groups(groups: Sequence[FindingGroup], categories: Iterable[str] | None) -> list[FindingGroup]:
    wanted = set(categories or ())
    return [g for g in groups if not wanted or g.category in wanted]


def _what(g: FindingGroup) -> str:
    words = f" “{g.first.text}”" if g.first.text and len(g.first.text) <= 40 else ""
    where = "" if g.field == "body" else f" in the {FIELD_LABELS.get(g.field, g.field).lower()}"
    times = f" ×{g.count}" if g.count > 1 else ""
    return f"{CATEGORY_LABELS.get(g.category, g.category).lower()} · {g.labels[0]}{words}{times}{where}"


def summary(groups: Sequence[FindingGroup]) -> str:
    """"2 blocking: claims · financial “risk-free returns”, … · 3 warnings · 4 notes": counts per
    severity, the most severe items named first."""
    if not groups:
        return "no findings"
    by = {s: [g for g in groups if g.severity == s] for s in ("block", "warn", "info")}
    named = [g for s in ("block", "warn") for g in by[s]][:SUMMARY_NAMED]
    parts = []
    for sev, word in (("block", "blocking"), ("warn", "warning"), ("info", "note")):
        n = len(by[sev])
        if not n:
            continue
        label = word if sev == "block" else f"{word}{'s' if n != 1 else ''}"
        items = [_what(g) for g in named if g.severity == sev]
        parts.append(f"{n} {label}" + (f": {'; '.join(items)}" if items else ""))
    return " · ".join(parts)


def marks_for(groups: Sequence[FindingGroup], field: str = "body") -> list[Mark]:
    """Every occurrence of the groups in ``field`` as a highlight mark numbered like its group."""
    out = []
    for g in groups:
        for f in g.findings:
            if (getattr(f, "field", "body") or "body") != field or f.end <= f.start:
                continue
            hint = f"Try: {', '.join(f.suggestions[:3])}" if f.suggestions else (getattr(f, "advice", "") or "")
            out.append(Mark(f.start, f.end, g.number, f.category, f.label, f.severity, hint))
    return out
