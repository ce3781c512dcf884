"""`python -m studio prompts …`: the contracts the issue names, run as a person would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.prompts.conftest import V2_SYSTEM

ROOT = Path(__file__).resolve().parents[3]


def studio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=180)  # fmt: skip


@pytest.mark.usefixtures("sqlite_only")
def test_add_split_list_and_stats_from_the_command_line(engine, people, tmp_path):
    listed = studio("prompts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["content_type"], r["number"], r["status"], r["share"]) for r in rows] == [
        ("blog", 1, "live", 1.0), ("news", 1, "live", 1.0), ("story", 1, "live", 1.0)]

    version = tmp_path / "blog-v2.yaml"
    version.write_text(json.dumps({"system": V2_SYSTEM, "label": "closing promise"}), encoding="utf-8")
    refused = studio("prompts", "add", "--type", "blog", "--from-file", str(version), "--as", "mara")
    assert refused.returncode == 1 and "Only editors and admins" in refused.stderr
    added = studio("prompts", "add", "--type", "blog", "--from-file", str(version), "--as", "dana")
    assert added.returncode == 0, added.stderr
    assert "Added version 2 of the blog prompt" in added.stdout

    bad = tmp_path / "bad.txt"
    bad.write_text("Write about {subject}.", encoding="utf-8")
    wrong = studio("prompts", "add", "--type", "blog", "--from-file", str(bad), "--as", "dana")
    assert wrong.returncode == 1 and "{subject}" in wrong.stderr and "{topic}" in wrong.stderr
    missing = studio("prompts", "add", "--type", "blog", "--from-file", str(tmp_path / "nope.txt"), "--as", "dana")
    assert missing.returncode == 2 and "nope.txt" in missing.stderr

    split = studio("prompts", "split", "--type", "blog", "--version", "2", "--share", "0.5", "--as", "dana")
    assert split.returncode == 0, split.stderr
    blog = json.loads(studio("prompts", "list", "--type", "blog", "--json").stdout)
    assert [(r["number"], r["status"], r["share"], r["label"]) for r in blog] == [
        (1, "live", 0.5, "Built-in"), (2, "testing", 0.5, "closing promise")]
    too_much = studio("prompts", "split", "--type", "blog", "--version", "2", "--share", "2", "--as", "dana")
    assert too_much.returncode == 2 and "from 0 to 1" in too_much.stderr

    stats = studio("prompts", "stats", "--type", "blog", "--json")
    assert stats.returncode == 0, stats.stderr
    found = json.loads(stats.stdout)
    assert [s["version"]["number"] for s in found] == [1, 2]
    assert set(found[0]) == {"version", "drafts", "approved", "rejected", "pending", "approval_rate",
                             "median_edit_distance_words", "median_edit_ratio", "findings_per_1000_words",
                             "median_hours_to_approval"}  # fmt: skip
    assert found[1]["approval_rate"] == {"value": None, "low": None, "high": None, "n": 0}
    text = studio("prompts", "stats", "--type", "blog")
    assert "approval rate" in text.stdout and "Intervals are 95%" in text.stdout
