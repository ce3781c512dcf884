"""Shared by the toxicity backends: the labels, the advice per label, and model scores turned
into findings under the policy's thresholds."""

from __future__ import annotations

from studio.checks.policy import score_severity, thresholds
from studio.checks.report import Finding
from studio.checks.text import Span

# Detoxify's labels that are toxicity (the "unbiased" model also predicts identity mentions such
# as "female" or "muslim"; those are not findings).
TOXIC_LABELS = (
    "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit",
)
# Advice per label (goes in the note; model findings have no replacement suggestions).
LABEL_ADVICE = {
    "toxicity": "Rephrase in a neutral tone.",
    "severe_toxicity": "Remove the sentence.",
    "obscene": "Remove the profanity.",
    "threat": "Remove the threat.",
    "insult": "Remove the insult; criticise the idea, not the person.",
    "identity_attack": "Remove the attack on a group.",
    "sexual_explicit": "Remove the sexual content.",
    "profanity": "Remove the profanity or insult.",
    "violence": "Remove the violent description.",
    "self_harm": "Remove the self-harm content, or add support resources if the topic is intended.",
    "sexual_minors": "Remove the sentence.",
    "illicit": "Remove the instructions for wrongdoing.",
}

class BackendUnavailable(Exception):
    """A backend cannot run; the message is the reason shown to users."""


def findings_from_scores(
    spans: list[Span], rows: list[dict[str, float]], *, labels, settings, rule_prefix: str, note: str,
    flagged: list[set[str]] | None = None,
) -> list[Finding]:
    warn, block = thresholds(settings)
    out: list[Finding] = []
    for i, (sp, row) in enumerate(zip(spans, rows)):
        for label in labels:
            if label not in row:
                continue
            score = row[label]
            sev = score_severity(score, warn=warn, block=block)
            if sev is None and flagged and label in flagged[i]:
                sev = "warn"
            if sev is None:
                continue
            out.append(
                Finding(
                    category="toxicity", label=label, start=sp.start, end=sp.end, text=sp.text,
                    severity=sev, score=round(score, 4),
                    suggestions=[],
                    rule=f"{rule_prefix}.{label}",
                    note=note.format(label=label, score=score) + " " + LABEL_ADVICE.get(label, "Rephrase."),
                )
            )
    return out
