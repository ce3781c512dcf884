"""Many drafts changed at once, all or nothing: the bulk form of `service.transition` for the
actions the table marks ``bulk`` (export, reject, request changes). An export of 10,000 drafts
uses it, so it reads and writes columns, not ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from studio.accounts.permissions import authorize
from studio.audit.service import ACTOR_NAME_MAX_LEN
from studio.drafting.service import check_version, guard_view
from studio.errors import NotFound, VersionConflict
from studio.inbox.rules import FOR_TRANSITION
from studio.inbox.service import notify
from studio.models import AuditEvent, Comment, Draft, utcnow
from studio.review.rules import Transition
from studio.review.service import ReviewError, required_comment, spec_for, status_refusal

_IN_CHUNK = 500  # ids per IN (...): well under every database's bound-parameter limit
# Rows per executemany: the parameter lists of a 10,000-draft export are built a part at a time.
_WRITE_CHUNK = 1000
# Columns transition_many may write next to the status (never the workflow's own columns).
_SETTABLE = frozenset({"slug", "title", "excerpt", "meta_description", "publish_status", "publish_date"})


@dataclass(frozen=True, slots=True)
class DraftHead:
    """The columns a bulk transition reads and writes: a draft without its text or its ORM
    object (building thousands of those would dominate a large export)."""

    id: int
    status: str
    version: int
    author_id: int | None


def transition_many(
    session: Session,
    draft_ids: Iterable[int],
    actor: Any,
    action: str,
    *,
    expected_versions: Mapping[int, int] | None = None,
    comment: str = "",
    set_values: Mapping[int, Mapping[str, object]] | None = None,
) -> list[DraftHead]:
    """``action`` on every draft in ``draft_ids`` at once, all or nothing: the bulk form of
    :func:`studio.review.service.transition`, for the actions the table marks ``bulk`` (export, reject, request
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
    spec = spec_for(action)
    if not spec.bulk:
        raise ReviewError(
            f"'{action}' is decided draft by draft (it has its own checks); use transition()."
        )
    comment = required_comment(spec, comment)
    actor = authorize(session, actor, spec.permission)
    extra = set_values or {}
    for values in extra.values():
        bad = set(values) - _SETTABLE
        if bad:
            raise ValueError(f"transition_many cannot set {', '.join(sorted(bad))} on a draft.")
    ordered = _checked_heads(session, draft_ids, actor, spec, expected_versions or {})
    if not ordered:
        return []
    now = utcnow()
    _write_statuses(session, ordered, spec, extra, now)
    _write_history(session, ordered, actor, spec, comment, now)
    if spec.action != "export" and spec.action in FOR_TRANSITION:
        # An export tells each author once per export (studio.export.service); a decision on
        # several drafts tells each author about each of theirs.
        _notify(session, ordered, actor, FOR_TRANSITION[spec.action], comment)
    return [
        DraftHead(id=h.id, status=spec.target.value, version=h.version + 1, author_id=h.author_id)
        for h in ordered
    ]


@dataclass(frozen=True, slots=True)
class _Notified:
    id: int
    author_id: int | None
    assignee_id: int | None
    title: str


def _notify(session: Session, ordered: Sequence[DraftHead], actor: Any, kind: str, comment: str) -> None:
    ids = [h.id for h in ordered]
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(Draft.id, Draft.author_id, Draft.assignee_id, Draft.title, Draft.topic)
            .where(Draft.id.in_(ids[start : start + _IN_CHUNK]))
        )
        for r in rows:
            notify(session, kind, _Notified(r.id, r.author_id, r.assignee_id, (r.title or "").strip() or r.topic),
                   actor, detail=comment)  # fmt: skip


def _checked_heads(
    session: Session, draft_ids: Iterable[int], actor: Any, spec: Transition, expected_versions: Mapping[int, int]
) -> list[DraftHead]:
    """The drafts in order, or a refusal naming every draft that is missing, not visible, in
    the wrong status or changed since the version the person saw."""
    ids = list(dict.fromkeys(int(i) for i in draft_ids))
    if not ids:
        return []
    heads = _heads_by_id(session, ids)
    missing = [i for i in ids if i not in heads]
    if missing:
        raise NotFound(
            "Nothing was changed: "
            + ", ".join(f"draft {i}" for i in missing[:20])
            + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            + (" does" if len(missing) == 1 else " do")
            + " not exist."
        )
    ordered = [heads[i] for i in ids]
    for head in ordered:
        guard_view(actor, head)  # reads author_id only
    for head in ordered:
        want = expected_versions.get(head.id)
        if want is not None and head.version != want:
            draft = session.get(Draft, head.id)
            assert draft is not None
            check_version(session, draft, want)  # raises, naming who acted first
    wrong = [d for d in ordered if d.status not in spec.sources]
    if wrong:
        raise status_refusal(spec, wrong)
    return ordered


def _write_statuses(
    session: Session, ordered: Sequence[DraftHead], spec: Transition, extra: Mapping[int, Mapping[str, object]],
    now: datetime,
) -> None:  # fmt: skip
    """One versioned UPDATE per draft, run as executemany; a row count short of the drafts means
    someone changed one meanwhile. Drafts with the same extra columns share one statement."""
    groups: dict[tuple[str, ...], list[DraftHead]] = {}
    for head in ordered:
        groups.setdefault(tuple(sorted(extra.get(head.id, {}))), []).append(head)
    table = Draft.__table__
    for columns, members in groups.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                status=spec.target.value, updated_at=now, version=table.c.version + 1,
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
                # All or nothing even for a caller that catches this and carries on: the rows
                # already updated in this statement's earlier parts must not be committed.
                session.rollback()
                what = "one of these drafts" if len(ordered) > 1 else "this draft"
                raise VersionConflict(
                    f"Someone else acted on {what} at the same moment; reload to see it. Nothing was changed."
                )
    by_id = {h.id: h for h in ordered}
    for draft_id, obj in _held_drafts(session):  # they now hold what the database holds
        head = by_id.get(draft_id)
        if head is None:
            continue
        set_committed_value(obj, "status", spec.target.value)
        set_committed_value(obj, "updated_at", now)
        set_committed_value(obj, "version", head.version + 1)
        for column, value in extra.get(head.id, {}).items():
            set_committed_value(obj, column, value)


def _write_history(
    session: Session, ordered: Sequence[DraftHead], actor: Any, spec: Transition, comment: str, now: datetime
) -> None:
    """One audit row per draft (from → to, as `transition` writes them) and the comment, into the
    tables rather than as entities: the ORM's per-row bookkeeping would cost more than the rows."""
    actor_name = actor.name[:ACTOR_NAME_MAX_LEN]
    for start in range(0, len(ordered), _WRITE_CHUNK):
        chunk = ordered[start : start + _WRITE_CHUNK]
        session.execute(
            insert(AuditEvent.__table__),
            [
                {
                    "created_at": now, "actor_id": actor.id, "actor_name": actor_name,
                    "action": f"review.{spec.action}", "draft_id": head.id, "from_status": head.status,
                    "to_status": spec.target.value, "comment": comment, "data": {},
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

