"""`python -m studio check` as a separate process, and OpenAI moderation over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from studio.checks.pipeline import check
from studio.config import Settings

ROOT = Path(__file__).resolve().parents[3]
TEXT = ("Our chairman says this guaranteed plan is crazy good. Write to jo@example.com. "
        "This killer feature is crushing the quarter in Scunthorpe and Middlesex.\n")


def studio(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    full_env.update(STUDIO_SECRETS_FILE="/nonexistent/secrets.toml", HF_HUB_OFFLINE="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "studio", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=full_env, timeout=120)


def test_check_json_contract_from_stdin():
    result = studio("check", "--json", "-", stdin=TEXT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "warn"
    assert {"name", "status", "reason"} <= set(report["backends"][0])
    names = {b["name"]: b["status"] for b in report["backends"]}
    assert names["detoxify"] == "unavailable" and names["profanity-check"] == "ran"
    found = {(f["category"], f["label"], f["text"]) for f in report["findings"] if f["end"] > f["start"]}
    assert ("bias", "gendered", "chairman") in found and ("bias", "ableist", "crazy") in found
    assert ("pii", "email", "jo@example.com") in found and ("claims", "guarantee", "guaranteed") in found
    for f in report["findings"]:
        assert {"category", "label", "start", "end", "text", "severity", "score", "suggestions", "rule"} <= set(f)
        assert TEXT[f["start"]:f["end"]] == f["text"]
    flagged = " ".join(f["text"] for f in report["findings"])
    for innocent in ("killer", "crushing", "Scunthorpe", "Middlesex"):
        assert innocent not in flagged


def test_fail_on_sets_the_exit_status(tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(TEXT)
    assert studio("check", str(path)).returncode == 0
    assert studio("check", "--fail-on", "block", str(path)).returncode == 0
    failed = studio("check", "--fail-on", "warn", str(path))
    assert failed.returncode == 1 and "verdict: warn" in failed.stdout


def test_banned_terms_block(tmp_path):
    result = studio("check", "--json", "-", stdin="Unlike AcmeRival, we ship on time.",
                    env={"STUDIO_BANNED_TERMS": '["AcmeRival"]'})
    report = json.loads(result.stdout)
    assert report["verdict"] == "block"
    assert any(f["category"] == "banned" and f["text"] == "AcmeRival" for f in report["findings"])


def test_openai_moderation_tier_over_http(fake_openai):
    fake_openai.moderation_trigger = "flagme"
    settings = Settings(openai_api_key="sk-test", openai_base_url=fake_openai.base_url, studio_openai_moderation=True)
    report = check("A calm first sentence. Then flagme here, loudly.", settings)
    statuses = {b.name: b.status for b in report.backends}
    assert statuses["openai-moderation"] == "ran"
    assert fake_openai.moderation_requests, "the moderation endpoint was not called"
    tox = [f for f in report.findings if f.category == "toxicity"]
    assert tox and all("flagme" in f.text for f in tox)


def test_openai_moderation_outage_is_named_and_the_fallback_runs(fake_openai):
    fake_openai.fail_next("500", endpoint="moderations", times=5)
    settings = Settings(openai_api_key="sk-test", openai_base_url=fake_openai.base_url,
                        studio_openai_moderation=True, studio_max_retries=0)
    report = check("A calm sentence about gardening.", settings)
    statuses = {b.name: (b.status, b.reason) for b in report.backends}
    assert statuses["openai-moderation"][0] == "unavailable"
    assert statuses["profanity-check"][0] == "ran"
    assert report.verdict != "unavailable"
