"""People as plain data: what pages and the CLI hold instead of ORM objects.

A `Person` works as the actor of every service (services re-read the account by id, see
`permissions.authorize`), so a browser session keeps no database object between reruns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    label: str
    roles: frozenset[str]
    disabled: bool = False

    @classmethod
    def of(cls, user: Any) -> Person:
        return cls(id=user.id, name=user.name, label=user.label, roles=frozenset(user.roles),
                   disabled=bool(user.disabled))


@dataclass(frozen=True)
class PersonRow:
    """One row of the People page."""

    name: str
    label: str
    roles: tuple[str, ...]
    disabled: bool
    last_login_at: datetime | None
    email: str = ""

    @classmethod
    def of(cls, user: Any) -> PersonRow:
        return cls(user.name, user.label, tuple(sorted(user.roles)), bool(user.disabled), user.last_login_at,
                   getattr(user, "email", None) or "")
