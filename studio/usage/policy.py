"""Budgets: whether a call may go out, and what to warn about (pure).

A hard budget refuses a call that would take the month's spend past it, before the call is
sent; the message says whose budget it is and how much is left. A soft budget never refuses: it
warns from WARN_AT of the budget on, and again once it is passed.
"""

from __future__ import annotations

from dataclasses import dataclass

WARN_AT = 0.8


def money(amount: float | None) -> str:
    if amount is None:
        return "unknown"
    if 0 < abs(amount) < 0.01:
        return f"${amount:.4f}"
    return f"${amount:,.2f}"


@dataclass(frozen=True)
class BudgetLine:
    scope: str  # person | workspace
    owner: str  # the person's name as people read it, or "the workspace"
    monthly: float
    hard: bool
    spent: float

    @property
    def left(self) -> float:
        return max(self.monthly - self.spent, 0.0)

    @property
    def whose(self) -> str:
        return "The workspace's" if self.scope == "workspace" else f"{self.owner}'s"

    @property
    def kind(self) -> str:
        return "hard" if self.hard else "soft"

    @property
    def used_ratio(self) -> float:
        return self.spent / self.monthly if self.monthly > 0 else (1.0 if self.spent > 0 else 0.0)


def refusal(lines: list[BudgetLine], estimate: float) -> str | None:
    """The message refusing a call estimated at ``estimate`` dollars, or None when it may go."""
    for line in lines:
        if not line.hard:
            continue
        if line.spent >= line.monthly or line.spent + estimate > line.monthly:
            return (
                f"Not sent: {line.whose} monthly budget of {money(line.monthly)} has {money(line.left)} "
                f"left, and this call would cost about {money(estimate)}. An admin can raise the "
                "budget on the Usage & budgets page (or with python -m studio budgets set)."
            )
    return None


def warnings(lines: list[BudgetLine]) -> list[str]:
    out = []
    for line in lines:
        if line.hard and line.spent < line.monthly * WARN_AT:
            continue
        if line.spent >= line.monthly:
            if line.hard:
                out.append(f"{line.whose} monthly budget of {money(line.monthly)} is used up: model calls are refused until next month or until an admin raises it.")
            else:
                out.append(f"{line.whose} monthly budget of {money(line.monthly)} is passed ({money(line.spent)} spent). It is a soft budget: calls still go out.")
        elif line.spent >= line.monthly * WARN_AT:
            out.append(f"{line.whose} monthly budget is {line.used_ratio:.0%} used: {money(line.left)} of {money(line.monthly)} left.")
    return out
