"""Prompt versions: added by editors, tested on a share of new drafts, promoted or retired, and
measured by what happened to the drafts written with them.

- Every content type has one **live** version (version 1: the built-in templates, seeded by the
  migration). A new version starts **not in use**; ``split`` gives it a share of new drafts (it is
  then **under test**), ``promote`` makes it the live one (the previous live version stays, not in
  use), ``retire`` takes it out of use for good (the live version cannot be retired: promote
  another first). Each change is audited.
- ``prompt_for_new_draft`` picks the version a new draft is written with, at the configured
  shares; the draft records it (``drafts.prompt_version_id``), and more of that draft (a section
  again, variants, revise turns) is written with the same version (``draft_prompt``).
- ``stats``: per version, the outcomes of its drafts (see ``docs/prompts.md``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.drafting.brief import CONTENT_TYPES
from studio.drafting.prompts import default_human, default_system
from studio.errors import InputError, NotFound, StudioError
from studio.feedback.rules import edit_size
from studio.feedback.service import first_generated
from studio.models import AuditEvent, CheckReport, Draft, Finding, PromptVersion, Revision, User
from studio.prompts import rules
from studio.prompts.schemas import PromptTemplate, VersionStats, VersionView
from studio.tables.base import utcnow
from studio.validation import problem as text_problem

VIEW = "prompts.view"
MANAGE = "prompts.manage"
APPROVED = ("approved", "exported")
REJECTED = "rejected"

_random = random.SystemRandom()


class PromptVersionError(StudioError):
    """A change a version's state does not allow: the message says why and what to do."""


def _content_type(content_type: str) -> str:
    if content_type not in CONTENT_TYPES:
        raise InputError({"type": f"Unknown content type {content_type!r}; choose {', '.join(CONTENT_TYPES)}."})
    return content_type


def _versions(session: Session, content_type: str) -> list[PromptVersion]:
    return list(session.scalars(
        select(PromptVersion).where(PromptVersion.content_type == content_type).order_by(PromptVersion.number)
    ))  # fmt: skip


def _live(versions: list[PromptVersion]) -> PromptVersion | None:
    return next((v for v in versions if v.status == rules.LIVE), None)


def _testing(versions: list[PromptVersion]) -> list[tuple[int, float]]:
    return [(v.id, v.share) for v in versions if v.status == rules.CANDIDATE and v.share > 0]


def _get(session: Session, content_type: str, number: int) -> PromptVersion:
    found = session.scalars(
        select(PromptVersion).where(PromptVersion.content_type == content_type, PromptVersion.number == number)
    ).first()
    if found is None:
        raise NotFound(f"There is no version {number} of the {CONTENT_TYPES[content_type].lower()} prompt.")
    return found


def _view(v: PromptVersion, share: float, drafts: int, author: str | None) -> VersionView:
    status = rules.status_of(v.status, v.share)
    return VersionView(
        id=v.id, content_type=v.content_type, number=v.number, label=v.label, status=status,
        status_label=rules.STATUS_LABELS[status], share=share, note=v.note, created_by=author,
        created_at=v.created_at, promoted_at=v.promoted_at, retired_at=v.retired_at, drafts=drafts,
        sha256=rules.fingerprint(v.system, v.human), system=v.system, human=v.human,
    )  # fmt: skip


def _views(session: Session, versions: list[PromptVersion]) -> list[VersionView]:
    ids = [v.id for v in versions]
    counts: dict[int, int] = dict(session.execute(
        select(Draft.prompt_version_id, func.count()).where(Draft.prompt_version_id.in_(ids))
        .group_by(Draft.prompt_version_id)
    ).all()) if ids else {}  # fmt: skip
    authors = {u.id: u.name for u in session.scalars(
        select(User).where(User.id.in_({v.created_by_id for v in versions if v.created_by_id}))
    )}  # fmt: skip
    out = []
    for content_type in dict.fromkeys(v.content_type for v in versions):
        of_type = [v for v in versions if v.content_type == content_type]
        testing = _testing(of_type)
        live_share = rules.live_share(testing)
        for v in of_type:
            share = live_share if v.status == rules.LIVE else (v.share if v.status == rules.CANDIDATE else 0.0)
            out.append(_view(v, share, int(counts.get(v.id, 0)), authors.get(v.created_by_id or -1)))
    return out


def _view_of(session: Session, version: PromptVersion) -> VersionView:
    """One version as people see it (its share depends on the others of its type)."""
    return next(v for v in _views(session, _versions(session, version.content_type)) if v.id == version.id)


