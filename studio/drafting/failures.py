"""Turn provider failures into sentences a marketer can act on."""

from __future__ import annotations

import json

import httpx
import openai

from studio.drafting.providers import ProviderChoice
from studio.errors import StudioError

INTERRUPTED = "Generation was interrupted before it finished (stopped, or the page was left). The text so far is kept."


DROPPED = "The connection to the AI server dropped while the draft was being written. The text so far is kept; retry to finish."


def friendly_error(exc: BaseException, choice: ProviderChoice | None = None, *, mid_stream: bool = False) -> str:
    """`mid_stream`: some text had arrived, so a connection failure is a dropped stream."""
    where = (choice.base_url or "OpenAI") if choice else "the AI server"
    model = choice.model if choice else "the model"
    if isinstance(exc, StudioError):  # a configuration problem, a budget refusal: already in words
        return str(exc)
    if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):
        return INTERRUPTED
    if isinstance(exc, openai.AuthenticationError):
        return (
            "The AI provider rejected the API key. Check OPENAI_API_KEY in the environment or "
            ".streamlit/secrets.toml."
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return f"The API key is not allowed to use {model}. Check the key's project and model access."
    if isinstance(exc, openai.RateLimitError):
        return (
            "The AI provider is limiting requests right now (too many requests, or the account's "
            "quota is used up). Wait a minute and retry."
        )
    if isinstance(exc, openai.NotFoundError):
        return f"The model '{model}' was not found at {where}. Check STUDIO_MODEL on the Settings page."
    if isinstance(exc, openai.APITimeoutError):
        return f"The AI server at {where} did not answer in time. Retry, or raise STUDIO_REQUEST_TIMEOUT."
    if isinstance(exc, openai.APIConnectionError):
        if mid_stream:
            return DROPPED
        return (
            f"Could not reach the AI server at {where}. Check OPENAI_BASE_URL and that the "
            "server is running."
        )
    if isinstance(exc, openai.BadRequestError):
        return f"The AI provider refused the request: {_api_message(exc)}"
    if isinstance(exc, openai.APIStatusError):
        return (
            f"The AI server had a problem (HTTP {exc.status_code}). This is usually temporary: "
            "retry in a moment."
        )
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIResponseValidationError):
        # An error event inside the stream (the model failed part-way): the server's words.
        said = " ".join(str(exc.message or "").split())[:200] or "no details"
        if mid_stream:
            return (
                f"The AI server stopped with an error while writing the draft ({said}). The text "
                "so far is kept; retry to finish."
            )
        return f"The AI server reported an error ({said}). Retry in a moment."
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.StreamError)):
        return DROPPED
    if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError)):
        return "The AI server sent a reply the studio could not read. Check that OPENAI_BASE_URL points at an OpenAI-compatible API."
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return f"The AI server at {where} did not answer in time. Retry, or raise STUDIO_REQUEST_TIMEOUT."
    return f"Generation failed unexpectedly ({type(exc).__name__}). The brief is kept; retry, and tell your admin if it keeps happening."


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        msg = body.get("message") or (body.get("error") or {}).get("message")
        if msg:
            return str(msg)[:300]
    return str(exc)[:300]
