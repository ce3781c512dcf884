"""`generate --long`, `generate --variants … --keep N` and `revise` as a person runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def studio(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    full_env.update(STUDIO_DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}", STUDIO_DEMO_WORDS_PER_SECOND="0",
                    STUDIO_SECRETS_FILE=str(tmp_path / "absent.toml"), HF_HUB_OFFLINE="1", **env)
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=180)


BRIEF = ["--type", "blog", "--topic", "Planning a content calendar", "--keywords", "planning"]


def test_long_form_is_automatic_from_1200_words_and_the_json_has_outline_and_sections(tmp_path, fake_openai):
    fake_openai.reply_mode = "writer"
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "STUDIO_MODEL": "fake-gpt"}
    result = studio(tmp_path, "generate", *BRIEF, "--words", "1200", "--json", **env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["error"] is None and not out["incomplete"]
    assert [set(o) for o in out["outline"]] == [{"heading", "points"}] * len(out["outline"])
    assert [s["heading"] for s in out["sections"]] == [o["heading"] for o in out["outline"]]
    assert all(s["text"] in out["text"] for s in out["sections"])
    # Below 1,200 words one pass, unless --long asks for sections.
    short = json.loads(studio(tmp_path, "generate", *BRIEF, "--words", "400", "--json", **env).stdout)
    assert "outline" not in short
    asked = json.loads(studio(tmp_path, "generate", *BRIEF, "--words", "400", "--long", "--json", **env).stdout)
    assert asked["outline"] and asked["sections"]


def test_variants_keep_the_first_unless_told_and_revise_makes_a_revision(tmp_path, fake_openai):
    fake_openai.reply_mode = "writer"
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "STUDIO_MODEL": "fake-gpt"}
    result = studio(tmp_path, "generate", *BRIEF, "--variants", "0.3,0.9,1.3", "--keep", "3", "--json", **env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [v["temperature"] for v in out["variants"]] == [0.3, 0.9, 1.3]
    assert all(v["words"] == len(v["text"].split()) > 50 for v in out["variants"])
    assert out["text"] == out["variants"][2]["text"] and out["kept"] == 3
    first = json.loads(studio(tmp_path, "generate", *BRIEF, "--variants", "0.2,1.0", "--json", **env).stdout)
    assert first["text"] == first["variants"][0]["text"]

    revised = studio(tmp_path, "revise", str(out["draft_id"]), "--instruction", "add a call to action for the webinar",
                     "--section", "1", "--json", **env)
    assert revised.returncode == 0, revised.stderr
    data = json.loads(revised.stdout)
    assert set(data) >= {"revision", "text", "draft_version"} and data["revision"] == 2
    assert "Call to action for the webinar." in data["text"]


def test_bad_flags_are_named(tmp_path):
    assert "--variants" in studio(tmp_path, "generate", *BRIEF, "--variants", "0.3").stderr
    assert "--keep" in studio(tmp_path, "generate", *BRIEF, "--variants", "0.3,0.9", "--keep", "5").stderr
    assert "--keep" in studio(tmp_path, "generate", *BRIEF, "--keep", "2").stderr
    studio(tmp_path, "generate", *BRIEF, "--json")
    bad = studio(tmp_path, "revise", "1", "--instruction", "shorter", "--section", "9")
    assert bad.returncode == 2 and "--section" in bad.stderr
    missing = studio(tmp_path, "revise", "99", "--instruction", "shorter")
    assert missing.returncode == 1 and "Draft 99 does not exist" in missing.stderr


def test_long_form_with_the_demo_writer(tmp_path):
    result = studio(tmp_path, "generate", *BRIEF, "--words", "1500")
    assert result.returncode == 0, result.stderr
    assert "# Outline: Introduction" in result.stderr and "## Conclusion" in result.stdout
