"""`python -m studio init-db` and `generate` as a person runs them, and the database they leave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[3]


def studio(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    full_env.update(STUDIO_DATABASE_URL=f"sqlite:///{tmp_path / 'nested' / 'studio.db'}",
                    STUDIO_SECRETS_FILE=str(tmp_path / "absent.toml"), HF_HUB_OFFLINE="1", **env)
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=120)


def test_init_db_creates_the_folder_and_every_connection_gets_the_pragmas(tmp_path):
    from tests.integration.db.test_postgres_migrations import head

    result = studio(tmp_path, "init-db")
    assert result.returncode == 0 and f"(schema {head()})." in result.stdout
    from studio.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'studio.db'}")
    for _ in range(2):  # a second pooled connection gets them too
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        engine.dispose()


def test_generate_json_with_the_demo_writer(tmp_path):
    result = studio(tmp_path, "generate", "--type", "story", "--topic", "A bakery's first sourdough",
                    "--keywords", "patience,flour", "--tone", "witty", "--formality", "5",
                    "--temperature", "1.3", "--words", "300", "--seed", "4", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"draft_id", "status", "text", "provider", "model", "temperature"} <= set(out)
    assert out["provider"] == "demo" and out["temperature"] == 1.3 and out["status"] == "draft"
    again = json.loads(studio(tmp_path, "generate", "--type", "story", "--topic", "A bakery's first sourdough",
                              "--keywords", "patience,flour", "--tone", "witty", "--formality", "5",
                              "--temperature", "1.3", "--words", "300", "--seed", "4", "--json").stdout)
    assert again["text"] == out["text"] and again["draft_id"] == out["draft_id"] + 1
    engine = create_engine(f"sqlite:///{tmp_path / 'nested' / 'studio.db'}")
    with engine.connect() as c:
        body = c.execute(text("SELECT body FROM revisions WHERE draft_id = :d"), {"d": out["draft_id"]}).scalar()
    assert body == out["text"]


def test_generate_against_the_local_server(tmp_path, fake_openai):
    fake_openai.reply = "# Short\n\nA short reply.\n"
    result = studio(tmp_path, "generate", "--type", "blog", "--topic", "x", "--json", "--model", "o3-mini",
                    OPENAI_BASE_URL=fake_openai.base_url)
    out = json.loads(result.stdout)
    assert out["provider"] == "openai" and out["model"] == "o3-mini" and out["temperature"] is None
    assert out["text"] == fake_openai.reply


def test_bad_input_names_the_flag_and_makes_no_call(tmp_path):
    cases = [
        (["--type", "poem", "--topic", "x"], "--type: Unknown content type 'poem'"),
        (["--type", "blog", "--topic", "  "], "--topic: Topic is empty"),
        (["--type", "blog", "--topic", "x" * 301], "--topic: Topic is 301 characters; the limit is 300"),
        (["--type", "blog", "--topic", "x", "--temperature", "2.5"], "--temperature: Temperature must be between"),
        (["--type", "blog", "--topic", "x", "--words", "5"], "--words: Target length must be"),
        (["--type", "blog", "--topic", "x", "--provider", "openai"], "needs OPENAI_API_KEY"),
    ]
    for args, message in cases:
        result = studio(tmp_path, "generate", *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)


def test_unreachable_server_exits_1_and_keeps_the_brief(tmp_path):
    result = studio(tmp_path, "generate", "--type", "blog", "--topic", "Kept brief", "--json",
                    OPENAI_BASE_URL="http://127.0.0.1:9/v1", STUDIO_MAX_RETRIES="0")
    assert result.returncode == 1 and "Could not reach the AI server" in result.stderr
    out = json.loads(result.stdout)
    assert out["incomplete"] is True
    engine = create_engine(f"sqlite:///{tmp_path / 'nested' / 'studio.db'}")
    with engine.connect() as c:
        assert c.execute(text("SELECT topic FROM drafts WHERE id = :d"), {"d": out["draft_id"]}).scalar() == "Kept brief"
