"""The editorial workflow: allowed transitions, locking, checks at submission, comments, diffs.

Every state change goes through `transition`, which checks the permission, the transition table,
the version the person saw, and the check verdict; then writes one audit row. `transition_many`
does the same for many drafts at once (all or nothing, one audit row each) for the actions the
table marks `bulk`; an export of 10,000 drafts uses it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from studio import audit
from studio.auth import PermissionDenied, authorize, can, require
from studio.checks import latest_report, run_checks
from studio.config import Settings, get_settings
from studio.drafts import DraftNotFound, VersionConflict, _guard_view, check_version, get_draft
from studio.models import AuditEvent, Comment, Draft, Revision, User, utcnow
from studio.search import matching_ids

STATUSES = ("draft", "in_review", "changes_requested", "approved", "rejected", "exported")

STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "rejected": "Rejected",
    "exported": "Exported",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: str
    verb: str  # for messages: "approve", "submit" …
    # May run on many drafts at once (transition_many): only actions whose sole per-draft rule
    # is the source status. Submit runs the checks and approve weighs their verdict per draft.
    bulk: bool = False


# The one table of allowed transitions. Anything not here is refused.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({"draft", "changes_requested"}), "in_review", "draft.submit", "submit"),
        Transition("approve", frozenset({"in_review"}), "approved", "review.approve", "approve"),
        Transition("request_changes", frozenset({"in_review"}), "changes_requested", "review.request_changes", "request changes to", bulk=True),
        Transition("reject", frozenset({"in_review"}), "rejected", "review.reject", "reject", bulk=True),
        Transition("export", frozenset({"approved", "exported"}), "exported", "export.run", "export", bulk=True),
    )
}

ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (source, t.target) for t in TRANSITIONS.values() for source in t.sources
)

# Statuses in which the text may still change, and who may change it then.
EDITABLE_BY_AUTHOR = frozenset({"draft", "changes_requested"})
EDITABLE_BY_EDITOR = frozenset({"draft", "in_review", "changes_requested"})


class ReviewError(Exception):
    """A refused workflow action; the message says why and what to do."""


def is_allowed(source: str, target: str) -> bool:
    return (source, target) in ALLOWED


def _spec(action: str) -> Transition:
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise ReviewError(f"Unknown action '{action}'.")
    return spec


def _status_refusal(spec: Transition, drafts: Sequence[Draft]) -> ReviewError:
    """Why ``drafts`` (all in a status ``spec`` does not start from) cannot take ``spec``."""
    allowed = " or ".join(_STATE_PHRASES[s] for s in sorted(spec.sources))
    if len(drafts) == 1:
        d = drafts[0]
        return ReviewError(
            f"Draft {d.id} is {_STATE_PHRASES[d.status]}, so it cannot be "
            f"{_participle(spec.action)}; that needs a draft that is {allowed}."
        )
    named = "; ".join(f"draft {d.id} is {_STATE_PHRASES[d.status]}" for d in drafts[:20])
    more = f"; and {len(drafts) - 20} more" if len(drafts) > 20 else ""
    return ReviewError(
        f"Nothing was changed: {len(drafts)} drafts cannot be {_participle(spec.action)} "
        f"({named}{more}); that needs drafts that are {allowed}."
    )


def _required_comment(action: str, comment: str) -> str:
    comment = (comment or "").strip()
    if action == "request_changes" and not comment:
        raise ReviewError("Say what needs to change: a comment is required when requesting changes.")
    if action == "reject" and not comment:
        raise ReviewError("Give a reason: a comment is required when rejecting.")
    return comment


def _stale(exc: StaleDataError, session: Session, many: bool = False) -> VersionConflict:
    # Another session changed a row between our read and our write.
    session.rollback()
    what = "one of these drafts" if many else "this draft"
    return VersionConflict(
        f"Someone else acted on {what} at the same moment; reload to see it. Nothing was changed."
    )


def transition(
    session: Session,
    draft_id: int,
    actor: User,
    action: str,
    *,
    expected_version: int | None,
    comment: str = "",
    override_reason: str = "",
    manual_review_confirmed: bool = False,
    settings: Settings | None = None,
) -> Draft:
    settings = settings or get_settings()
    spec = _spec(action)
    actor = authorize(session, actor, spec.permission)
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    if draft.status not in spec.sources:
        raise _status_refusal(spec, [draft])
    data: dict[str, object] = {}

    if action == "submit":
        _guard_submit(session, draft, actor)
        if draft.current_revision is not None:
            report = run_checks(session, draft, draft.current_revision, settings)
            data["verdict"] = report.verdict
        draft.submitted_at = utcnow()
    comment = _required_comment(action, comment)
    if action == "approve":
        data.update(_guard_approve(session, draft, actor, settings, override_reason, manual_review_confirmed))

    source = draft.status
    draft.status = spec.target
    draft.updated_at = utcnow()
    if comment:
        session.add(Comment(draft_id=draft.id, author_id=actor.id, body=comment))
    audit.record(
        session,
        actor,
        f"review.{action}",
        draft_id=draft.id,
        from_status=source,
        to_status=spec.target,
        comment=comment,
        data=data or None,
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise _stale(exc, session) from exc
    return draft


_IN_CHUNK = 500  # ids per IN (...): well under every database's bound-parameter limit
# Rows per executemany: the parameter lists of a 10,000-draft export are built a part at a time.
_WRITE_CHUNK = 1000
# Columns transition_many may write next to the status (never the workflow's own columns).
_SETTABLE = frozenset({"slug", "title", "excerpt", "meta_description", "publish_status", "publish_date"})


@dataclass(frozen=True, slots=True)
class DraftHead:
    """The columns a bulk transition reads and writes: a draft without its text or its ORM
    object (building 10,000 of those cost a large export a second)."""

    id: int
    status: str
    version: int
    author_id: int | None


def transition_many(
    session: Session,
    draft_ids: Iterable[int],
    actor: User,
    action: str,
    *,
    expected_versions: Mapping[int, int] | None = None,
    comment: str = "",
    set_values: Mapping[int, Mapping[str, object]] | None = None,
) -> list[DraftHead]:
    """``action`` on every draft in ``draft_ids`` at once, all or nothing: the bulk form of
    :func:`transition`, for the actions the table marks ``bulk`` (export, reject, request
    changes).

    The permission is checked once. Every draft must exist, be visible to the actor, be in one
    of the action's source statuses and, when ``expected_versions`` names it, still be at that
    version; otherwise nothing changes and the error names the drafts.

    The drafts are read as plain columns (:class:`DraftHead`, one ``IN (...)`` query per 500
    ids). The write keeps the ``version`` optimistic lock of the ORM's ``version_id_col``: one
    ``UPDATE drafts SET status, updated_at, version = version + 1 WHERE id = ? AND version = ?``
    run as an executemany, its row count checked, a concurrent change raising VersionConflict;
    Draft objects the session already holds are given the new values as committed state.
    ``set_values`` (``{draft_id: {column: value}}``) writes other columns of a draft in the same
    UPDATE (the export's slug). The audit rows (one per draft, from → to, as :func:`transition`
    writes them) and comments go in with one bulk INSERT each. The caller's transaction commits
    or rolls back all of it. Returns the drafts as they now are, in order.
    """
    spec = _spec(action)
    if not spec.bulk:
        raise ReviewError(
            f"'{action}' is decided draft by draft (it has its own checks); use transition()."
        )
    comment = _required_comment(action, comment)
    actor = authorize(session, actor, spec.permission)
    ids = list(dict.fromkeys(int(i) for i in draft_ids))
    if not ids:
        return []
    heads = _heads_by_id(session, ids)
    missing = [i for i in ids if i not in heads]
    if missing:
        raise DraftNotFound(
            "Nothing was changed: "
            + ", ".join(f"draft {i}" for i in missing[:20])
            + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            + (" does" if len(missing) == 1 else " do")
            + " not exist."
        )
    ordered = [heads[i] for i in ids]
    for head in ordered:
        _guard_view(actor, head)  # type: ignore[arg-type]  (reads author_id only)
    for head in ordered:
        want = (expected_versions or {}).get(head.id)
        if want is not None and head.version != want:
            draft = session.get(Draft, head.id)
            assert draft is not None
            check_version(session, draft, want)  # raises, naming who acted first
    wrong = [d for d in ordered if d.status not in spec.sources]
    if wrong:
        raise _status_refusal(spec, wrong)  # type: ignore[arg-type]

    extra = set_values or {}
    for values in extra.values():
        bad = set(values) - _SETTABLE
        if bad:
            raise ValueError(f"transition_many cannot set {', '.join(sorted(bad))} on a draft.")
    now = utcnow()
    # Drafts with the same extra columns share one executemany.
    groups: dict[tuple[str, ...], list[DraftHead]] = {}
    for head in ordered:
        groups.setdefault(tuple(sorted(extra.get(head.id, {}))), []).append(head)
    table = Draft.__table__
    for columns, members in groups.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                status=spec.target, updated_at=now, version=table.c.version + 1,
                **{c: bindparam(f"b_{c}") for c in columns},
            )  # fmt: skip
        )
        for start in range(0, len(members), _WRITE_CHUNK):
            params = [
                {"b_id": d.id, "b_version": d.version, **{f"b_{c}": extra[d.id][c] for c in columns}}
                for d in members[start : start + _WRITE_CHUNK]
            ]
            if session.get_bind().dialect.supports_sane_multi_rowcount:
                matched = session.execute(stmt, params).rowcount
            else:  # pragma: no cover - every dialect the studio runs on counts executemany rows
                matched = sum(session.execute(stmt, p).rowcount for p in params)
            if matched != len(params):
                raise _stale(StaleDataError(f"{len(params) - matched} draft(s) changed"), session, many=len(ordered) > 1)
    by_id = {h.id: h for h in ordered}
    for draft_id, obj in _held_drafts(session):  # they now hold what the database holds
        head = by_id.get(draft_id)
        if head is None:
            continue
        set_committed_value(obj, "status", spec.target)
        set_committed_value(obj, "updated_at", now)
        set_committed_value(obj, "version", head.version + 1)
        for column, value in extra.get(head.id, {}).items():
            set_committed_value(obj, column, value)

    actor_name = actor.name[: audit.ACTOR_NAME_MAX_LEN]
    # Into the tables, not the entities: the ORM's bulk INSERT spends more on per-row
    # bookkeeping than SQLite spends on the rows.
    for start in range(0, len(ordered), _WRITE_CHUNK):
        chunk = ordered[start : start + _WRITE_CHUNK]
        session.execute(
            insert(AuditEvent.__table__),
            [
                {
                    "created_at": now, "actor_id": actor.id, "actor_name": actor_name,
                    "action": f"review.{action}", "draft_id": head.id, "from_status": head.status,
                    "to_status": spec.target, "comment": comment, "data": {},
                }  # fmt: skip
                for head in chunk
            ],
        )
        if comment:
            session.execute(
                insert(Comment.__table__),
                [
                    {"draft_id": head.id, "author_id": actor.id, "body": comment, "created_at": now}
                    for head in chunk
                ],
            )
    return [
        DraftHead(id=h.id, status=spec.target, version=h.version + 1, author_id=h.author_id)
        for h in ordered
    ]


def _heads_by_id(session: Session, ids: Sequence[int]) -> dict[int, DraftHead]:
    """The drafts' id, status, version and author: one ``IN (...)`` query per 500 ids. A draft
    the session already holds is taken as the session saw it, as the ORM's version check would:
    if it changed since, the UPDATE finds another version and nothing is written."""
    found: dict[int, DraftHead] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        stmt = select(Draft.id, Draft.status, Draft.version, Draft.author_id).where(Draft.id.in_(chunk))
        found.update((r[0], DraftHead(*r)) for r in session.execute(stmt))
    for draft_id, obj in _held_drafts(session):
        if draft_id in found and not inspect(obj).expired_attributes & _HEAD_FIELDS:
            found[draft_id] = DraftHead(obj.id, obj.status, obj.version, obj.author_id)
    return found


def _held_drafts(session: Session) -> list[tuple[int, Draft]]:
    """(id, Draft) for each draft the session holds: usually a few, so walking them beats
    looking up each of thousands of ids. The id comes from the identity key (no load)."""
    return [
        (key[1][0], obj)
        for key, obj in list(session.identity_map.items())
        if key[0] is Draft and len(key[1]) == 1
    ]


_HEAD_FIELDS = frozenset({"id", "status", "version", "author_id"})


_STATE_PHRASES = {
    "draft": "not yet submitted",
    "in_review": "in review",
    "changes_requested": "waiting for changes",
    "approved": "approved",
    "rejected": "rejected",
    "exported": "exported",
}


def _participle(action: str) -> str:
    return {
        "submit": "submitted for review",
        "approve": "approved",
        "reject": "rejected",
        "request_changes": "sent back for changes",
        "export": "exported",
    }[action]


def _guard_submit(session: Session, draft: Draft, actor: User) -> None:
    if draft.author_id != actor.id and not can(actor, "draft.edit_any"):
        raise PermissionDenied("Only the author can submit this draft.")
    if draft.current_revision is None or not draft.current_revision.body.strip():
        raise ReviewError("This draft has no text yet. Generate or write it before submitting.")
    if draft.incomplete:
        raise ReviewError(
            "This draft is incomplete (its generation did not finish). Retry the generation or "
            "edit the text before submitting."
        )
    if draft.status == "changes_requested":
        asked = session.scalar(
            select(func.max(AuditEvent.created_at)).where(
                AuditEvent.draft_id == draft.id, AuditEvent.action == "review.request_changes"
            )
        )
        if asked is not None and draft.current_revision.created_at <= asked:
            raise ReviewError(
                "Changes were requested: revise the text (a new revision) before resubmitting."
            )


def _guard_approve(
    session: Session,
    draft: Draft,
    actor: User,
    settings: Settings,
    override_reason: str,
    manual_review_confirmed: bool,
) -> dict[str, object]:
    if draft.author_id == actor.id and not settings.studio_allow_self_approval:
        raise PermissionDenied(
            "You wrote this draft, so another editor must approve it. "
            "(A one-person team can allow self-approval with STUDIO_ALLOW_SELF_APPROVAL.)"
        )
    report = latest_report(session, draft.current_revision_id) if draft.current_revision_id else None
    verdict = report.verdict if report else "unavailable"
    data: dict[str, object] = {"verdict": verdict}
    if verdict == "block":
        require(actor, "review.override_block")
        if not (override_reason or "").strip():
            raise ReviewError(
                "The checks blocked this draft. To approve it anyway, write why in the override reason."
            )
        data["override_reason"] = override_reason.strip()
    elif verdict == "unavailable":
        if not manual_review_confirmed:
            raise ReviewError(
                "The automatic checks could not run on this draft. Confirm that you reviewed it "
                "manually (\"I reviewed this manually\") to approve it."
            )
        data["manual_review"] = True
    return data


def submit(session: Session, draft_id: int, actor: User, expected_version: int | None, comment: str = "") -> Draft:
    return transition(session, draft_id, actor, "submit", expected_version=expected_version, comment=comment)


def approve(
    session: Session,
    draft_id: int,
    editor: User,
    expected_version: int | None,
    comment: str = "",
    *,
    override_reason: str = "",
    manual_review_confirmed: bool = False,
    settings: Settings | None = None,
) -> Draft:
    return transition(
        session, draft_id, editor, "approve", expected_version=expected_version, comment=comment,
        override_reason=override_reason, manual_review_confirmed=manual_review_confirmed, settings=settings,
    )


def request_changes(session: Session, draft_id: int, editor: User, expected_version: int | None, comment: str) -> Draft:
    return transition(session, draft_id, editor, "request_changes", expected_version=expected_version, comment=comment)


def reject(session: Session, draft_id: int, editor: User, expected_version: int | None, comment: str) -> Draft:
    return transition(session, draft_id, editor, "reject", expected_version=expected_version, comment=comment)


def run_decision(session_factory, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run one decision in its own transaction, turning lock contention into a conflict message."""
    try:
        with session_factory() as session:
            result = fn(session, *args, **kwargs)
        return result
    except (OperationalError, IntegrityError) as exc:
        if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
            raise VersionConflict("The database was busy with another change; try again.") from exc
        raise


