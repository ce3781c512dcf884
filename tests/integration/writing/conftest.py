"""The local server answering the writing workspace's prompts, and the studio pointed at it."""

from __future__ import annotations

import pytest

from studio.config import reload_settings


@pytest.fixture
def writer_server(fake_openai, monkeypatch):
    fake_openai.reply_mode = "writer"
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    monkeypatch.setenv("STUDIO_REQUEST_TIMEOUT", "5")
    reload_settings()
    return fake_openai

