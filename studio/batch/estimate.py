"""What a row, and a batch, will cost before anything is sent.

A row is one draft call (the prompt as it will be sent, counted; a reply of the brief's target
length at about 4 tokens per 3 words) and one publishing-fields call (the reply sent back as the
prompt, a short answer). Prices are today's (studio.usage); a local server's calls cost 0.
"""

from __future__ import annotations

from typing import Any

from studio.drafting.brief import Brief
from studio.drafting.prompts import build_messages
from studio.usage import tokens
from studio.usage.recorder import endpoint_of
from studio.usage.service import current_price

FIELDS_PROMPT_OVERHEAD = 250
FIELDS_REPLY_TOKENS = 200


def row_tokens(brief: Brief, model: str) -> tuple[int, int]:
    """(prompt, completion) tokens a row is expected to use, both calls together."""
    prompt, _ = tokens.count_messages(build_messages(brief), model)
    reply = tokens.expected_tokens_for_words(brief.target_words)
    return prompt + reply + FIELDS_PROMPT_OVERHEAD, reply + FIELDS_REPLY_TOKENS


def row_cost(brief: Brief, provider: str, model: str, base_url: str | None, session: Any = None) -> float | None:
    """Dollars, 0 for the demo writer and local servers, None when the model has no price."""
    if provider == "demo":
        return 0.0
    price = current_price(model, endpoint_of(base_url), session)
    if price is None:
        return None
    prompt, completion = row_tokens(brief, model)
    return price.cost(prompt, completion)


def brief_of(values: dict[str, Any]) -> Brief:
    return Brief(**{**values, "keywords": list(values.get("keywords") or [])})