def list_versions(session: Session, actor: Any, content_type: str | None = None) -> list[VersionView]:
    """Every version (of one content type, or of all), by content type and number."""
    authorize(session, actor, VIEW)
    stmt = select(PromptVersion).order_by(PromptVersion.content_type, PromptVersion.number)
    if content_type is not None:
        stmt = stmt.where(PromptVersion.content_type == _content_type(content_type))
    return _views(session, list(session.scalars(stmt)))


def get_version(session: Session, actor: Any, content_type: str, number: int) -> VersionView:
    authorize(session, actor, VIEW)
    return _view_of(session, _get(session, _content_type(content_type), number))


def add_version(
    session: Session, actor: Any, content_type: str, *, system: str | None = None, human: str | None = None,
    label: str = "", note: str = "",
) -> VersionView:
    """A new version, not in use yet. A template not given is the live version's (so a file with
    only a system prompt keeps the brief message as it is). InputError names every problem."""
    actor = authorize(session, actor, MANAGE)
    content_type = _content_type(content_type)
    versions = _versions(session, content_type)
    live = _live(versions)
    system = system if system is not None else (live.system if live else default_system(content_type))
    human = human if human is not None else (live.human if live else default_human())
    problems: dict[str, str] = {}
    for key, value, what in (("system", system, "The system prompt"), ("human", human, "The brief message")):
        found = text_problem(value, what) or " ".join(rules.template_problems(value, what))
        if found:
            problems[key] = found
    label = (label or "").strip()
    if len(label) > rules.LABEL_MAX_CHARS:
        problems["label"] = f"The label is {len(label)} characters long; at most {rules.LABEL_MAX_CHARS} are allowed."
    for key, value, what in (("label", label, "The label"), ("note", note, "The note")):
        found = text_problem(value, what)
        if found:
            problems[key] = found
    if problems:
        raise InputError(problems)
    same = next((v for v in versions if (v.system, v.human) == (system, human)), None)
    if same is not None:
        raise PromptVersionError(
            f"Version {same.number} of the {CONTENT_TYPES[content_type].lower()} prompt already has exactly "
            "this text; nothing was added."
        )
    version = PromptVersion(
        content_type=content_type, number=max((v.number for v in versions), default=0) + 1, label=label,
        system=system, human=human, status=rules.CANDIDATE, share=0.0, note=note or "", created_by_id=actor.id,
    )  # fmt: skip
    session.add(version)
    session.flush()
    record(session, actor, "prompts.added", comment=label,
           data={"content_type": content_type, "version": version.number,
                 "sha256": rules.fingerprint(system, human)})  # fmt: skip
    return _view_of(session, version)


def split(session: Session, actor: Any, content_type: str, number: int, share: float) -> VersionView:
    """Version ``number`` takes ``share`` of new drafts of its type (0 stops its test); the live
    version keeps the rest."""
    actor = authorize(session, actor, MANAGE)
    content_type = _content_type(content_type)
    version = _get(session, content_type, number)
    if version.status == rules.LIVE:
        raise PromptVersionError(
            f"Version {number} is the live version: it already gets every new draft the versions under "
            "test do not take. Give a share to another version instead."
        )
    if version.status == rules.RETIRED:
        raise PromptVersionError(f"Version {number} is retired; add it again as a new version to test it.")
    others = sum(s for vid, s in _testing(_versions(session, content_type)) if vid != version.id)
    problem = rules.share_problem(share, others)
    if problem:
        raise InputError({"share": problem})
    before, version.share = version.share, float(share)
    session.flush()
    record(session, actor, "prompts.split",
           data={"content_type": content_type, "version": number, "share": float(share), "previous_share": before})
    return _view_of(session, version)


def promote(session: Session, actor: Any, content_type: str, number: int) -> VersionView:
    """Version ``number`` becomes the live one; the previous live version stays, not in use."""
    actor = authorize(session, actor, MANAGE)
    content_type = _content_type(content_type)
    version = _get(session, content_type, number)
    if version.status == rules.LIVE:
        raise PromptVersionError(f"Version {number} is already the live version.")
    previous = _live(_versions(session, content_type))
    now = utcnow()
    if previous is not None:
        previous.status, previous.share = rules.CANDIDATE, 0.0
    version.status, version.share, version.promoted_at, version.retired_at = rules.LIVE, 0.0, now, None
    session.flush()
    record(session, actor, "prompts.promoted",
           data={"content_type": content_type, "version": number,
                 "previous": previous.number if previous is not None else None})  # fmt: skip
    return _view_of(session, version)


