"""Vectors from an OpenAI-compatible ``/embeddings`` endpoint, when one is configured.

``STUDIO_EMBEDDINGS_MODEL`` turns it on; the server is ``STUDIO_EMBEDDINGS_BASE_URL``, else
``OPENAI_BASE_URL``, else OpenAI (with ``OPENAI_API_KEY``). The key only goes to the configured
OpenAI server or base URL: a separate embeddings base URL gets no key unless it is the same
server. Nothing here is needed for search to work: BM25 runs without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.errors import StudioError

BATCH = 64


class EmbeddingsUnavailable(StudioError):
    """The embeddings endpoint could not be used; search falls back to BM25 alone."""


@dataclass(frozen=True)
class EmbeddingsConfig:
    model: str
    base_url: str | None
    api_key: str


def embeddings_config(settings) -> EmbeddingsConfig | None:  # type: ignore[no-untyped-def]
    """The endpoint to use, or None when semantic search is not configured."""
    model = (settings.studio_embeddings_model or "").strip()
    if not model:
        return None
    base = settings.studio_embeddings_base_url or settings.openai_base_url
    same_server = settings.studio_embeddings_base_url in (None, settings.openai_base_url)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key and same_server else None
    if base is None and key is None:
        return None
    return EmbeddingsConfig(model, base, key or "not-needed")


def embed(config: EmbeddingsConfig, texts: Sequence[str], settings) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """One vector per text, in order; EmbeddingsUnavailable says what went wrong."""
    import openai

    from studio.usage.recorder import track_calls

    client = track_calls(openai.OpenAI(
        api_key=config.api_key, base_url=config.base_url, timeout=settings.studio_request_timeout,
        max_retries=settings.studio_max_retries,
    ), config.base_url)  # fmt: skip
    out: list[list[float]] = []
    try:
        for i in range(0, len(texts), BATCH):
            batch = [t or " " for t in texts[i : i + BATCH]]
            response = client.embeddings.create(model=config.model, input=batch)
            rows = sorted(response.data, key=lambda d: d.index)
            if len(rows) != len(batch):
                raise EmbeddingsUnavailable(f"the embeddings server returned {len(rows)} vectors for {len(batch)} texts")
            out.extend([float(x) for x in row.embedding] for row in rows)
    except openai.OpenAIError as exc:
        where = config.base_url or "OpenAI"
        raise EmbeddingsUnavailable(f"Semantic search is off for now: the embeddings server at {where} "
                                    f"failed ({type(exc).__name__}).") from exc
    finally:
        client.close()
    return out
