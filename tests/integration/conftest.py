"""Fixtures for integration tests (real HTTP on loopback, no internet)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from tests.support.fake_openai import FakeOpenAI
except ModuleNotFoundError:  # pytest started without the repo root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI on a free loopback port; stopped after the test."""
    with FakeOpenAI() as server:
        yield server
