"""The verdict policy, in one place: :data:`POLICY`, one row per kind of finding.

Every finding is matched against the rows in order; the first row that matches decides what the
finding counts as (its severity) and which acknowledgement an approval needs for it. The verdict
is then:

* ``block`` when any finding counts as a block (an editor approves only with a written reason);
* otherwise ``unavailable`` ("needs manual review") when no toxicity backend ran or a rule
  backend crashed: a check that could not look never passes content (fail closed). ``block``
  outranks it because both keep the draft from passing and a block is the more specific answer;
* otherwise ``warn`` when any finding counts as a warning: approving it needs the editor to tick
  every warned category (:data:`ACKNOWLEDGEMENTS`), recorded in the audit trail;
* otherwise ``pass``. Notes (severity ``info``: quality, tone, minor wording) are shown and never
  count.

The Settings page and ``docs/verdict-policy.md`` show this table (:func:`policy_rows`,
:func:`policy_markdown`); a test keeps the document equal to the table and tests every row.
More acknowledgement kinds (an unsupported-claims ledger, say) join by adding a key to
:data:`ACKNOWLEDGEMENTS` and a row that names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from studio.checks.report import BackendStatus, Finding

TOXICITY_TIERS = ("primary", "optional", "fallback")

#: What a person reads for each verdict.
VERDICT_LABELS = {
    "pass": "Passed",
    "warn": "Warnings to acknowledge",
    "block": "Blocked",
    "unavailable": "Needs manual review",
}
OUTCOME_LABELS = {"block": "Blocks", "warn": "Warns", "info": "Note only", "unavailable": "Needs manual review"}


@dataclass(frozen=True)
class Acknowledgement:
    """One box an editor ticks to approve a draft with warnings of this kind."""

    key: str
    label: str  # the tick box: "Claims checked"
    meaning: str  # what ticking it says


ACKNOWLEDGEMENTS: dict[str, Acknowledgement] = {
    a.key: a
    for a in (
        Acknowledgement("tone", "Tone checked",
                        "The sentences the toxicity model flagged are acceptable in context."),
        Acknowledgement("claims", "Claims checked",
                        "Every guarantee, number, percentage and superlative is true and can be backed up."),
        Acknowledgement("contact", "Contact details are meant to be public",
                        "Every e-mail address and phone number in the piece may be published."),
        Acknowledgement("personal-data", "Personal data is meant to be public",
                        "The IP addresses and similar details in the piece may be published."),
        Acknowledgement("wording", "Wording checked",
                        "The flagged wording is intended and fits the audience."),
        Acknowledgement("voice", "Brand voice checked",
                        "The terms the brand voice avoids, and the language the brief asked for, are "
                        "right here as written."),
        Acknowledgement("hidden-characters", "Invisible characters are meant to be there",
                        "Every invisible character the checks found (zero-width, direction controls) "
                        "is there on purpose."),
    )
}  # fmt: skip


@dataclass(frozen=True)
class PolicyRow:
    """One kind of finding and what it counts as.

    A finding matches when its category is ``category`` and its rule id matches one of ``rules``
    (shell patterns; empty: any rule of the category). Toxicity rows match on the model's score
    instead: ``score`` ``"block"`` / ``"warn"`` means at or above that threshold (settings).
    """

    id: str
    what: str  # the kind of finding, as a person reads it
    examples: str
    category: str
    outcome: str  # block | warn | info
    rules: tuple[str, ...] = ()
    score: str | None = None
    acknowledge: str | None = None  # ACKNOWLEDGEMENTS key, for warn rows

    def matches(self, f: Finding, warn: float, block: float) -> bool:
        if f.category != self.category:
            return False
        if self.score is not None:
            if f.score is None:
                return False
            return f.score >= (block if self.score == "block" else warn)
        return not self.rules or any(fnmatchcase(f.rule, pattern) for pattern in self.rules)

    @property
    def to_approve(self) -> str:
        if self.outcome == "block":
            return "An editor's written override reason"
        if self.outcome == "warn":
            return f"Tick “{ACKNOWLEDGEMENTS[self.acknowledge].label}”" if self.acknowledge else "—"
        return "Nothing (shown as a note)"


_MINOR_WORDING = (
    "ableist.sanity_check", "age.senior_citizens", "condescending.obviously", "condescending.simply",
    "condescending.actually", "gendered.he_or_she", "gendered.freshman", "lgbtq.pronouns", "race.whitewash",
)  # fmt: skip

#: The one verdict table. First matching row wins; every finding matches some row (the last row of
#: each category takes what the rows above it left).
POLICY: tuple[PolicyRow, ...] = (
    PolicyRow("toxicity-block", "Toxic language, model score at or above the block threshold",
              "insults, threats, obscenity", "toxicity", "block", score="block"),
    PolicyRow("toxicity-warn", "Toxic language, model score at or above the warn threshold",
              "rude or hostile sentences", "toxicity", "warn", score="warn", acknowledge="tone"),
    PolicyRow("toxicity-flagged", "Toxic language flagged by OpenAI moderation below the thresholds",
              "a sentence OpenAI flags as harassment", "toxicity", "warn", rules=("openai.*",),
              acknowledge="tone"),
    PolicyRow("banned", "Terms on the workspace's banned list", "competitor names, legal no-go words",
              "banned", "block"),
    PolicyRow("slurs", "Slurs", "slurs against disabled or LGBTQ+ people", "bias", "block", rules=("*.slur",)),
    PolicyRow("secret-numbers", "Payment card and social security numbers", "4111 1111 1111 1111, 123-45-6789",
              "pii", "block", rules=("pii.payment-card", "pii.ssn")),
    PolicyRow("financial-returns", "Guarantees of financial returns", "“guaranteed returns”, “double your money”, "
              "“get rich quick”", "claims", "block", rules=("claims.financial_returns",)),
    PolicyRow("risk-free-investment", "“Risk-free” investments and returns", "“risk-free returns”, "
              "“a risk-free investment”", "claims", "block", rules=("claims.risk_free_investment",)),
    PolicyRow("health-cure", "Health cures and weight-loss promises", "“cures arthritis”, “lose 10 kg in a week”",
              "claims", "block", rules=("claims.cures", "claims.weight_loss")),
    PolicyRow("own-contact", "E-mail addresses on the workspace's own domains (STUDIO_OWN_DOMAINS)",
              "press@ourcompany.com", "pii", "info", rules=("pii.email-own-domain",)),
    PolicyRow("personal-contact", "Personal contact details: e-mail addresses on other domains, phone numbers",
              "bob@gmail.com, +44 20 7946 0958", "pii", "warn", rules=("pii.email", "pii.phone"),
              acknowledge="contact"),
    PolicyRow("personal-data", "Other personal data: IP addresses", "203.0.113.7", "pii", "warn",
              acknowledge="personal-data"),
    PolicyRow("news-unsourced", "News: a quote or figure no source supports (the claim ledger)",
              "a quoted sentence or “12%” in a news article with no passage behind it", "claims", "block",
              rules=("claims.news_*",)),
    PolicyRow("needs-source", "Facts the writer marked [NEEDS SOURCE], citations a localised draft lost",
              "“[NEEDS SOURCE]”", "claims", "warn", rules=("claims.needs_source", "claims.citation_lost"),
              acknowledge="claims"),
    PolicyRow("percentages", "Percentages and numeric comparisons", "“100%”, “50% faster”, “3x more sales”",
              "claims", "warn", rules=("claims.percentage", "claims.percent_better"), acknowledge="claims"),
    PolicyRow("superlatives", "Unsupported superlatives", "“#1”, “best in class”, “fastest”, “market-leading”",
              "claims", "warn", rules=("claims.number_one", "claims.hash_one"), acknowledge="claims"),
    PolicyRow("free", "“Free” with an intensifier", "“totally free”, “free forever”", "claims", "info",
              rules=("claims.free",)),
    PolicyRow("claims", "Other guarantees, promises and proof claims",
              "“guarantee”, “risk-free”, “clinically proven”, “never fails”", "claims", "warn",
              acknowledge="claims"),
    PolicyRow("minor-wording", "Minor wording notes", "“obviously”, “simply”, “he or she”, “senior citizens”",
              "bias", "info", rules=_MINOR_WORDING),
    PolicyRow("wording", "Biased or exclusionary wording", "“chairman”, “guys”, “crazy”, “the elderly”", "bias",
              "warn", acknowledge="wording"),
    PolicyRow("voice-style", "Brand voice style notes: spelling variety, Oxford comma, headline case",
              "“colour” in a US-spelling voice", "voice", "info",
              rules=("voice.spelling.*", "voice.oxford_comma", "voice.headline_case")),
    PolicyRow("voice-terms", "Terms the brand voice avoids or replaces, terms a localised draft must keep",
              "“users” where the voice says “customers”", "voice", "warn", acknowledge="voice"),
    PolicyRow("language", "Text in another language than the brief asked for", "a German paragraph in an "
              "English post", "language", "warn", acknowledge="voice"),
    PolicyRow("tone", "Gender-coded tone (Gaucher, Friesen & Kay 2011)", "many more masculine- than "
              "feminine-coded words", "tone", "info"),
    PolicyRow("invisible-characters", "Invisible characters that can hide words or reorder the text",
              "a zero-width space inside a word, a right-to-left override", "quality", "warn",
              rules=("quality.invisible_character",), acknowledge="hidden-characters"),
    PolicyRow("quality", "Quality notes: repetition, length against the brief, readability",
              "a phrase used three times", "quality", "info"),
)  # fmt: skip

#: The last line of the table: not a finding, a check that could not run.
UNAVAILABLE_ROW = (
    "unavailable", "A check that could not run: no toxicity backend, or a rule backend failed",
    "Detoxify missing and no fallback", "unavailable",
)


def score_severity(score: float, *, warn: float, block: float) -> str | None:
    """Severity of a model score under the thresholds, or None when it is below both."""
    if score >= block:
        return "block"
    if score >= warn:
        return "warn"
    return None


def thresholds(settings) -> tuple[float, float]:
    """(warn, block) from settings; a warn threshold above block is clamped to block."""
    if settings is None:
        return 0.5, 0.8
    block = float(settings.studio_toxicity_block)
    warn = min(float(settings.studio_toxicity_warn), block)
    return warn, block


def row_for(f: Finding, warn: float, block: float) -> PolicyRow | None:
    for row in POLICY:
        if row.matches(f, warn, block):
            return row
    return None


def classify(f: Finding, settings=None) -> Finding:
    """``f`` with the severity and acknowledgement its policy row gives it.

    A toxicity finding below both thresholds keeps the severity its backend gave (OpenAI's own
    "flagged" is a warning); a finding no row matches keeps its own severity."""
    warn, block = thresholds(settings)
    row = row_for(f, warn, block)
    if row is None:
        return f
    ack = (row.acknowledge or "") if row.outcome == "warn" else ""
    if f.severity == row.outcome and f.acknowledge == ack:
        return f
    return replace(f, severity=row.outcome, acknowledge=ack)


def toxicity_ran(backends: Iterable[BackendStatus]) -> bool:
    return any(b.tier in TOXICITY_TIERS and b.status == "ran" for b in backends)


def decide(findings: Iterable[Finding], backends: Iterable[BackendStatus], settings=None) -> str:
    """The verdict for these findings and backend statuses (see the module docstring)."""
    findings = [classify(f, settings) for f in findings]
    backends = list(backends)
    if any(f.severity == "block" for f in findings):
        return "block"
    if not toxicity_ran(backends) or any(b.tier == "rules" and b.status == "unavailable" for b in backends):
        return "unavailable"
    if any(f.severity == "warn" for f in findings):
        return "warn"
    return "pass"


def required_acknowledgements(findings: Iterable[Finding]) -> list[str]:
    """The acknowledgement keys that approving these findings needs, in table order."""
    wanted = {f.acknowledge for f in findings if f.severity == "warn" and f.acknowledge}
    return [k for k in ACKNOWLEDGEMENTS if k in wanted] + sorted(wanted - set(ACKNOWLEDGEMENTS))


def acknowledgement_label(key: str) -> str:
    ack = ACKNOWLEDGEMENTS.get(key)
    return ack.label if ack else key


def policy_rows(settings=None) -> list[dict[str, str]]:
    """The table as a person reads it (Settings page, docs): one dict per row, plus the
    "could not run" line."""
    warn, block = thresholds(settings)
    out = []
    for row in POLICY:
        what = row.what
        if row.score == "block":
            what += f" ({block:g})"
        elif row.score == "warn":
            what = what.replace("warn threshold", f"warn threshold ({warn:g})")
        out.append({
            "Kind of finding": what,
            "Examples": row.examples,
            "Verdict": OUTCOME_LABELS[row.outcome],
            "To approve": row.to_approve,
        })  # fmt: skip
    _id, what, examples, outcome = UNAVAILABLE_ROW
    out.append({
        "Kind of finding": what, "Examples": examples, "Verdict": OUTCOME_LABELS[outcome],
        "To approve": "Tick “I reviewed this manually”",
    })  # fmt: skip
    return out


def policy_markdown(settings=None) -> str:
    """The table in Markdown (``docs/verdict-policy.md`` holds it for the default thresholds)."""
    rows = policy_rows(settings)
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(r[h].replace("|", "\\|") for h in heads) + " |" for r in rows]
    return "\n".join(lines) + "\n"
