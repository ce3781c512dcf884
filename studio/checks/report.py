"""The check's result: a verdict, the backends that ran (or could not, and why), and findings.

`Report.to_dict()` is the JSON contract of `python -m studio check --json` and of the stored
report: ``{"verdict", "backends": [{"name", "status", "reason", ...}], "findings": [{"category",
"label", "start", "end", "text", "severity", "score", "suggestions", "rule", "field", ...}],
"acknowledgements": [...], ...}``. Extra keys ("tier", "note", "advice", "acknowledge",
"signals") may be added; the listed ones never change meaning.

``field`` names where a finding is: ``body`` (the Markdown text) or one of the publishing fields
(:data:`FIELDS`); ``start``/``end`` are offsets into that field's text (tags and categories are
checked as one line, joined by ``", "``). ``severity`` is what the verdict policy
(``policy.POLICY``) made of the finding: ``block``, ``warn`` or ``info`` (shown as a note, never
counted in the verdict).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Category = Literal["toxicity", "bias", "pii", "claims", "banned", "quality", "tone", "voice", "language"]
Severity = Literal["info", "warn", "block"]
Verdict = Literal["pass", "warn", "block", "unavailable"]
Status = Literal["ran", "unavailable", "skipped"]

CATEGORIES: tuple[str, ...] = ("toxicity", "bias", "pii", "claims", "banned", "quality", "tone", "voice", "language")
#: What a person reads for each category.
CATEGORY_LABELS = {
    "toxicity": "Toxicity",
    "bias": "Bias",
    "pii": "Personal data",
    "claims": "Claims",
    "banned": "Banned terms",
    "quality": "Quality",
    "tone": "Tone",
    "voice": "Brand voice",
    "language": "Language",
}
#: Where a finding can be: the body, then the publishing fields in the order the CMS shows them.
FIELDS: tuple[str, ...] = (
    "body", "title", "slug", "excerpt", "meta_description", "tags", "categories", "image_alt",
)
FIELD_LABELS = {
    "body": "Text",
    "title": "Title",
    "slug": "Slug",
    "excerpt": "Excerpt",
    "meta_description": "Meta description",
    "tags": "Tags",
    "categories": "Categories",
    "image_alt": "Featured image alt text",
}
SEVERITY_LABELS = {"block": "blocks", "warn": "warning", "info": "note"}
SEVERITIES: tuple[str, ...] = ("info", "warn", "block")
VERDICTS: tuple[str, ...] = ("pass", "warn", "block", "unavailable")

SEVERITY_RANK = {"info": 0, "warn": 1, "block": 2}


@dataclass(frozen=True)
class Finding:
    """One thing the check found.

    `start`/`end` are character offsets into the checked text (``text[start:end] == finding.text``).
    Document-level findings (length, gender-coded tone) have ``start == end == 0`` and empty text.
    """

    category: str
    label: str
    start: int
    end: int
    text: str
    severity: str
    score: float | None = None
    suggestions: list[str] = field(default_factory=list)
    rule: str = ""
    note: str = ""
    # Where the finding is (see FIELDS); offsets are into that field's text.
    field: str = "body"
    # What to do when no replacement is safe ("state the actual terms, or remove the claim").
    advice: str = ""
    # The acknowledgement an approval needs for it (policy.ACKNOWLEDGEMENTS key), or "".
    acknowledge: str = ""

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise ValueError(f"unknown field {self.field!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if not (0 <= self.start <= self.end):
            raise ValueError(f"bad span {self.start}..{self.end}")

    @property
    def document_level(self) -> bool:
        return self.start == self.end

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["suggestions"] = list(self.suggestions)
        return d


@dataclass(frozen=True)
class BackendStatus:
    """Whether one backend ran. `tier` says which role it plays: primary, optional, fallback, rules."""

    name: str
    status: str
    reason: str = ""
    tier: str = ""

    def __post_init__(self) -> None:
        if self.status not in ("ran", "unavailable", "skipped"):
            raise ValueError(f"unknown backend status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "reason": self.reason, "tier": self.tier}


@dataclass
class Report:
    verdict: str
    backends: list[BackendStatus] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    # What an approval must acknowledge (policy.required_acknowledgements), in policy order.
    acknowledgements: list[str] = field(default_factory=list)
    # The claim ledger a draft's check built (studio.claims.ledger entries), saved with the report
    # in the claims table; None when no ledger ran. Not part of the report's JSON.
    ledger: list[Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    def counts(self) -> dict[str, int]:
        """Number of findings per category (every category present, zeros included)."""
        out = {c: 0 for c in CATEGORIES}
        for f in self.findings:
            out[f.category] += 1
        return out

    def by_category(self, category: str) -> list[Finding]:
        return [f for f in self.findings if f.category == category]

    @property
    def toxicity_backend(self) -> str | None:
        """Name of the first toxicity backend that ran, if any."""
        for b in self.backends:
            if b.tier in ("primary", "optional", "fallback") and b.status == "ran":
                return b.name
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "backends": [b.to_dict() for b in self.backends],
            "findings": [f.to_dict() for f in self.findings],
            "acknowledgements": list(self.acknowledgements),
            "signals": dict(self.signals),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Inverse of `to_dict` (for reports read back from the database or a JSON file)."""
        backends = [
            BackendStatus(b["name"], b["status"], b.get("reason", ""), b.get("tier", ""))
            for b in data.get("backends", [])
        ]
        findings = [
            Finding(
                category=f["category"],
                label=f["label"],
                start=int(f["start"]),
                end=int(f["end"]),
                text=f.get("text", ""),
                severity=f["severity"],
                score=f.get("score"),
                suggestions=list(f.get("suggestions") or []),
                rule=f.get("rule", ""),
                note=f.get("note", ""),
                field=f.get("field") or "body",
                advice=f.get("advice", ""),
                acknowledge=f.get("acknowledge", ""),
            )
            for f in data.get("findings", [])
        ]
        return cls(
            data["verdict"], backends, findings, dict(data.get("signals") or {}),
            list(data.get("acknowledgements") or []),
        )
