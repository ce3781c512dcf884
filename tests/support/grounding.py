"""What the voice, source, claim and language tests share: sample texts, a source, settings that
point the studio at the local OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

from studio.config import reload_settings
from studio.voices.schemas import Sample

ROOT = Path(__file__).resolve().parents[2]
AUTHORS = ROOT / "bench" / "data" / "authors"

FACT_SHEET = """# Acme Planner 3.0 fact sheet

Acme Planner 3.0 launched on March 4, 2025. In a 2024 pilot with 120 customers, teams cut the time
they spend planning by 40%.

The planner syncs with Google Calendar and Outlook, works offline and keeps all data in the EU.

"We finally see the whole quarter on one page," said Ana Ruiz, head of marketing at Northwind.
"""

# Three samples of a made-up brand voice: short sentences, "we" and "you", contractions, US
# spelling, the Oxford comma, sentence-case headings, "customers" (never "users").
BRAND_SAMPLES = [
    Sample("launch.md", "# Meet the new planner\n\nWe built it for busy teams. You'll plan a whole quarter in an "
           "afternoon. It's fast, simple, and secure. Our customers told us what slowed them down, and we "
           "listened. Want to see it? Start a free trial today. We're here if you need us.\n"),
    Sample("update.md", "# What's new this spring\n\nWe've added offline mode. You can write on the train, sync "
           "when you land, and never lose a draft. Our customers asked for it, so we made it happen. It's "
           "included in every plan. Questions? Our team answers within a day. We love hearing from you.\n"),
    Sample("guide.md", "# How to plan your content calendar\n\nStart with your goals. You don't need a big team "
           "to plan well. Pick three themes, set a rhythm, and review every week. We've seen customers "
           "double their output this way. It's not magic. It's a habit you can build, and we'll help.\n"),
]


def author_samples(author: str, count: int = 5) -> list[Sample]:
    files = sorted((AUTHORS / author / "voice").glob("*.txt"))[:count]
    return [Sample(f.name, f.read_text(encoding="utf-8")) for f in files]


def point_at(server, monkeypatch, **extra: str):  # type: ignore[no-untyped-def]
    """Settings that send every model call to ``server`` (a FakeOpenAI)."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_REQUEST_TIMEOUT", "5")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    return reload_settings()


def cli(db_url: str, *args: str, stdin: str | None = None, **env: str):  # type: ignore[no-untyped-def]
    """``python -m studio ARGS`` in a fresh process on ``db_url``, with no keys of the developer's."""
    import os
    import subprocess
    import sys

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    full_env.update(STUDIO_DATABASE_URL=db_url, STUDIO_SECRETS_FILE=str(ROOT / "no-secrets.toml"),
                    HF_HUB_OFFLINE="1", **env)  # fmt: skip
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True, cwd=ROOT,
                          env=full_env, timeout=180, input=stdin)  # fmt: skip