def retire(session: Session, actor: Any, content_type: str, number: int) -> VersionView:
    """Version ``number`` gets no more drafts; its drafts and figures stay."""
    actor = authorize(session, actor, MANAGE)
    content_type = _content_type(content_type)
    version = _get(session, content_type, number)
    if version.status == rules.LIVE:
        raise PromptVersionError(
            f"Version {number} is the live version, so it cannot be retired: promote another version first."
        )
    if version.status == rules.RETIRED:
        raise PromptVersionError(f"Version {number} is already retired.")
    version.status, version.share, version.retired_at = rules.RETIRED, 0.0, utcnow()
    session.flush()
    record(session, actor, "prompts.retired", data={"content_type": content_type, "version": number})
    return _view_of(session, version)


# --- the writer's side ----------------------------------------------------------------------


def _template(v: PromptVersion) -> PromptTemplate:
    return PromptTemplate(version_id=v.id, content_type=v.content_type, number=v.number, system=v.system, human=v.human)


def prompt_for_new_draft(
    session: Session, content_type: str, draw: Callable[[], float] = _random.random
) -> PromptTemplate | None:
    """The version a new draft of ``content_type`` is written with, picked at the configured
    shares (``draw``: a uniform random number in [0, 1)). None: no version is stored for the
    type, so the built-in templates apply."""
    versions = _versions(session, content_type)
    live = _live(versions)
    testing = _testing(versions)
    if live is None and not testing:
        return None
    chosen_id = rules.pick(live.id if live is not None else testing[-1][0], testing, draw())
    return _template(next(v for v in versions if v.id == chosen_id))


def draft_prompt(session: Session, version_id: int | None) -> PromptTemplate | None:
    """The version a draft was written with (for more of that draft), whatever its state now."""
    if version_id is None:
        return None
    version = session.get(PromptVersion, version_id)
    return _template(version) if version is not None else None


# --- outcomes --------------------------------------------------------------------------------


def _approved_at(session: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    return dict(session.execute(
        select(AuditEvent.draft_id, func.max(AuditEvent.created_at))
        .where(AuditEvent.action == "review.approve", AuditEvent.draft_id.in_(ids))
        .group_by(AuditEvent.draft_id)
    ).all())  # fmt: skip


def _findings(session: Session, revision_ids: list[int]) -> dict[int, int]:
    """Findings of each revision's latest check report."""
    if not revision_ids:
        return {}
    latest = (
        select(CheckReport.revision_id, func.max(CheckReport.id).label("report_id"))
        .where(CheckReport.revision_id.in_(revision_ids))
        .group_by(CheckReport.revision_id)
        .subquery()
    )
    stmt = (
        select(latest.c.revision_id, func.count(Finding.id))
        .select_from(latest)
        .join(Finding, Finding.report_id == latest.c.report_id, isouter=True)
        .group_by(latest.c.revision_id)
    )
    return {rid: int(n) for rid, n in session.execute(stmt).all()}


def _stats_of(session: Session, view: VersionView) -> VersionStats:
    drafts = list(session.scalars(
        select(Draft).where(Draft.prompt_version_id == view.id).options(selectinload(Draft.current_revision))
        .order_by(Draft.id)
    ))  # fmt: skip
    ids = [d.id for d in drafts]
    approved_at = _approved_at(session, ids)
    firsts = first_generated(session, ids)
    findings = _findings(session, [r.id for r in firsts.values()])
    approved = [d for d in drafts if d.status in APPROVED and d.current_revision is not None]
    rejected = sum(1 for d in drafts if d.status == REJECTED)
    distances, ratios, hours = [], [], []
    for d in approved:
        first = firsts.get(d.id)
        if first is not None:
            size = edit_size(first.body, d.current_revision.body)  # type: ignore[union-attr]
            distances.append(size.distance)
            ratios.append(size.ratio)
        at = approved_at.get(d.id)
        if at is not None and d.created_at is not None:
            hours.append(max(0.0, (at - d.created_at).total_seconds() / 3600))
    measured = [r for r in firsts.values() if r.id in findings]  # generated texts the checks read
    words = sum(len(r.body.split()) for r in measured)
    count = sum(findings[r.id] for r in measured)
    return VersionStats(
        version=view, drafts=len(drafts), approved=len(approved), rejected=rejected,
        pending=len(drafts) - len(approved) - rejected,
        approval_rate=rules.rate(len(approved), len(approved) + rejected),
        edit_distance=rules.median(distances), edit_ratio=rules.median(ratios),
        findings_per_1000_words=rules.per_thousand(count, words), findings=count, words=words,
        hours_to_approval=rules.median(hours),
    )  # fmt: skip


def stats(session: Session, actor: Any, content_type: str) -> list[VersionStats]:
    """Each version's outcomes, by number (see the module docstring and docs/prompts.md)."""
    authorize(session, actor, VIEW)
    content_type = _content_type(content_type)
    return [_stats_of(session, view) for view in _views(session, _versions(session, content_type))]
