"""Usage, prices and budgets: reading what was spent, and the admins' settings.

Every function takes a session and the actor and checks the permission itself, except the two
the recorder uses before each call (`current_price`, `budget_lines`), which read only.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from datetime import date, datetime, time as dtime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.errors import InputError, NotFound, PermissionDenied
from studio.models import Budget, ModelPrice, UsageRecord, User
from studio.usage import policy
from studio.usage.prices import DEFAULT_PRICES, PRICES_READ_ON, Price, resolve
from studio.usage.schemas import BudgetRow, BudgetStatus, PriceRow, UsageGroup
from studio.usage.sink import SINK

GROUPINGS = ("person", "model", "feature", "day")
MAX_MONTHLY = 1_000_000.0
MAX_PRICE = 10_000.0

# Admin prices are read at most every few seconds per process, not before every call.
_PRICE_TTL_S = 5.0
_price_cache: dict[str, Any] = {"at": 0.0, "url": None, "table": {}}
_price_lock = threading.Lock()


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# --- read by the recorder before each call ---------------------------------------------------

def _admin_prices(session: Session) -> dict[str, tuple[float, float, bool]]:
    return {p.model: (p.input_per_million, p.output_per_million, p.any_server) for p in session.scalars(select(ModelPrice))}


_readers: dict[str, Any] = {}
_readers_lock = threading.Lock()


def reading(url: str) -> Session:
    """A session that only reads and never waits for a writer: the studio's engine takes SQLite's
    write lock at BEGIN, and a model call may be made while its caller holds that lock (the
    moderation tier runs inside a revision's save). Elsewhere it is the studio's own engine."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from studio.db import get_engine, session_factory

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return session_factory(get_engine(url))()
    with _readers_lock:
        engine = _readers.get(url)
        if engine is None:
            target = url
            if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
                # Read-only: reading never creates a database file.
                target = f"sqlite:///file:{Path(parsed.database).expanduser().resolve()}?mode=ro&uri=true"
            engine = _readers[url] = create_engine(target, connect_args={"check_same_thread": False, "timeout": 15})
    return session_factory(engine)()


def forget_readers() -> None:
    with _readers_lock:
        for engine in _readers.values():
            engine.dispose()
        _readers.clear()


def current_price(model: str, endpoint: str, session: Session | None = None) -> Price | None:
    """Pass the session when the caller is inside one."""
    from studio.config import get_settings

    url = get_settings().studio_database_url
    with _price_lock:
        fresh = _price_cache["url"] == url and time.monotonic() - _price_cache["at"] < _PRICE_TTL_S
        table = _price_cache["table"] if fresh else None
    if table is None:
        if session is not None:
            table = _admin_prices(session)
        else:
            with reading(url) as own:
                table = _admin_prices(own)
        with _price_lock:
            _price_cache.update(at=time.monotonic(), url=url, table=table)
    return resolve(model, endpoint, table)


def forget_prices() -> None:
    with _price_lock:
        _price_cache.update(at=0.0, url=None, table={})


def _spent(session: Session, person_id: int | None, since: datetime) -> float:
    stmt = select(func.coalesce(func.sum(UsageRecord.cost), 0.0)).where(UsageRecord.created_at >= since)
    if person_id is not None:
        stmt = stmt.where(UsageRecord.person_id == person_id)
    return float(session.scalar(stmt) or 0.0) + SINK.pending_cost(person_id, since)


def budget_lines(session: Session, person_id: int | None) -> list[policy.BudgetLine]:
    """The budgets that apply to a call made for ``person_id``: theirs, then the workspace's."""
    since = month_start()
    lines = []
    person = session.scalar(select(Budget).where(Budget.scope == "person", Budget.user_id == person_id)) if person_id else None
    if person is not None:
        user = session.get(User, person_id)
        lines.append(policy.BudgetLine("person", user.label if user else "this person", person.monthly, person.hard,
                                       _spent(session, person_id, since)))
    workspace = session.scalar(select(Budget).where(Budget.scope == "workspace"))
    if workspace is not None:
        lines.append(policy.BudgetLine("workspace", "the workspace", workspace.monthly, workspace.hard,
                                       _spent(session, None, since)))
    return lines


# --- people and admins ----------------------------------------------------------------------

def budget_status(session: Session, actor: Any) -> BudgetStatus:
    """The budgets that apply to the actor's own calls, and what to warn about."""
    lines = budget_lines(session, actor.id)
    return BudgetStatus(lines, policy.warnings(lines))


def remaining(session: Session, person_id: int | None) -> float | None:
    """What is left under the tightest hard budget for this person (None: no hard budget)."""
    left = [line.left for line in budget_lines(session, person_id) if line.hard]
    return min(left) if left else None


def _since(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, dtime.min, tzinfo=timezone.utc)


def signed_in(session: Session, actor: Any) -> User:
    """The actor as the database has it now: someone who may still act."""
    fresh = session.get(User, actor.id, populate_existing=True) if actor is not None and actor.id is not None else None
    if fresh is None or fresh.disabled:
        raise PermissionDenied("Please sign in first.")
    return fresh


def usage_summary(
    session: Session, actor: Any, *, since: date | datetime | None = None, by: str = "person",
) -> list[UsageGroup]:  # fmt: skip
    """Calls, tokens and cost grouped by person, model, feature or day (UTC). People who may not
    see everyone's usage see their own."""
    actor = signed_in(session, actor)
    if by not in GROUPINGS:
        raise InputError(f"Group by one of: {', '.join(GROUPINGS)}.")
    stmt = (
        select(UsageRecord.created_at, User.name, UsageRecord.model, UsageRecord.feature, UsageRecord.prompt_tokens,
               UsageRecord.completion_tokens, UsageRecord.tokens_source, UsageRecord.cost)
        .join(User, User.id == UsageRecord.person_id, isouter=True)
    )  # fmt: skip
    start = _since(since)
    if start is not None:
        stmt = stmt.where(UsageRecord.created_at >= start)
    if not can(actor, "usage.view_all"):
        stmt = stmt.where(UsageRecord.person_id == actor.id)
    groups: dict[str, list[float]] = {}
    for at, person, model, feature, prompt, completion, source, cost in session.execute(stmt):
        key = {"person": person or "(nobody)", "model": model, "feature": feature, "day": at.date().isoformat()}[by]
        g = groups.setdefault(key, [0, 0, 0, 0, 0.0, 0])
        g[0] += 1
        g[1] += prompt or 0
        g[2] += completion or 0
        g[3] += source == "estimated"
        g[4] += cost or 0.0
        g[5] += cost is None
    return [UsageGroup(k, int(g[0]), int(g[1]), int(g[2]), int(g[3]), round(g[4], 6), int(g[5])) for k, g in sorted(groups.items())]


def price_table(session: Session, actor: Any) -> list[PriceRow]:
    authorize(session, actor, "usage.view_all")
    admin = {p.model: p for p in session.scalars(select(ModelPrice))}
    rows = []
    for model, (inp, out) in DEFAULT_PRICES.items():
        if model in admin:
            continue
        rows.append(PriceRow(model, inp, out, f"default, read {PRICES_READ_ON.isoformat()}", False, True, False))
    for model, p in admin.items():
        rows.append(PriceRow(model, p.input_per_million, p.output_per_million, "set by an admin", p.any_server, False, model in DEFAULT_PRICES))
    return sorted(rows, key=lambda r: r.model)


def _amount(value: Any, what: str, limit: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, e.g. 2.50.") from None
    if number != number or number < 0 or number > limit:
        raise InputError(f"{what} must be between 0 and {limit:,.0f}.")
    return round(number, 6)


def set_price(session: Session, admin: Any, model: str, input_per_million: Any, output_per_million: Any,
              *, any_server: bool = False) -> PriceRow:  # fmt: skip
    admin = authorize(session, admin, "usage.manage")
    model = " ".join(str(model or "").split())
    if not model or len(model) > 120:
        raise InputError("Name the model (up to 120 characters), e.g. gpt-4o-mini.")
    inp = _amount(input_per_million, "The input price per million tokens", MAX_PRICE)
    out = _amount(output_per_million, "The output price per million tokens", MAX_PRICE)
    row = session.scalar(select(ModelPrice).where(ModelPrice.model == model))
    if row is None:
        row = ModelPrice(model=model, input_per_million=inp, output_per_million=out, any_server=any_server)
        session.add(row)
    row.input_per_million, row.output_per_million, row.any_server, row.updated_by = inp, out, any_server, admin.id
    session.flush()
    record(session, admin, "usage.price_set", data={"model": model, "input": inp, "output": out, "any_server": any_server})
    forget_prices()
    return PriceRow(model, inp, out, "set by an admin", any_server, False, model in DEFAULT_PRICES)


def reset_price(session: Session, admin: Any, model: str) -> None:
    """Remove an admin's price (the default applies again, where there is one)."""
    admin = authorize(session, admin, "usage.manage")
    row = session.scalar(select(ModelPrice).where(ModelPrice.model == model))
    if row is None:
        raise NotFound(f"No admin price for {model}.")
    session.delete(row)
    record(session, admin, "usage.price_reset", data={"model": model})
    forget_prices()


def set_budget(session: Session, admin: Any, *, person: str | None, monthly: Any, hard: bool) -> BudgetRow:
    """A person's (``person`` = account name) or the workspace's (None) monthly budget."""
    admin = authorize(session, admin, "usage.manage")
    amount = _amount(monthly, "The monthly budget", MAX_MONTHLY)
    user = None
    if person is not None:
        user = session.scalar(select(User).where(User.name == person))
        if user is None:
            raise NotFound(f"No account named '{person}'.")
    scope = "person" if user else "workspace"
    stmt = select(Budget).where(Budget.scope == scope)
    stmt = stmt.where(Budget.user_id == user.id) if user else stmt.where(Budget.user_id.is_(None))
    budget = session.scalar(stmt)
    if budget is None:
        budget = Budget(scope=scope, user_id=user.id if user else None, monthly=amount, hard=hard)
        session.add(budget)
    budget.monthly, budget.hard, budget.updated_by = amount, hard, admin.id
    session.flush()
    record(session, admin, "usage.budget_set",
           data={"scope": scope, "person": person, "monthly": amount, "hard": hard})  # fmt: skip
    return _budget_row(session, budget, user)


def remove_budget(session: Session, admin: Any, *, person: str | None) -> None:
    admin = authorize(session, admin, "usage.manage")
    stmt = select(Budget)
    if person is None:
        stmt = stmt.where(Budget.scope == "workspace")
    else:
        stmt = stmt.join(User, User.id == Budget.user_id).where(Budget.scope == "person", User.name == person)
    budget = session.scalar(stmt)
    if budget is None:
        raise NotFound("There is no such budget.")
    session.delete(budget)
    record(session, admin, "usage.budget_removed", data={"person": person})


def _budget_row(session: Session, budget: Budget, user: User | None) -> BudgetRow:
    since = month_start()
    spent = _spent(session, user.id if user else None, since)
    return BudgetRow(budget.scope, user.name if user else None, user.label if user else "the workspace",
                     budget.monthly, budget.hard, spent)  # fmt: skip


def list_budgets(session: Session, actor: Any) -> list[BudgetRow]:
    authorize(session, actor, "usage.view_all")
    rows = []
    for budget, user in session.execute(select(Budget, User).join(User, User.id == Budget.user_id, isouter=True)):
        rows.append(_budget_row(session, budget, user))
    return sorted(rows, key=lambda r: (r.scope != "workspace", r.owner.lower()))


def estimate_cost(model: str, endpoint: str, prompt_tokens: int, completion_tokens: int,
                  session: Session | None = None) -> float | None:  # fmt: skip
    price = current_price(model, endpoint, session)
    return None if price is None else price.cost(prompt_tokens, completion_tokens)