# --------------------------------------------------------------------------------------------
# Comments


def add_comment(session: Session, draft_id: int, actor: User, body: str) -> Comment:
    draft = get_draft(session, draft_id, actor)
    if draft.author_id != actor.id:
        require(actor, "review.comment")
    body = (body or "").strip()
    if not body:
        raise ReviewError("The comment is empty.")
    if len(body) > 5000:
        raise ReviewError(f"The comment is {len(body):,} characters; the limit is 5,000.")
    comment = Comment(draft_id=draft.id, author_id=actor.id, body=body)
    session.add(comment)
    audit.record(session, actor, "review.comment", draft_id=draft.id, comment=body)
    session.flush()
    return comment


def comments(session: Session, draft_id: int, actor: User) -> list[Comment]:
    get_draft(session, draft_id, actor)
    return list(
        session.scalars(
            select(Comment).where(Comment.draft_id == draft_id).order_by(Comment.created_at, Comment.id)
        )
    )


# --------------------------------------------------------------------------------------------
# Revisions compared

_TOKEN = re.compile(r"\s+|[^\s]+")


def diff_revisions(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (op, text) with op in {"equal", "insert", "delete"}."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("insert", "".join(b[j1:j2])))
    return out


def compare(session: Session, draft_id: int, actor: User, old_number: int, new_number: int) -> list[tuple[str, str]]:
    get_draft(session, draft_id, actor)
    bodies = dict(
        session.execute(
            select(Revision.number, Revision.body).where(
                Revision.draft_id == draft_id, Revision.number.in_([old_number, new_number])
            )
        ).all()
    )
    for n in (old_number, new_number):
        if n not in bodies:
            raise ReviewError(f"Draft {draft_id} has no revision {n}.")
    return diff_revisions(bodies[old_number], bodies[new_number])


# --------------------------------------------------------------------------------------------
# The queue

SORTS = {
    "updated_desc": (Draft.updated_at.desc(), Draft.id.desc()),
    "updated_asc": (Draft.updated_at.asc(), Draft.id.asc()),
    "created_desc": (Draft.created_at.desc(), Draft.id.desc()),
    "title": (Draft.title.asc(), Draft.id.asc()),
}


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ("in_review",)
    content_type: str | None = None
    author: str | None = None
    verdict: str | None = None
    older_than_days: int | None = None
    newer_than_days: int | None = None
    search: str = ""
    sort: str = "updated_asc"
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    content_type: str
    status: str
    verdict: str | None
    author: str
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts: dict[str, int]
    page: int
    pages: int


def queue(session: Session, actor: User, f: QueueFilter, *, now: datetime | None = None) -> QueuePage:
    require(actor, "draft.view_all")
    now = now or datetime.now(timezone.utc)
    conditions = []
    if f.content_type:
        conditions.append(Draft.content_type == f.content_type)
    if f.author:
        conditions.append(Draft.author_id == select(User.id).where(User.name == f.author).scalar_subquery())
    if f.verdict:
        conditions.append(Draft.check_verdict == f.verdict)
    if f.older_than_days is not None:
        conditions.append(Draft.updated_at <= now - timedelta(days=f.older_than_days))
    if f.newer_than_days is not None:
        conditions.append(Draft.updated_at >= now - timedelta(days=f.newer_than_days))
    if f.search.strip():
        match = matching_ids(session, f.search)
        if match is not None:
            conditions.append(match)

    counts = dict(
        session.execute(select(Draft.status, func.count()).where(*conditions).group_by(Draft.status)).all()
    )
    status_condition = [Draft.status.in_(f.statuses)] if f.statuses else []
    total = sum(counts.get(s, 0) for s in f.statuses) if f.statuses else sum(counts.values())
    page_size = max(1, min(f.page_size, 200))
    pages = max(1, -(-total // page_size))
    page = max(1, min(f.page, pages))
    order = SORTS.get(f.sort, SORTS["updated_asc"])
    # The page's ids come from the index alone; only those rows are then read and joined.
    # Joining and reading every matching row before sorting cost 18 ms at 100k drafts.
    page_ids = (
        select(Draft.id)
        .where(*conditions, *status_condition)
        .order_by(*order)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    stmt = (
        select(Draft.id, Draft.title, Draft.topic, Draft.content_type, Draft.status, Draft.check_verdict,
               User.name, Draft.updated_at, Draft.version)
        .join(User, User.id == Draft.author_id, isouter=True)
        .where(Draft.id.in_(page_ids.scalar_subquery()))
        .order_by(*order)
    )
    rows = [
        QueueRow(id=r[0], title=r[1] or r[2][:80], content_type=r[3], status=r[4], verdict=r[5],
                 author=r[6] or "", updated_at=r[7], version=r[8])
        for r in session.execute(stmt)
    ]
    return QueuePage(rows=rows, total=total, counts={s: counts.get(s, 0) for s in STATUSES}, page=page, pages=pages)
