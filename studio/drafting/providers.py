"""Chat-model providers behind one function: OpenAI-compatible servers, or the offline demo."""

from __future__ import annotations

import contextvars
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
from langchain_core.language_models import BaseChatModel

from studio.config import Settings
from studio.drafting.demo import DEMO_LABEL, DEMO_MODEL, DemoWriter
from studio.errors import StudioError
from studio.usage.recorder import UsageCallback

# o-series and gpt-5 reasoning models reject `temperature`; gpt-5's "-chat" variants accept it.
_REASONING_MODEL = re.compile(r"^(o\d+(-|$)|gpt-5(?!.*-chat))", re.IGNORECASE)


class ProviderConfigError(StudioError, ValueError):
    """The provider cannot be used as configured; the message names the fix."""


def with_override(settings: Settings, override: dict[str, Any] | None) -> Settings:
    """Settings with a session's provider/model/base-URL choice applied.

    The configured API key belongs to the configured server: when the base URL is changed, the
    key is dropped, so it is never sent to an address someone typed in.
    """
    update = {k: v for k, v in (override or {}).items()
              if k in {"studio_provider", "studio_model", "openai_base_url"} and v not in (None, "")}
    if not update:
        return settings
    if update.get("openai_base_url", settings.openai_base_url) != settings.openai_base_url:
        update["openai_api_key"] = None
    return settings.model_copy(update=update)


def model_accepts_temperature(model: str) -> bool:
    return not _REASONING_MODEL.match(model.strip().split("/")[-1])


@dataclass
class ProviderChoice:
    provider: str  # "openai" | "demo"
    model: str
    base_url: str | None
    sends_temperature: bool
    label: str
    notice: str | None = None

    @property
    def is_demo(self) -> bool:
        return self.provider == "demo"


def resolve_provider(settings: Settings, provider: str | None = None, model: str | None = None) -> ProviderChoice:
    wanted = (provider or settings.studio_provider or "auto").lower()
    if wanted not in {"auto", "openai", "demo"}:
        raise ProviderConfigError(f"Unknown provider '{wanted}'. Use auto, openai or demo.")
    if wanted == "auto":
        wanted = "openai" if settings.openai_configured else "demo"
    if wanted == "demo":
        return ProviderChoice("demo", DEMO_MODEL, None, True, DEMO_LABEL)

    if not settings.openai_configured:
        raise ProviderConfigError(
            "Provider 'openai' needs OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for a local "
            "OpenAI-compatible server such as Ollama or vLLM). Set it in the environment or in "
            ".streamlit/secrets.toml, or choose the demo writer."
        )
    base_url = settings.openai_base_url
    if base_url:
        parsed = urlparse(base_url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ProviderConfigError(
                f"OPENAI_BASE_URL '{base_url}' is not a web address; it should look like "
                "http://localhost:11434/v1."
            )
    model_name = (model or settings.studio_model).strip()
    if not model_name:
        raise ProviderConfigError("No model name: set STUDIO_MODEL, e.g. gpt-4o-mini or llama3.1.")
    sends = model_accepts_temperature(model_name)
    notice = None if sends else (
        f"{model_name} is a reasoning model that does not accept a temperature; "
        "the temperature slider is not sent."
    )
    where = urlparse(base_url).netloc if base_url else "OpenAI"
    return ProviderChoice("openai", model_name, base_url, sends, f"{model_name} via {where}", notice)


@dataclass
class RequestRecorder:
    """Keeps what went over the wire: the parameters actually sent, not what we meant to send."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, request: httpx.Request) -> None:
        try:
            body = json.loads(request.content or b"{}")
        except (ValueError, UnicodeDecodeError):
            return
        if isinstance(body, dict):
            body.pop("messages", None)
            with self._lock:
                self.sent.append(body)

    @property
    def last(self) -> dict[str, Any]:
        with self._lock:
            return dict(self.sent[-1]) if self.sent else {}


# The HTTP client is shared (each new one pays for a TLS set-up); which run's recorder hears
# a request is decided by this context variable, set around each run's own requests.
current_recorder: contextvars.ContextVar[RequestRecorder | None] = contextvars.ContextVar(
    "current_recorder", default=None
)
_http_clients: dict[float, httpx.Client] = {}
_http_clients_lock = threading.Lock()


def _record_request(request: httpx.Request) -> None:
    recorder = current_recorder.get()
    if recorder is not None:
        recorder.hook(request)


def _shared_http_client(timeout: float) -> httpx.Client:
    with _http_clients_lock:
        client = _http_clients.get(timeout)
        if client is None:
            client = httpx.Client(event_hooks={"request": [_record_request]}, timeout=timeout)
            _http_clients[timeout] = client
        return client


def get_chat_model(
    settings: Settings,
    choice: ProviderChoice,
    *,
    temperature: float,
    seed: int | None = None,
) -> BaseChatModel:
    """The one place a chat model is made."""
    if choice.is_demo:
        return DemoWriter(seed=seed, temperature=temperature, words_per_second=settings.studio_demo_words_per_second)

    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {
        "model": choice.model,
        "timeout": settings.studio_request_timeout,
        "max_retries": settings.studio_max_retries,
        "stream_usage": True,
    }
    if choice.base_url:
        kwargs["base_url"] = choice.base_url
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    # Local servers (Ollama, vLLM, llama.cpp) ignore the key but the client insists on one.
    kwargs["api_key"] = key or "not-needed"
    if choice.sends_temperature:
        kwargs["temperature"] = temperature
    if seed is not None:
        kwargs["seed"] = seed
    kwargs["http_client"] = _shared_http_client(settings.studio_request_timeout)
    # Every call is recorded and held to the budgets (studio.usage.recorder).
    kwargs["callbacks"] = [UsageCallback(choice.provider, choice.model, choice.base_url)]
    chat = ChatOpenAI(**kwargs)
    chat.client = DictChunkCompletions(chat.client)
    return chat


class DictChunkCompletions:
    """``client.chat.completions`` for ChatOpenAI, whose streamed chunks are the JSON objects
    the server sent.

    ChatOpenAI's stream turns every SDK chunk object straight back into a dict
    (``model_dump``) and reads only that; building and dumping a pydantic object per chunk
    costs more CPU than everything else in the studio's generate path (``bench/bench_generate.py``
    measures it). The SDK hands out the dicts it parsed when the stream's chunk
    type is ``object``; ChatOpenAI takes dict chunks as they are. The request itself still goes
    through ``create``: same body, headers, key, retries, errors and in-stream error events.
    Everything else (non-streamed calls, ``with_raw_response`` …) is the SDK's own.
    """

    def __init__(self, completions: Any) -> None:
        self._completions = completions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._completions, name)

    def create(self, **payload: Any) -> Any:
        if not payload.get("stream"):
            return self._completions.create(**payload)
        from openai import Stream

        return self._completions.with_raw_response.create(**payload).parse(to=Stream[object])
