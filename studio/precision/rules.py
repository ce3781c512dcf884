"""The pure rules of check precision: what became of each finding, and each rule's share acted on.

A finding is followed from the first revision whose report holds it through the draft's later
revisions (the same words in the same place are the same finding, however many reports repeat
it), until one of these decides it:

- **acted on**: the next revision replaced its words with a suggestion the check offered
  (``suggestion applied``), or changed the text of its span (``edited``). A finding about the
  whole document (length, gender-coded tone) is acted on when a later report no longer holds it.
- **dismissed**: an editor dismissed it (``dismissed``), the draft was approved with it still in
  the text (``approved unchanged``), or a draft the checks blocked was approved with an override
  reason while it stood (``overridden``).

Anything else decides nothing and is not counted: the draft is still in progress, or was
rejected; the finding went away without its words changing (an allowlist or rule change); or
its words were replaced by the model writing the text again (``generated``/``partial``
revisions: nobody reacted to the finding). A rule's precision is acted on over
decided, with a Wilson 95% interval; a rule is *low* when it has enough decided findings and its
precision is under the threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from studio.checks.pipeline import ALLOWLIST_CATEGORIES

SUGGESTION_APPLIED = "suggestion_applied"
EDITED = "edited"
DISMISSED = "dismissed"
APPROVED_UNCHANGED = "approved_unchanged"
OVERRIDDEN = "overridden"

ACTED = (SUGGESTION_APPLIED, EDITED)
NOT_ACTED = (DISMISSED, APPROVED_UNCHANGED, OVERRIDDEN)
OUTCOME_LABELS = {
    SUGGESTION_APPLIED: "Suggestion applied",
    EDITED: "Text edited",
    DISMISSED: "Dismissed by an editor",
    APPROVED_UNCHANGED: "Approved unchanged",
    OVERRIDDEN: "Block overridden",
}

#: Revisions the model wrote afresh: a finding they remove was not acted on by anyone.
MODEL_REASONS = ("generated", "partial")

DEFAULT_THRESHOLD = 0.5
DEFAULT_MIN_DECIDED = 3
Z95 = 1.959963984540054



@dataclass(frozen=True)
class FindingRow:
    """One stored finding of one report (the `Finding` table's fields this needs)."""

    id: int
    rule: str
    category: str
    label: str
    severity: str
    start: int
    end: int
    text: str

    @property
    def document_level(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class RevisionRow:
    number: int
    body: str
    reason: str
    created_at: datetime
    findings: tuple[FindingRow, ...] | None  # None: the revision has no report


@dataclass(frozen=True)
class Decision:
    """An audit event that decides findings: an approval (``finding`` None) or a dismissal."""

    at: datetime
    kind: str  # "approve" or "dismiss"
    override: bool = False
    finding: int | None = None


@dataclass
class Traced:
    """One finding followed through a draft's revisions."""

    draft_id: int
    first: FindingRow
    revision: int  # where it first appeared
    context: str  # the sentence around it, in that revision
    start: int
    end: int
    ids: set[int] = field(default_factory=set)
    outcome: str | None = None

    @property
    def rule(self) -> str:
        return rule_key(self.first)


def rule_key(f: FindingRow) -> str:
    return f.rule or f"{f.category}.{f.label}"


#: A rewritten block of lines longer than this (old × new characters, about 4,000 × 4,000) is not
#: compared word by word (the comparison grows with the product): its spans count as edited.
BLOCK_DIFF_LIMIT = 16_000_000


class SpanMap:
    """Where spans of ``old`` are in ``new``: the lines are compared first (anchoring the
    unchanged paragraphs), then the words of each block of lines that changed, once each."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self._blocks: list[tuple[str, int, int, int, int]] | None = None
        self._chars: dict[int, list[tuple[int, int, int]]] = {}

    def _lines(self) -> list[tuple[str, int, int, int, int]]:
        if self._blocks is None:
            a, b = self.old.splitlines(keepends=True), self.new.splitlines(keepends=True)
            oa, ob = _offsets(a), _offsets(b)
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            self._blocks = [(tag, oa[i1], oa[i2], ob[j1], ob[j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
        return self._blocks

    def __call__(self, start: int, end: int) -> tuple[int, int] | None:
        """Where ``old[start:end]`` is in ``new`` when the edit left those characters alone;
        None when the edit touched them."""
        if self.old == self.new:
            return start, end
        for n, (tag, a0, a1, b0, b1) in enumerate(self._lines()):
            if a0 == a1 or not (a0 <= start and end <= a1):
                continue
            if tag == "equal":
                return start - a0 + b0, end - a0 + b0
            if tag != "replace" or (a1 - a0) * (b1 - b0) > BLOCK_DIFF_LIMIT:
                return None
            if n not in self._chars:
                self._chars[n] = _token_blocks(self.old[a0:a1], self.new[b0:b1])
            for oa, ob, size in self._chars[n]:
                if oa <= start - a0 and end - a0 <= oa + size:
                    return start - a0 - oa + ob + b0, end - a0 - oa + ob + b0
            return None
        return None  # across blocks that changed differently: touched


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def _token_blocks(old: str, new: str) -> list[tuple[int, int, int]]:
    """The runs of unchanged text between two versions of a block, as (old offset, new offset,
    characters), compared word by word (a paragraph is a few hundred words, not thousands of
    characters)."""
    ta, tb = [m.group() for m in _TOKEN.finditer(old)], [m.group() for m in _TOKEN.finditer(new)]
    oa, ob = _offsets(ta), _offsets(tb)
    runs = SequenceMatcher(None, ta, tb, autojunk=False).get_matching_blocks()
    return [(oa[a], ob[b], oa[a + size] - oa[a]) for a, b, size in runs if size]


def _offsets(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def span_after(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``old[start:end]`` is in ``new`` when the edit left those characters alone (one run
    of unchanged text covers them); None when the edit touched them."""
    return SpanMap(old, new)(start, end)


def context_of(body: str, start: int, end: int, width: int = 80) -> str:
    """The words around a span, on one line, for an example a person reads."""
    if start == end:
        return ""
    left = body.rfind("\n", 0, start)
    lo = max(left + 1, start - width)
    right = body.find("\n", end)
    hi = min(len(body) if right < 0 else right, end + width)
    text = " ".join(body[lo:hi].split())
    return ("…" if lo > left + 1 else "") + text + ("…" if hi < (len(body) if right < 0 else right) else "")


def trace(draft_id: int, revisions: Sequence[RevisionRow], decisions: Iterable[Decision]) -> list[Traced]:
    """Every finding of one draft, with its outcome (None: undecided). ``revisions`` in order."""
    events = sorted(decisions, key=lambda d: d.at)
    traced: list[Traced] = []
    live: list[Traced] = []
    previous: RevisionRow | None = None
    by_id: dict[int, Traced] = {}
    e = 0
    for rev in revisions:
        # Decisions taken while the previous revision was the current one.
        while e < len(events) and (previous is not None and events[e].at < rev.created_at):
            _decide(events[e], live, by_id)
            e += 1
        live = [t for t in live if t.outcome is None or t.outcome == DISMISSED]
        if previous is not None:
            live = _carry(previous, rev, live)
        if rev.findings is not None:
            live = _take_report(draft_id, rev, live, traced, by_id, by_model=rev.reason in MODEL_REASONS)
        previous = rev
    for event in events[e:]:
        _decide(event, live, by_id)
    return traced


def _carry(previous: RevisionRow, rev: RevisionRow, live: list[Traced]) -> list[Traced]:
    kept = []
    where = SpanMap(previous.body, rev.body)
    for t in live:
        if t.first.document_level:
            kept.append(t)
            continue
        moved = where(t.start, t.end)
        if moved is None:
            if t.outcome is None and rev.reason not in MODEL_REASONS:
                t.outcome = SUGGESTION_APPLIED if rev.reason == "suggestion_applied" else EDITED
            continue
        t.start, t.end = moved
        kept.append(t)
    return kept


def _take_report(
    draft_id: int, rev: RevisionRow, live: list[Traced], traced: list[Traced], by_id: dict[int, Traced],
    *, by_model: bool,
) -> list[Traced]:
    assert rev.findings is not None
    unmatched = list(live)
    now: list[Traced] = []
    for f in rev.findings:
        match = next((t for t in unmatched if t.rule == rule_key(f)
                      and (f.document_level if t.first.document_level else (t.start, t.end) == (f.start, f.end))), None)  # fmt: skip
        if match is None:
            match = Traced(draft_id, f, rev.number, context_of(rev.body, f.start, f.end), f.start, f.end)
            traced.append(match)
        else:
            unmatched.remove(match)
        match.ids.add(f.id)
        by_id[f.id] = match
        now.append(match)
    for t in unmatched:
        # A whole-document finding the checks no longer raise was dealt with; a span whose words
        # stand but which the checks no longer flag (an allowlist, a rule change) decides nothing.
        if t.first.document_level and t.outcome is None and not by_model:
            t.outcome = EDITED
    return now


def _decide(event: Decision, live: list[Traced], by_id: dict[int, Traced]) -> None:
    if event.kind == "dismiss":
        t = by_id.get(event.finding or -1)
        if t is not None and t.outcome is None:
            t.outcome = DISMISSED
        return
    for t in live:
        if t.outcome is None:
            t.outcome = OVERRIDDEN if event.override and t.first.severity == "block" else APPROVED_UNCHANGED


def wilson(acted: int, decided: int) -> tuple[float, float]:
    """The Wilson score 95% interval of acted/decided ((0, 1) when nothing was decided)."""
    if decided <= 0:
        return 0.0, 1.0
    p = acted / decided
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * decided)) / (1 + z2 / decided)
    half = Z95 * math.sqrt(p * (1 - p) / decided + z2 / (4 * decided * decided)) / (1 + z2 / decided)
    return max(0.0, centre - half), min(1.0, centre + half)


def is_low(acted: int, decided: int, threshold: float = DEFAULT_THRESHOLD, min_decided: int = DEFAULT_MIN_DECIDED) -> bool:
    return decided >= max(1, min_decided) and acted / decided < threshold


def allowable(category: str) -> bool:
    """Can the workspace allowlist silence a finding of this category?"""
    return category in ALLOWLIST_CATEGORIES
