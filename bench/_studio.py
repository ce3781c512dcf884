"""Shared set-up for the generation benchmarks: the local model server and a studio beside it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import openai

from tests.support.fake_openai import FakeOpenAI

BRIEF = dict(content_type="blog", topic="Planning a content calendar", audience="small teams",
             keywords="planning,SEO", tone="friendly", formality=3, temperature=0.7)


@dataclass
class Studio:
    server: FakeOpenAI
    client: openai.OpenAI  # the plain SDK, for the side-by-side figure
    settings: Any
    engine: Any
    user: Any
    messages: list[dict[str, str]]  # the prompt the studio sends, for the plain call


@contextmanager
def studio_and_server(words: int) -> Iterator[Studio]:
    tmp = tempfile.mkdtemp(prefix="studio-bench-")
    with FakeOpenAI(reply_words=words, delay=0.0) as server:
        os.environ.update(
            STUDIO_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="sk-bench",
            STUDIO_MODEL="fake-gpt",
            STUDIO_SECRETS_FILE=f"{tmp}/absent.toml",
        )
        from studio.accounts.service import create_first_admin
        from studio.config import reload_settings
        from studio.db import get_engine, migrate, session_scope
        from studio.drafting.brief import Brief
        from studio.drafting.prompts import build_messages, messages_as_records

        settings = reload_settings()
        engine = get_engine()
        migrate(engine)
        with session_scope(engine) as s:
            user = create_first_admin(s, "bench", "bench-password-123")
        messages = messages_as_records(build_messages(Brief.create(**BRIEF, target_words=words)))
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-bench")
        yield Studio(server, client, settings, engine, user, messages)
