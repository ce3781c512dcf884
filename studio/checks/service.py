"""Runs the checks on what a draft ships (the revision's text and the draft's publishing fields)
and stores the report with the revision.

The pipeline is slow next to a database write (a model is loaded and run), so it never runs
inside a write transaction: holding SQLite's write lock while it runs would make every other
writer wait for it. `run_checks` keeps its role (check a revision and the draft's fields, store
the report) and takes the report when the caller ran the pipeline beforehand (`check_text`; for a
draft's text `draft_checks`, read in a short read and run outside any transaction, which also
builds the claim ledger stored with the report); `check_after_commit` checks a revision added (or
fields changed) in the caller's transaction once that commits, and stores the report in a short
transaction of its own. A revision can have several reports (its fields changed later); the
latest one counts (``latest_report``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from studio.checks.pipeline import Extra, Report, check_draft, field_texts
from studio.claims.ledger import LedgerBackend, ledger_check
from studio.claims.ledger import store as store_ledger
from studio.config import Settings, get_settings
from studio.db import after_commit, session_scope
from studio.languages.checks import language_check
from studio.languages.fidelity import fidelity_check
from studio.models import CheckReport, Draft, DraftImage, Finding, Revision
from studio.voices.checking import voice_check
from studio.workspace.service import effective_settings

log = logging.getLogger(__name__)


def check_text(
    body: str, settings: Settings | None = None, *, target_words: int | None = None, language: str = "en",
    extras: Sequence[Extra] = (), fields: dict[str, str] | None = None,
) -> Report:  # fmt: skip
    """The pipeline on ``body`` and the publishing ``fields`` (`draft_fields`); touches no
    database. Call it outside any transaction, with the settings `settings_for_checks` read (a
    draft's text: `draft_checks`)."""
    return check_draft(body, fields or {}, settings or get_settings(), target_words=target_words, language=language,
                       extras=extras)  # fmt: skip


def settings_for_checks(session: Session, settings: Settings | None = None) -> Settings:
    """The settings a check runs under: the environment's, with the workspace's banned terms and
    allowed phrases (stored in the database by admins) over them."""
    return effective_settings(session, settings or get_settings())


def draft_fields(draft: Draft) -> dict[str, str]:
    """The publishing fields of ``draft`` as the texts the checks read."""
    return field_texts({
        "title": draft.title or "", "slug": draft.slug or "", "excerpt": draft.excerpt or "",
        "meta_description": draft.meta_description or "", "tags": list(draft.tags or []),
        "categories": list(draft.categories or []), "image_alt": _hero_alt(draft),
    })  # fmt: skip


def _hero_alt(draft: Draft) -> str:
    """The alt text of the draft's hero (featured) image, which ships with the post (studio/images)."""
    session = object_session(draft)
    if session is None or draft.id is None:
        return ""
    stmt = select(DraftImage.alt_text).where(DraftImage.draft_id == draft.id, DraftImage.slot == "hero")
    return session.scalar(stmt) or ""


@dataclass
class DraftChecks:
    """What a check of one draft needs, read in a short read (`draft_checks`): the settings with
    the workspace's lists, the draft's language, length and publishing fields, and the draft's
    own backends: its brand voice's rules, the output language, what a localised draft must keep,
    the claim ledger with the passages the draft was written from (studio/voices,
    studio/languages, studio/claims). `run` touches no database: call it outside any
    transaction."""

    settings: Settings
    target_words: int | None
    language: str
    extras: list[Extra]
    ledger: LedgerBackend
    fields: dict[str, str]

    def run(self, body: str, fields: dict[str, str] | None = None) -> Report:
        report = check_text(body, self.settings, target_words=self.target_words, language=self.language,
                            extras=self.extras, fields=self.fields if fields is None else fields)  # fmt: skip
        report.ledger = self.ledger.entries  # stored with the report (`store_report`)
        return report


def draft_checks(session: Session, draft: Draft, settings: Settings | None = None) -> DraftChecks:
    settings = settings_for_checks(session, settings)
    language = draft.language or "en"
    ledger = ledger_check(session, draft, settings)
    extras = [voice_check(session, draft), language_check(language, settings), fidelity_check(session, draft)]
    extras = [e for e in extras if e is not None]
    extras.append((ledger.name, ledger))
    return DraftChecks(settings, draft.target_words, language, extras, ledger, draft_fields(draft))


def run_checks(
    session: Session,
    draft: Draft,
    revision: Revision,
    settings: Settings | None = None,
    *,
    report: Report | None = None,
    fields: dict[str, str] | None = None,
) -> CheckReport:
    """Check ``revision``'s text and ``draft``'s publishing fields (or ``fields``) and store the
    report; or take ``report``, the pipeline's result for them run before the transaction. The
    draft's verdict follows it when ``revision`` is the current one."""
    if report is None:
        report = draft_checks(session, draft, settings).run(revision.body, fields)
    return store_report(session, draft, revision, report)


def store_report(session: Session, draft: Draft, revision: Revision, report: Report) -> CheckReport:
    row = CheckReport(
        revision_id=revision.id,
        verdict=report.verdict,
        backends=[
            {"name": b.name, "status": b.status, "reason": b.reason, "tier": getattr(b, "tier", "")}
            for b in report.backends
        ],
        signals=dict(report.signals or {}),
    )
    row.findings = [
        Finding(
            category=f.category,
            label=f.label,
            start=f.start,
            end=f.end,
            text=f.text,
            severity=f.severity,
            score=f.score,
            suggestions=list(f.suggestions or []),
            rule=f.rule or "",
            note=f.note or "",
            field=f.field,
            advice=f.advice or "",
            acknowledge=f.acknowledge or "",
        )
        for f in report.findings
    ]
    session.add(row)
    if report.ledger is not None:
        store_ledger(session, draft, revision, report.ledger)
    if draft.current_revision_id in (None, revision.id):
        # The verdict the queue filters on. Written without the draft's version: a check is not
        # a change anyone made, so nobody's open view of the draft goes stale because of it.
        session.execute(
            update(Draft)
            .where(Draft.id == draft.id)
            .values(check_verdict=report.verdict)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(draft, "check_verdict", report.verdict)
    session.flush()
    return row


def check_after_commit(
    session: Session, draft: Draft, revision: Revision, settings: Settings | None = None
) -> None:
    """Check ``revision`` once the caller's transaction has committed, and store its report in a
    short transaction of its own; the publishing fields checked with it are the draft's as
    committed. Until then (or if storing fails) the revision has no report,
    which reads as "needs manual review", never as passed; submitting checks again anyway."""
    engine = session.get_bind()
    draft_id, revision_id, body = draft.id, revision.id, revision.body
    plan = draft_checks(session, draft, settings)  # read now, in the caller's transaction

    def run() -> None:
        try:  # the publishing fields as committed (the caller may change them after this call)
            with session_scope(engine, read_only=True) as s:
                stored = s.get(Draft, draft_id)
                fields = draft_fields(stored) if stored is not None else {}
        except Exception:  # noqa: BLE001 - unchecked until the next check (fail closed)
            log.warning("the fields of draft %s could not be read for its checks", draft_id, exc_info=True)
            return
        report = plan.run(body, fields)
        try:
            with session_scope(engine) as s:
                stored_draft, stored_revision = s.get(Draft, draft_id), s.get(Revision, revision_id)
                if stored_draft is not None and stored_revision is not None:
                    store_report(s, stored_draft, stored_revision, report)
        except Exception:  # noqa: BLE001 - the revision is saved; it stays unchecked (fail closed)
            log.warning("the report of revision %s could not be stored", revision_id, exc_info=True)

    after_commit(session, run)


def latest_report(session: Session, revision_id: int) -> CheckReport | None:
    return session.scalars(
        select(CheckReport)
        .where(CheckReport.revision_id == revision_id)
        .order_by(CheckReport.id.desc())
        .limit(1)
    ).first()
