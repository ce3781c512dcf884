"""Claims the chat model finds, where configured (``STUDIO_CLAIMS_EXTRACTION=model``).

The rules run first and always; the model adds statements they miss (a claim without a number or
a keyword: "Our app works offline"). It is asked to copy each claim exactly as it stands in the
text; a claim that is not found verbatim in the text is dropped, so the ledger only ever points
at words the draft really contains. A model failure costs the model's additions, never the
rules' claims.
"""

from __future__ import annotations

import json
import logging
import re

from langchain_core.messages import HumanMessage, SystemMessage

from studio.claims.extract import FoundClaim
from studio.config import Settings
from studio.drafting.providers import get_chat_model, resolve_provider

log = logging.getLogger(__name__)

TEXT_CHARS_SENT = 12_000
SYSTEM = (
    "You list the factual claims in a marketing text: statements a reader could check against a "
    "source (facts about products, companies, people, events, numbers, dates, quotations, "
    "studies, rankings). Skip opinions, advice and calls to action. Copy each claim exactly as it "
    "is written in the text, one sentence at most. Reply with one JSON object and nothing else: "
    '{"claims": ["…", "…"]}.'
)


def model_claims(text: str, settings: Settings) -> list[FoundClaim]:
    """The claims the model lists that occur verbatim in ``text``; [] on any failure."""
    try:
        choice = resolve_provider(settings)
        if choice.is_demo:
            return []
        chat = get_chat_model(settings, choice, temperature=0.0)
        reply = chat.invoke([SystemMessage(SYSTEM), HumanMessage(text[:TEXT_CHARS_SENT])])
        raw = str(reply.content)
        match = re.search(r"\{.*\}", raw, re.S)
        items = json.loads(match.group(0) if match else raw).get("claims", [])
    except Exception as exc:  # noqa: BLE001 - the rules' claims stand on their own
        log.warning("model claim extraction failed: %s", type(exc).__name__)
        return []
    out: list[FoundClaim] = []
    for item in items if isinstance(items, list) else []:
        quote = " ".join(str(item).split()).strip()
        if len(quote) < 8:
            continue
        at = text.find(quote)
        if at < 0:
            continue
        out.append(FoundClaim(quote, at, at + len(quote), ("statement",), {"statement": [quote]}))
    return out
