"""Model prices in US dollars per million tokens: shipped defaults, admin prices, local servers.

The defaults are OpenAI's standard-tier list prices for common models as published on
PRICES_READ_ON (they change: an admin's price for a model replaces the default, on the Usage &
budgets page or with ``python -m studio prices set``). A call to any server other than OpenAI's
(Ollama, vLLM, llama.cpp …) costs 0 unless an admin priced that model "for any server".
Each call's cost is stored with the call, so a later price change never rewrites history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

PRICES_READ_ON = date(2025, 8, 7)
PRICES_SOURCE = "OpenAI's API pricing page (standard tier)"

# model: (input, output) in US dollars per million tokens.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-chat-latest": (1.25, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "o1": (15.00, 60.00),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "omni-moderation-latest": (0.0, 0.0),
    "text-moderation-latest": (0.0, 0.0),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
    "text-embedding-ada-002": (0.10, 0.0),
}

OPENAI_HOSTS = frozenset({"", "api.openai.com"})


@dataclass(frozen=True)
class Price:
    model: str
    input_per_million: float
    output_per_million: float
    # default | admin | local
    source: str
    any_server: bool = False

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1_000_000

    @property
    def label(self) -> str:
        if self.source == "default":
            return f"default, read {PRICES_READ_ON.isoformat()}"
        if self.source == "local":
            return "local server: free"
        return "set by an admin"


def is_openai(endpoint: str | None) -> bool:
    return (endpoint or "").lower() in OPENAI_HOSTS


def _match(model: str, table: Mapping[str, object]) -> str | None:
    """The table's key for ``model``: the exact name, else the longest key that is the model's
    name without a dated or other suffix (``gpt-4o-mini-2024-07-18`` → ``gpt-4o-mini``)."""
    name = model.strip().split("/")[-1].lower()
    keys = {k.lower(): k for k in table}
    if name in keys:
        return keys[name]
    best = max((k for k in keys if name.startswith(k + "-")), key=len, default=None)
    return keys[best] if best else None


def resolve(model: str, endpoint: str | None, admin: Mapping[str, tuple[float, float, bool]]) -> Price | None:
    """The price of a call to ``model`` at ``endpoint`` (host); None when nobody knows it.

    ``admin`` maps model → (input, output, any_server) as admins set them.
    """
    key = _match(model, admin)
    if key is not None:
        inp, out, any_server = admin[key]
        if any_server or is_openai(endpoint):
            return Price(key, float(inp), float(out), "admin", bool(any_server))
    if not is_openai(endpoint):
        return Price(model, 0.0, 0.0, "local")
    key = _match(model, DEFAULT_PRICES)
    if key is None:
        return None
    inp, out = DEFAULT_PRICES[key]
    return Price(key, inp, out, "default")
