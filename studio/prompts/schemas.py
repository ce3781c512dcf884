"""Plain data the writer, the CLI and pages read about prompt versions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PromptTemplate:
    """One version's templates: the system prompt and the brief message, with ``{placeholders}``
    the writer fills from the brief (``studio.drafting.prompts.prompt_values``)."""

    version_id: int | None  # None: the built-in templates (no version stored for this type)
    content_type: str
    number: int
    system: str
    human: str


@dataclass(frozen=True)
class VersionView:
    id: int
    content_type: str
    number: int
    label: str
    status: str  # live | testing | candidate | retired
    status_label: str
    share: float  # the share of new drafts it gets now
    note: str
    created_by: str | None
    created_at: datetime | None
    promoted_at: datetime | None
    retired_at: datetime | None
    drafts: int
    sha256: str
    system: str = field(repr=False, default="")
    human: str = field(repr=False, default="")

    def as_dict(self, *, text: bool = False) -> dict[str, Any]:
        out = asdict(self)
        for key in ("created_at", "promoted_at", "retired_at"):
            out[key] = out[key].isoformat() if out[key] else None
        out["share"] = round(self.share, 4)
        if not text:
            out.pop("system")
            out.pop("human")
        return out


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval and the count it rests on (value None: nothing to measure;
    low/high None: too few to give an interval)."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        r = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"value": r(self.value), "low": r(self.low), "high": r(self.high), "n": self.n}

    def text(self, unit: str = "", *, percent: bool = False) -> str:
        """"67% [21%–94%]", "2.5 words [too few]", or "—" when there is nothing to measure."""
        if self.value is None:
            return "—"
        f = (lambda x: f"{x:.0%}") if percent else (lambda x: f"{x:,.1f}")
        interval = f"[{f(self.low)}–{f(self.high)}]" if self.low is not None and self.high is not None else "[too few]"
        return f"{f(self.value)}{unit} {interval}"


@dataclass(frozen=True)
class VersionStats:
    version: VersionView
    drafts: int  # drafts written with it
    approved: int
    rejected: int
    pending: int  # not decided yet
    approval_rate: Estimate  # approved / (approved + rejected)
    edit_distance: Estimate  # median words changed, first generated text -> approved text
    edit_ratio: Estimate  # median share of the words changed
    findings_per_1000_words: Estimate  # on the first generated text
    findings: int
    words: int
    hours_to_approval: Estimate  # median, draft created -> approved

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version.as_dict(),
            "drafts": self.drafts, "approved": self.approved, "rejected": self.rejected, "pending": self.pending,
            "approval_rate": self.approval_rate.as_dict(),
            "median_edit_distance_words": self.edit_distance.as_dict(),
            "median_edit_ratio": self.edit_ratio.as_dict(),
            "findings_per_1000_words": {**self.findings_per_1000_words.as_dict(), "findings": self.findings,
                                        "words": self.words},
            "median_hours_to_approval": self.hours_to_approval.as_dict(),
        }  # fmt: skip
