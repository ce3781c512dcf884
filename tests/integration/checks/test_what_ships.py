"""What ships is what was checked, driven through `python -m studio` as a team would: the marketer
writes, edits the text, the editor approves (acknowledging what the checks warned about), the
WordPress CSV carries every field as the edited text gives it, and its body has no title heading.

The commands run in this process (``studio.cli.main``, the same parser and exit codes as
``python -m studio``), which keeps the test quick on a loaded machine."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from dataclasses import dataclass

from sqlalchemy import select

from studio.cli import main
from studio.db import session_scope
from studio.models import AuditEvent

FIELDS = ("title", "slug", "excerpt", "meta_description", "tags", "categories")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def studio(*args: str, stdin: str | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    # Like a real standard input: text over bytes (the CLI reads the bytes and decodes strictly).
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())


def ok(*args: str, stdin: str | None = None) -> str:
    result = studio(*args, stdin=stdin)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def claim_acks(draft_id: int) -> list[str]:
    """``--ack-claim ID`` for each claim of the draft's ledger its sources do not fully support
    (the demo writer's text has figures and no sources): approving acknowledges each one."""
    rows = json.loads(ok("claims", str(draft_id), "--json", "--as", "dana"))
    return [x for r in rows if not r["supported"] for x in ("--ack-claim", str(r["id"]))]


def show(draft_id: int, who: str) -> dict:
    return json.loads(ok("drafts", "show", str(draft_id), "--json", "--as", who))


def test_the_journey_ships_every_field_as_the_edited_text_gives_it(engine, people, tmp_path):
    made = json.loads(ok(
        "generate", "--type", "blog", "--topic", "five ways a chairman can make board meetings shorter",
        "--provider", "demo", "--seed", "3", "--as", "mara", "--json",
    ))  # fmt: skip
    draft_id = made["draft_id"]
    first = show(draft_id, "mara")
    assert set(first) >= {"body", "status", "version", "revision", "report", *FIELDS}
    assert "chairman" in first["title"] and "chairman" in first["slug"] and "chairman" in first["excerpt"]
    where = {f["field"] for f in first["report"]["findings"] if f["rule"] == "gendered.chairman"}
    assert where == {"body", "title", "slug", "excerpt", "meta_description"}
    assert first["report"]["verdict"] == "warn" and first["report"]["acknowledgements"] == ["wording"]
    for f in first["report"]["findings"]:  # every finding points at its words in its field
        text = first[f["field"]] if f["field"] != "tags" else ", ".join(first["tags"])
        assert text[f["start"] : f["end"]] == f["text"]

    edited = tmp_path / "edited.md"
    edited.write_text(first["body"].replace("chairman", "chair").replace("Chairman", "Chair"), encoding="utf-8")
    after = json.loads(ok("drafts", "edit", str(draft_id), "--from-file", str(edited), "--as", "mara",
                          "--expected-version", str(first["version"]), "--json"))  # fmt: skip
    assert after["revision"] == 2
    for name in ("title", "slug", "excerpt", "meta_description"):
        assert "chairman" not in after[name].lower(), (name, after[name])
    assert after["title"].startswith("Five ways a chair can make board meetings shorter")
    assert after["slug"].startswith("five-ways-a-chair-can-make-board-meetings-shorter")
    assert after["report"]["verdict"] == "pass" and after["report"]["findings"] == []

    ok("review", "submit", str(draft_id), "--as", "mara")
    ok("review", "approve", str(draft_id), "--as", "dana", *claim_acks(draft_id))
    out = tmp_path / "wordpress.csv"
    ok("export", "--preset", "wordpress", "--out", str(out), "--as", "dana")
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert not [k for k, v in row.items() if "chairman" in v.lower()]
    assert row["post_title"] == after["title"]
    assert row["post_name"] == after["slug"]
    assert row["post_excerpt"] == after["excerpt"]
    assert row["_yoast_wpseo_metadesc"] == after["meta_description"]
    assert row["tags_input"] == ",".join(after["tags"])
    assert "<h1>" not in row["post_content"] and after["title"] not in row["post_content"]
    assert row["post_content"].startswith("<p>")


def test_approving_warnings_needs_each_warned_category_ticked_and_the_ticks_are_audited(engine, people, tmp_path):
    made = json.loads(ok("generate", "--type", "blog", "--topic", "planning webinars", "--provider", "demo",
                         "--seed", "1", "--as", "mara", "--json"))  # fmt: skip
    draft_id = made["draft_id"]
    body = show(draft_id, "mara")["body"] + "\nQuestions? Write to bob.smith@gmail.com. We guarantee a reply.\n"
    ok("drafts", "edit", str(draft_id), "--from-file", "-", "--as", "mara", stdin=body)
    ok("review", "submit", str(draft_id), "--as", "mara")
    report = show(draft_id, "dana")["report"]
    assert report["verdict"] == "warn" and report["acknowledgements"] == ["claims", "contact"]

    refused = studio("review", "approve", str(draft_id), "--as", "dana", "--acknowledge", "claims",
                     *claim_acks(draft_id))  # fmt: skip
    assert refused.returncode == 1
    assert "“Contact details are meant to be public” (contact)" in refused.stderr
    assert "claims" not in refused.stderr.split("tick each to approve:")[1]
    assert show(draft_id, "dana")["status"] == "in_review"

    ok("review", "approve", str(draft_id), "--as", "dana", *claim_acks(draft_id), "--acknowledge", "claims", "contact")
    with session_scope(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id, AuditEvent.action == "review.approve")).one()
        assert event.data["acknowledged"] == ["claims", "contact"]
        assert {a["category"]: a["findings"] for a in event.data["acknowledgements"]} == {"claims": 1, "contact": 1}
        assert event.data["verdict"] == "warn"


def test_a_field_change_after_approval_is_checked_and_sends_the_draft_back_to_review(engine, people):
    made = json.loads(ok("generate", "--type", "news", "--topic", "our spring release", "--provider", "demo",
                         "--seed", "2", "--as", "mara", "--json"))  # fmt: skip
    draft_id = made["draft_id"]
    ok("review", "submit", str(draft_id), "--as", "mara")
    ok("review", "approve", str(draft_id), "--as", "dana", "--manual-review", "--acknowledge", "claims",
       *claim_acks(draft_id))  # fmt: skip
    assert show(draft_id, "dana")["status"] == "approved"

    changed = json.loads(ok("drafts", "edit", str(draft_id), "--field", "tags=chairman tips, releases",
                            "--field", "excerpt=Meet our chairman.", "--as", "dana", "--json"))  # fmt: skip
    assert changed["status"] == "in_review"
    found = {(f["field"], f["text"]) for f in changed["report"]["findings"]}
    assert {("tags", "chairman"), ("excerpt", "chairman")} <= found
    assert changed["report"]["verdict"] == "warn"
    with session_scope(engine) as s:
        reopen = s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id, AuditEvent.action == "review.reopen")).one()
        assert (reopen.from_status, reopen.to_status) == ("approved", "in_review")
        assert reopen.data["changed"] == ["excerpt", "tags"]
    # Bad input names the flag; nothing changes.
    bad = studio("drafts", "edit", str(draft_id), "--field", "colour=red", "--as", "dana")
    assert bad.returncode == 2 and "--field: unknown field 'colour'" in bad.stderr
