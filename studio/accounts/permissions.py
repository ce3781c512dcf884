"""Roles and the one permissions table.

`_PERMISSION_TABLE` below is the only place that says who may do what; `can`/`require`/
`authorize` read it and nothing else decides. Services take the actor and call
`authorize(session, actor, action)`, which re-reads the actor from the database, so a person
disabled or demoted a minute ago cannot keep acting with the object their browser tab still holds.
The actor may be a `User` or any object with ``id``, ``roles`` and ``disabled`` (the pages' `Person`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from studio.errors import PermissionDenied
from studio.models import User

MARKETER = "marketer"
EDITOR = "editor"
ADMIN = "admin"
ROLES: tuple[str, ...] = (MARKETER, EDITOR, ADMIN)
_ROLE_PLURALS = {MARKETER: "marketers", EDITOR: "editors", ADMIN: "admins"}

# action: (roles allowed, what it is — for "Only editors can approve drafts.")
_PERMISSION_TABLE: dict[str, tuple[frozenset[str], str]] = {
    "draft.create":           (frozenset({MARKETER}), "create drafts"),
    "draft.edit_own":         (frozenset({MARKETER}), "edit their own drafts"),
    "draft.edit_any":         (frozenset({EDITOR}), "edit other people's drafts"),
    "draft.submit":           (frozenset({MARKETER}), "submit drafts for review"),
    "draft.withdraw":         (frozenset({MARKETER}), "withdraw their own drafts from review"),
    "draft.view_all":         (frozenset({EDITOR, ADMIN}), "see everyone's drafts"),
    "review.approve":         (frozenset({EDITOR}), "approve drafts"),
    "review.reject":          (frozenset({EDITOR}), "reject drafts"),
    "review.request_changes": (frozenset({EDITOR}), "request changes to drafts"),
    "review.override_block":  (frozenset({EDITOR}), "override a blocking check"),
    "review.comment":         (frozenset({EDITOR}), "comment on drafts in review"),
    "review.assign":          (frozenset({EDITOR}), "assign drafts to reviewers"),
    "review.claim":           (frozenset({EDITOR}), "review drafts"),
    "export.run":             (frozenset({EDITOR, ADMIN}), "export content"),
    "users.manage":           (frozenset({ADMIN}), "manage people"),
    "audit.view":             (frozenset({ADMIN}), "view the audit trail"),
    "settings.manage":        (frozenset({ADMIN}), "change settings"),
    "settings.view":          (frozenset({MARKETER, EDITOR, ADMIN}), "see the workspace settings"),
    "inbox.read":             (frozenset({MARKETER, EDITOR, ADMIN}), "read an inbox"),
    "workspace.read":         (frozenset({MARKETER, EDITOR, ADMIN}), "use the workspace's voices and sources"),
    "voices.manage":          (frozenset({EDITOR, ADMIN}), "create and edit brand voices"),
    "sources.add":            (frozenset({MARKETER, EDITOR, ADMIN}), "add knowledge sources"),
    "sources.manage":         (frozenset({EDITOR, ADMIN}), "archive other people's knowledge sources"),
    "draft.localise":         (frozenset({MARKETER}), "localise approved drafts into linked drafts"),
    "batch.run":              (frozenset({MARKETER}), "write drafts from a spreadsheet"),
    "batch.view_all":         (frozenset({EDITOR, ADMIN}), "see everyone's batches"),
    "dashboard.view":         (frozenset({EDITOR, ADMIN}), "see the dashboard"),
    "usage.view_all":         (frozenset({EDITOR, ADMIN}), "see everyone's model usage and cost"),
    "usage.manage":           (frozenset({ADMIN}), "set model prices and budgets"),
    "feedback.export":        (frozenset({ADMIN}), "export editor feedback as training data"),
    "checks.precision":       (frozenset({ADMIN}), "see how often editors act on each check rule"),
    "checks.dismiss_finding": (frozenset({EDITOR}), "dismiss check findings"),
    "prompts.view":           (frozenset({MARKETER, EDITOR, ADMIN}), "see prompt versions and their results"),
    "prompts.manage":         (frozenset({EDITOR, ADMIN}), "write, test, promote and retire prompt versions"),
}  # fmt: skip

#: action -> roles allowed (read-only view of the table above).
PERMISSIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {action: roles for action, (roles, _) in _PERMISSION_TABLE.items()}
)
ACTIONS: tuple[str, ...] = tuple(_PERMISSION_TABLE)


def can(user: Any, action: str) -> bool:
    """May `user` do `action`? Unknown actions raise ValueError (a typo must not pass quietly)."""
    roles = _roles_for(action)
    if user is None or user.disabled:
        return False
    return bool(user.roles & roles)


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied, saying who can, unless `user` may do `action`."""
    if can(user, action):
        return
    if user is None:
        raise PermissionDenied("Please sign in first.", action=action)
    if user.disabled:
        raise PermissionDenied("Your account is disabled.", action=action)
    raise PermissionDenied(
        f"Only {_who(PERMISSIONS[action])} can {_PERMISSION_TABLE[action][1]}.", action=action
    )


def authorize(session: Session, actor: Any, action: str) -> User:
    """`require` against the actor as the database has it now; returns that fresh User.

    Use at the top of every service: `editor = authorize(session, editor, "review.approve")`.
    """
    _roles_for(action)
    if actor is None:
        raise PermissionDenied("Please sign in first.", action=action)
    fresh = session.get(User, actor.id, populate_existing=True) if actor.id is not None else None
    if fresh is None:
        raise PermissionDenied("Your account no longer exists.", action=action)
    require(fresh, action)
    return fresh



def active(session: Session, actor: Any) -> User:
    """The actor as the database has it now, refused when gone or disabled (for reads that need
    no particular role, such as listing one's own drafts)."""
    if actor is None or getattr(actor, "id", None) is None:
        raise PermissionDenied("Please sign in first.")
    fresh = session.get(User, actor.id, populate_existing=True)
    if fresh is None:
        raise PermissionDenied("Your account no longer exists.")
    if fresh.disabled:
        raise PermissionDenied("Your account is disabled.")
    return fresh


def _roles_for(action: str) -> frozenset[str]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; known: {', '.join(ACTIONS)}") from None


def _who(roles: Iterable[str]) -> str:
    words = [_ROLE_PLURALS[r] for r in ROLES if r in roles]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]

