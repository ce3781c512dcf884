"""Concurrency limits shared by every worker on every machine: leased slots in the database.

A limit of N for a name ("provider:openai@api.openai.com", "batch:12") is N rows in
`provider_slots`. A worker takes a free slot (or one whose lease ran out: its holder stopped)
in the same transaction that claims a row, renews the lease while it writes, and frees it when
the row ends. A provider's Retry-After is kept on its slot 0 as a cool-down that no worker
starts a call before. The database is the one thing all workers already share, so this needs
no extra service; PostgreSQL serialises takers with row locks, SQLite with its write lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from studio.models import ProviderSlot


def _ensure(session: Session, name: str, limit: int) -> None:
    rows = [{"name": name, "slot": i} for i in range(limit)]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    session.execute(insert(ProviderSlot).values(rows).on_conflict_do_nothing())


def cooldown_left(session: Session, name: str, now: datetime) -> float:
    until = session.scalar(select(ProviderSlot.cooldown_until).where(ProviderSlot.name == name, ProviderSlot.slot == 0))
    return max((until - now).total_seconds(), 0.0) if until else 0.0


def try_acquire(session: Session, name: str, limit: int, holder: str, lease_s: float, now: datetime) -> bool:
    """Take one of the ``limit`` slots of ``name`` for ``holder``; False when all are busy."""
    query = (select(ProviderSlot).where(ProviderSlot.name == name, ProviderSlot.slot < limit)
             .order_by(ProviderSlot.slot).with_for_update())  # fmt: skip
    slots = session.scalars(query).all()
    if len(slots) < limit:
        _ensure(session, name, limit)
        slots = session.scalars(query).all()
    if any(s.holder == holder for s in slots):
        return True
    for slot in slots:
        if slot.holder is None or slot.lease_until is None or slot.lease_until <= now:
            slot.holder = holder
            slot.lease_until = now + timedelta(seconds=lease_s)
            return True
    return False


def release(session: Session, holder: str) -> None:
    session.execute(update(ProviderSlot).where(ProviderSlot.holder == holder).values(holder=None, lease_until=None))


def renew(session: Session, holders: list[str], until: datetime) -> None:
    if holders:
        session.execute(update(ProviderSlot).where(ProviderSlot.holder.in_(holders)).values(lease_until=until))


def cool_down(session: Session, name: str, seconds: float, now: datetime) -> None:
    """Nobody starts a call to this provider for ``seconds`` (it asked us to wait)."""
    _ensure(session, name, 1)
    until = now + timedelta(seconds=seconds)
    slot = session.get(ProviderSlot, {"name": name, "slot": 0})
    if slot is not None and (slot.cooldown_until is None or slot.cooldown_until < until):
        slot.cooldown_until = until


def busy(session: Session, name: str, now: datetime) -> int:
    """How many slots of ``name`` are held right now."""
    return len(session.scalars(
        select(ProviderSlot.slot).where(ProviderSlot.name == name, ProviderSlot.holder.is_not(None),
                                        ProviderSlot.lease_until > now)
    ).all())  # fmt: skip
