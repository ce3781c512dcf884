"""The claim ledger of one revision: built when its checks run, stored with it, and the findings
it adds to the check report.

* Every claim (``extract``, plus the model's where configured) is linked to the passage of the
  draft's sources that supports it (``support``), or marked unsupported.
* Findings: a ``[NEEDS SOURCE]`` mark left in the text (warn: a placeholder must not be
  published); for news, an unsupported quotation or figure (block: a news piece does not carry an
  unsourced quote or number). Everything else is settled at approval, where the editor
  acknowledges each claim that is not supported (``claims.service``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from studio.checks.report import Finding
from studio.claims.extract import KIND_LABELS, RULE_LANGUAGES, FoundClaim, find_claims
from studio.claims.model import model_claims
from studio.claims.support import Candidate, Support, best_support
from studio.config import Settings
from studio.languages.catalog import names
from studio.models import Claim, Draft, Revision
from studio.sources.citations import labels_in
from studio.sources.service import draft_passages

#: In news, these kinds of claim block the draft when nothing supports them.
NEWS_BLOCKING = ("quote", "percentage", "figure")
COVERAGE = f"claim rules in {names(RULE_LANGUAGES)}"


@dataclass(frozen=True)
class Entry:
    claim: FoundClaim
    support: Support
    method: str  # rules | model


def build(text: str, passages: Sequence[Candidate], *, extra: Sequence[FoundClaim] = ()) -> list[Entry]:
    """The ledger of ``text`` against ``passages`` (pure)."""
    found = [(c, "rules") for c in find_claims(text)]
    taken = [(c.start, c.end) for c, _ in found]
    for c in extra:
        if not any(a < c.end and c.start < b for a, b in taken):
            found.append((c, "model"))
            taken.append((c.start, c.end))
    found.sort(key=lambda p: p[0].start)
    return [Entry(c, best_support(c, passages, labels_in(_with_trailing_marks(text, c))), method) for c, method in found]


def _with_trailing_marks(text: str, claim: FoundClaim) -> str:
    """The claim and any citation marks right after it ("… in 2024. [S1]")."""
    after = re.match(r"(?:\s*\[S\d+(?:\s*[,;]\s*S\d+)*\])+", text[claim.end :])
    return claim.text + (after.group(0) if after else "")


def findings(entries: Sequence[Entry], content_type: str) -> list[Finding]:
    out: list[Finding] = []
    for e in entries:
        c = e.claim
        if "needs-source" in c.kinds:
            at = c.text.find("[NEEDS SOURCE]")
            out.append(Finding(
                "claims", "needs source", c.start + at, c.start + at + len("[NEEDS SOURCE]"), "[NEEDS SOURCE]", "warn",
                rule="claims.needs_source",
                note="The writer found no source for a fact here. Add a sourced fact or remove the sentence before publishing.",
            ))  # fmt: skip
        elif content_type == "news" and e.support.level != "supported" and set(c.kinds) & set(NEWS_BLOCKING):
            kind = next(k for k in NEWS_BLOCKING if k in c.kinds)
            out.append(Finding(
                "claims", f"unsourced {KIND_LABELS[kind].lower()}", c.start, c.end, c.text, "block",
                rule=f"claims.news_{kind}",
                note=f"News does not publish a {KIND_LABELS[kind].lower()} no source supports ({e.support.level}). "
                     + e.support.note,
            ))  # fmt: skip
    return out


def candidates(session: Session, draft_id: int) -> list[Candidate]:
    return [Candidate(p.label, p.text, p.source_id, p.title) for p in draft_passages(session, draft_id)]


def store(session: Session, draft: Draft, revision: Revision, entries: Sequence[Entry]) -> None:
    """The revision's ledger, replacing one an earlier run of its checks stored."""
    session.execute(delete(Claim).where(Claim.revision_id == revision.id))
    session.add_all(
        Claim(draft_id=draft.id, revision_id=revision.id, ordinal=i, text=e.claim.text, start=e.claim.start,
              end=e.claim.end, kind=e.claim.kind, kinds=list(e.claim.kinds), support=e.support.level,
              score=e.support.score, label=e.support.label, source_id=e.support.source_id,
              passage=e.support.passage, method=e.method, note=e.support.note)  # fmt: skip
        for i, e in enumerate(entries, start=1)
    )
    session.flush()


class LedgerBackend:
    """The ledger as a rule backend of one check of a draft: ``(name, fn(text) -> findings)``.

    The draft's passages are read beforehand, in a short read (`ledger_check`); running it builds
    the ledger (the model lists claims too, where configured) and touches no database, so it runs
    outside any write transaction with the rest of the checks. ``entries`` keeps the ledger for
    `store`, which saves it with the report; it stays None when the run failed (the pipeline then
    reports the backend unavailable, and the check fails closed).
    """

    name = "claim-ledger"

    def __init__(self, passages: Sequence[Candidate], content_type: str, settings: Settings,
                 failure: Exception | None = None) -> None:  # fmt: skip
        self.passages, self.content_type, self.settings, self.failure = list(passages), content_type, settings, failure
        self.entries: list[Entry] | None = None

    def __call__(self, text: str) -> list[Finding]:
        if self.failure is not None:
            raise self.failure
        extra = model_claims(text, self.settings) if self.settings.studio_claims_extraction == "model" else []
        self.entries = build(text, self.passages, extra=extra)
        return findings(self.entries, self.content_type)


def ledger_check(session: Session, draft: Draft, settings: Settings) -> LedgerBackend:
    """The draft's ledger backend, with the passages its sources gave the writer read now."""
    try:
        return LedgerBackend(candidates(session, draft.id), draft.content_type, settings)
    except Exception as exc:  # noqa: BLE001 - reported by the pipeline as an unavailable backend
        return LedgerBackend((), draft.content_type, settings, failure=exc)
