"""`python -m studio feedback export` and its service, over drafts made through the workflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.feedback import rules
from studio.feedback.service import FeedbackError, Filters, export_feedback
from studio.models import AuditEvent

ROOT = Path(__file__).resolve().parents[3]


def studio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def audit_rows(engine) -> list[AuditEvent]:
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.export")).all()
        s.expunge_all()
        return rows


def test_sft_lines_pair_each_brief_with_its_approved_text_and_are_audited(engine, people, record, tmp_path):
    out, side = tmp_path / "sft.jsonl", tmp_path / "sft.provenance.jsonl"
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--provenance", str(side), "--as", "ada")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote 3 supervised pairs (OpenAI fine-tuning chat format) from 3 approved")
    rows, provenance = lines(out.read_text("utf-8")), lines(side.read_text("utf-8"))
    assert len(rows) == len(provenance) == 3
    for row, prov in zip(rows, provenance):
        assert tuple(row) == rules.SFT_KEYS
        system, user, assistant = row["messages"]
        assert [system["role"], user["role"], assistant["role"]] == ["system", "user", "assistant"]
        assert assistant["content"] == record.approved_text[prov["draft_id"]]
        assert "Brief:" in user["content"] and system["content"].startswith("You are an experienced content writer")
        assert prov["model"] == "fake-gpt" and prov["provider"] == "openai" and prov["source"] == "approved"
        assert prov["approved_revision"]["number"] >= prov["first_generated_revision"]["number"] == 1
        assert prov["prompt_version"] == 1 and len(prov["prompt_sha256"]) == 64  # the built-in version
    assert [p["line"] for p in provenance] == [1, 2, 3]
    assert {p["draft_id"] for p in provenance} == {record.edited, record.unchanged, record.touched}
    by_id = {p["draft_id"]: p for p in provenance}
    assert by_id[record.unchanged]["edit_distance"] == 0 and by_id[record.edited]["edit_ratio"] > 0.2
    assert "Planning a content calendar" in rows[[p["draft_id"] for p in provenance].index(record.edited)]["messages"][1]["content"]
    # The contact line is personal data, left in: the summary says so.
    assert "1 email, 1 phone" in result.stdout and "--redact-pii" in result.stdout
    [event] = audit_rows(engine)
    assert event.actor_name == "ada" and event.data["format"] == "sft" and event.data["rows"] == 3
    assert event.data["redact_pii"] is False and event.data["destination"] == str(out)
    assert sorted(event.data["drafts"]) == sorted([record.edited, record.unchanged, record.touched])


def test_dpo_pairs_the_approved_text_with_the_model_text_editors_changed_and_the_rejected_draft(engine, people, record):
    with session_scope(engine) as s:
        result = export_feedback(s, people.admin, "dpo")
    assert len(result.rows) == 2
    for row in result.rows:
        assert tuple(row) == rules.DPO_KEYS
        assert [m["role"] for m in row["prompt"]] == ["system", "user"]
        assert row["chosen"] == [{"role": "assistant", "content": record.approved_text[record.edited]}]
    rejected = sorted(r["rejected"][0]["content"] for r in result.rows)
    assert rejected == sorted([record.first_text[record.edited], record.first_text[record.rejected]])
    sources = {p["source"]: p for p in result.provenance}
    assert set(sources) == {rules.EDITED, rules.REJECTED_DRAFT}
    assert sources[rules.REJECTED_DRAFT]["rejected_draft_id"] == record.rejected
    assert sources[rules.EDITED]["rejected_revision"]["number"] == 1
    assert all(p["draft_id"] == record.edited for p in result.provenance)
    # The one-word edit counts only when asked to.
    with session_scope(engine) as s:
        again = export_feedback(s, people.admin, "dpo", min_edit=rules.MinEdit.parse("1"), filters=Filters(content_type="news"))
    [prov] = again.provenance
    assert prov["draft_id"] == record.touched and prov["edit_distance"] == 1
    assert len(audit_rows(engine)) == 2


def test_redact_pii_removes_the_email_and_phone_from_every_line(engine, people, record):
    result = studio("feedback", "export", "--format", "dpo", "--out", "-", "--redact-pii", "--as", "ada")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "jane.doe@example.com" not in text and "7946 0958" not in text
    rows = lines(text)
    assert len(rows) == 2
    assert all("[EMAIL]" in r["chosen"][0]["content"] and "[PHONE]" in r["chosen"][0]["content"] for r in rows)
    assert "Personal data replaced: 2 email, 2 phone." in result.stderr
    [event] = audit_rows(engine)
    assert event.data["redacted"] == {"email": 2, "phone": 2} and event.data["destination"] == "standard output"


def test_non_admins_are_refused_and_nothing_is_written(engine, people, record, tmp_path):
    out = tmp_path / "sft.jsonl"
    for who in (["--as", "dana"], ["--as", "mara"], []):
        result = studio("feedback", "export", "--format", "sft", "--out", str(out), *who)
        assert result.returncode == 1
        assert "Only admins can export editor feedback as training data." in result.stderr
    assert "--as NAME" in result.stderr
    assert not out.exists() and audit_rows(engine) == []
    with session_scope(engine) as s, pytest.raises(Exception, match="Only admins"):
        export_feedback(s, people.editor, "sft")


def test_nothing_qualifies_exits_1_with_a_sentence_and_writes_nothing(engine, people, record, tmp_path):
    out = tmp_path / "x.jsonl"
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--type", "story", "--as", "ada")
    assert result.returncode == 1
    assert "error: Nothing to export: no approved drafts of type story. No file was written." in result.stderr
    result = studio("feedback", "export", "--format", "dpo", "--out", str(out), "--min-edit-distance", "100%", "--as", "ada")
    assert result.returncode == 1
    assert "none of the 3 approved draft(s) makes a preference pair" in result.stderr
    assert "by at least 100% of the words" in result.stderr
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--since", "2999-01-01", "--as", "ada")
    assert result.returncode == 1 and "approved since 2999-01-01" in result.stderr
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--model", "gpt-other", "--as", "ada")
    assert result.returncode == 1 and "written by gpt-other" in result.stderr
    assert not out.exists() and audit_rows(engine) == []
    with session_scope(engine) as s, pytest.raises(FeedbackError, match="in the witty voice"):
        export_feedback(s, people.admin, "sft", filters=Filters(voice="witty"))


def test_filters_keep_only_what_they_name(engine, people, record):
    with session_scope(engine) as s:
        news = export_feedback(s, people.admin, "sft", filters=Filters(content_type="news"))
        friendly = export_feedback(s, people.admin, "sft", filters=Filters(voice="friendly", model="fake-gpt"))
        today = export_feedback(s, people.admin, "sft", filters=Filters(since=datetime.now(timezone.utc).date()))
    assert [p["draft_id"] for p in news.provenance] == [record.touched]
    assert [p["draft_id"] for p in friendly.provenance] == [record.edited]
    assert len(today.rows) == 3


def test_out_follows_the_exports_file_rules(engine, people, record, tmp_path):
    out = tmp_path / "sft.jsonl"
    out.write_text("keep me")
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--as", "ada")
    assert result.returncode == 2 and "already exists; add --force" in result.stderr
    assert out.read_text() == "keep me"
    result = studio("feedback", "export", "--format", "sft", "--out", str(tmp_path), "--as", "ada")
    assert result.returncode == 2 and "is a folder" in result.stderr
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--min-edit-distance", "lots", "--as", "ada")
    assert result.returncode == 2 and "--min-edit-distance" in result.stderr
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--force", "--as", "ada")
    assert result.returncode == 0, result.stderr
    assert len(lines(out.read_text("utf-8"))) == 3
    assert audit_rows(engine)[0].data["rows"] == 3


def test_voice_names_a_brand_voice_or_a_preset_tone(engine, people, record, tmp_path):
    from studio.models import Draft
    from studio.voices.service import create_voice
    from tests.support.grounding import BRAND_SAMPLES

    with session_scope(engine) as s:
        acme = create_voice(s, people.editor, "Acme", BRAND_SAMPLES, description="Short and warm.")
        s.get(Draft, record.touched).voice_id = acme.id
    out = tmp_path / "sft.jsonl"
    result = studio("feedback", "export", "--format", "sft", "--out", str(out), "--voice", "acme", "--as", "ada")
    assert result.returncode == 0, result.stderr
    assert len(lines(out.read_text())) == 1
    # A preset tone means the drafts written without a brand voice in that tone.
    with session_scope(engine) as s:
        friendly = export_feedback(s, people.admin, "sft", filters=Filters(voice="friendly"))
    assert [p["draft_id"] for p in friendly.provenance] == [record.edited]
    result = studio("feedback", "export", "--format", "sft", "--out", str(tmp_path / "x.jsonl"), "--voice", "Nobody",
                    "--as", "ada")  # fmt: skip
    assert result.returncode == 2
    assert "--voice: No voice named “Nobody”. Voices: Acme, Professional, Friendly" in result.stderr
    assert not (tmp_path / "x.jsonl").exists()
