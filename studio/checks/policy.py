"""The verdict policy, in one place.

* A model's toxicity score at or above ``studio_toxicity_block`` is a ``block`` finding; at or
  above ``studio_toxicity_warn`` a ``warn`` finding; below that, no finding.
* Any ``block`` finding makes the verdict ``block``.
* Otherwise, if no toxicity backend ran, the verdict is ``unavailable`` ("needs manual review"):
  a check that could not look for toxicity never passes content (fail closed). The same holds
  when one of the offline rule backends (bias, PII, claims, banned terms, quality) crashed.
* Otherwise any ``warn`` finding makes it ``warn``; ``info`` findings never change it; else ``pass``.

``block`` outranks ``unavailable`` because both keep the draft from passing and a block is the
more specific answer; ``unavailable`` outranks ``warn`` and ``pass`` because without a toxicity
check we cannot say the text is merely "warn".
"""

from __future__ import annotations

from collections.abc import Iterable

from studio.checks.report import BackendStatus, Finding

TOXICITY_TIERS = ("primary", "optional", "fallback")

#: What a person reads for each verdict.
VERDICT_LABELS = {
    "pass": "Passed",
    "warn": "Passed with warnings",
    "block": "Blocked",
    "unavailable": "Needs manual review",
}


def score_severity(score: float, *, warn: float, block: float) -> str | None:
    """Severity of a model score under the thresholds, or None when it is below both."""
    if score >= block:
        return "block"
    if score >= warn:
        return "warn"
    return None


def thresholds(settings) -> tuple[float, float]:
    """(warn, block) from settings; a warn threshold above block is clamped to block."""
    block = float(settings.studio_toxicity_block)
    warn = min(float(settings.studio_toxicity_warn), block)
    return warn, block


def toxicity_ran(backends: Iterable[BackendStatus]) -> bool:
    return any(b.tier in TOXICITY_TIERS and b.status == "ran" for b in backends)


def decide(
    findings: Iterable[Finding], backends: Iterable[BackendStatus], settings=None
) -> str:
    """The verdict for these findings and backend statuses (see module docstring)."""
    findings = list(findings)
    backends = list(backends)
    if settings is not None:
        warn, block = thresholds(settings)
    else:
        warn = block = None
    worst = "pass"
    for f in findings:
        sev = f.severity
        # Re-apply the thresholds to model scores so the verdict never depends on a backend
        # having set the severity right.
        if f.category == "toxicity" and f.score is not None and warn is not None:
            sev = score_severity(f.score, warn=warn, block=block) or sev
        if sev == "block":
            return "block"
        if sev == "warn":
            worst = "warn"
    if not toxicity_ran(backends) or any(b.tier == "rules" and b.status == "unavailable" for b in backends):
        return "unavailable"
    return worst
