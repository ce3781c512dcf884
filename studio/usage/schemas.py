"""Plain data for the usage pages and the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class UsageGroup:
    key: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    estimated_calls: int
    cost: float
    unpriced_calls: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PriceRow:
    model: str
    input_per_million: float
    output_per_million: float
    source: str  # the label: "default, read 2025-08-07" | "set by an admin"
    any_server: bool
    is_default: bool
    overrides_default: bool


@dataclass(frozen=True)
class BudgetRow:
    scope: str
    person: str | None  # the account name, None for the workspace
    owner: str  # as people read it
    monthly: float
    hard: bool
    spent: float

    @property
    def left(self) -> float:
        return max(self.monthly - self.spent, 0.0)


@dataclass(frozen=True)
class BudgetStatus:
    lines: list[Any]  # policy.BudgetLine
    warnings: list[str]
