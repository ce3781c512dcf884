"""The Settings page's "Test connection": one tiny request to the configured model."""

from __future__ import annotations

from studio.config import Settings
from studio.drafting.demo import DEMO_LABEL
from studio.drafting.failures import friendly_error
from studio.drafting.providers import ProviderConfigError, get_chat_model, resolve_provider


def check_connection(settings: Settings, provider: str | None = None, model: str | None = None) -> str:
    """One tiny request; returns a sentence for the Settings page or raises with a clear message."""
    choice = resolve_provider(settings, provider, model)
    if choice.is_demo:
        return f"{DEMO_LABEL}. Nothing to connect to: set OPENAI_API_KEY or OPENAI_BASE_URL to use a model."
    chat = get_chat_model(settings, choice, temperature=0.0)
    try:
        reply = chat.invoke("Reply with the single word: ready", max_tokens=5)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the person
        raise ProviderConfigError(friendly_error(exc, choice)) from exc
    return f"Connected to {choice.label}; the model replied: {str(reply.content).strip()[:40]!r}."
