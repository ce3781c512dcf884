"""Workspace settings over the database: read, change (admins, audited), reset, and apply.

A setting without a row has the environment's value (``studio.config.Settings``). An admin's
change writes the row and one ``workspace.setting_changed`` audit event with the value before
and after; a reset deletes the row (audited too), so the environment's value applies again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.config import Settings, get_settings
from studio.errors import InputError
from studio.models import User, WorkspaceSetting, utcnow
from studio.workspace.rules import SETTINGS, parse_timezone, setting

CHANGED = "workspace.setting_changed"
RESET = "workspace.setting_reset"


@dataclass(frozen=True)
class SettingView:
    """One workspace setting as the Settings page shows it."""

    key: str
    label: str
    help: str
    kind: str
    env: str  # the environment variable behind the initial value
    value: Any
    shown: str  # the value as a person reads it
    from_database: bool  # False: the environment's value
    environment_value: Any
    updated_at: datetime | None
    updated_by: str


def stored(session: Session) -> dict[str, WorkspaceSetting]:
    return {row.key: row for row in session.scalars(select(WorkspaceSetting)) if row.key in SETTINGS}


def effective_settings(session: Session, base: Settings | None = None) -> Settings:
    """``base`` (the environment's settings) with the workspace's stored values over it."""
    base = base or get_settings()
    rows = stored(session)
    if not rows:
        return base
    return base.model_copy(update={key: row.value for key, row in rows.items()})


def site_timezone(session: Session, base: Settings | None = None) -> ZoneInfo:
    """The WordPress site's time zone (workspace setting, else STUDIO_SITE_TIMEZONE)."""
    name = effective_settings(session, base).studio_site_timezone
    try:
        return ZoneInfo(parse_timezone(name))
    except InputError as exc:
        raise InputError(f"The site time zone is not valid ({exc}) Fix it on Settings or in STUDIO_SITE_TIMEZONE.") from None


def _views(session: Session, base: Settings) -> list[SettingView]:
    rows = stored(session)
    names = {}
    ids = {r.updated_by_id for r in rows.values() if r.updated_by_id is not None}
    if ids:
        names = {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(ids)))}
    out = []
    for key, spec in SETTINGS.items():
        row = rows.get(key)
        env_value = getattr(base, key)
        value = row.value if row is not None else env_value
        out.append(
            SettingView(
                key=key, label=spec.label, help=spec.help, kind=spec.kind, env=spec.env, value=value,
                shown=spec.show(value), from_database=row is not None, environment_value=env_value,
                updated_at=row.updated_at if row is not None else None,
                updated_by=names.get(row.updated_by_id, "") if row is not None else "",
            )
        )  # fmt: skip
    return out


def workspace_settings(session: Session, actor: Any) -> list[SettingView]:
    """Every workspace setting, its value and where it comes from (anyone signed in may read)."""
    authorize(session, actor, "settings.view")
    return _views(session, get_settings())


def set_setting(session: Session, actor: Any, key: str, raw: Any) -> SettingView:
    """An admin changes one setting; the value is checked first and the change audited."""
    actor = authorize(session, actor, "settings.manage")
    spec = setting(key)
    value = spec.parse(raw)
    base = get_settings()
    row = session.get(WorkspaceSetting, key)
    before = row.value if row is not None else getattr(base, key)
    if row is None:
        row = WorkspaceSetting(key=key, value=value, updated_by_id=actor.id, updated_at=utcnow())
        session.add(row)
    elif row.value == value:
        return _view(session, base, key)
    else:
        row.value, row.updated_by_id, row.updated_at = value, actor.id, utcnow()
    session.flush()
    record(session, actor, CHANGED, comment=f"{spec.label}: {spec.show(before)} → {spec.show(value)}",
           data={"setting": key, "from": before, "to": value})  # fmt: skip
    return _view(session, base, key)


def reset_setting(session: Session, actor: Any, key: str) -> SettingView:
    """Back to the environment's value (the row goes; the audit trail keeps what it was)."""
    actor = authorize(session, actor, "settings.manage")
    spec = setting(key)
    base = get_settings()
    row = session.get(WorkspaceSetting, key)
    if row is not None:
        before = row.value
        session.delete(row)
        session.flush()
        record(session, actor, RESET,
               comment=f"{spec.label}: {spec.show(before)} → {spec.show(getattr(base, key))} (from {spec.env})",
               data={"setting": key, "from": before, "to": getattr(base, key)})  # fmt: skip
    return _view(session, base, key)


def _view(session: Session, base: Settings, key: str) -> SettingView:
    return next(v for v in _views(session, base) if v.key == key)
