"""Check precision over drafts made through the real workflow: written by the local
OpenAI-compatible server, edited, suggestions applied, findings dismissed, approved (with an
override where the checks blocked), then the report, its command line and the allowlist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.checks.service import check_text, latest_report, settings_for_checks
from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import edit_text
from studio.drafting.suggestions import apply_suggestion
from studio.drafting.writer import DraftRun
from studio.errors import InputError, PermissionDenied
from studio.models import AuditEvent, Draft
from studio.precision.service import allow_phrase, dismiss_finding, dismissed_findings, rule_precision
from studio.review import service as review
from studio.workspace.service import set_setting
from tests.support.workflow import approve_acknowledging_everything

ROOT = Path(__file__).resolve().parents[3]
TEXT = (
    "# Planning the launch\n\n"
    "Hey guys, our chairman will present the roadmap at the meeting next week.\n\n"
    "The team has prepared a short demo of the new editor and a list of questions for the audience. "
    "Everyone is welcome to join and bring ideas.\n\n"
    "We will share the recording with all participants afterwards.\n"
)


def studio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=180)  # fmt: skip


@dataclass
class Record:
    fixed: int  # chairman: suggestion applied; guys: edited by hand
    chair_edited: int  # chairman edited by hand; guys approved unchanged
    unchanged: int  # approved as written
    dismissed: int  # guys dismissed by the editor, then approved
    open: int  # submitted, never decided
    guys_finding: int  # the finding the editor dismissed


def _version(engine, draft_id: int) -> int:
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).version


def _finding(engine, draft_id: int, rule: str):
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = latest_report(s, draft.current_revision_id)
        [finding] = [f for f in report.findings if f.rule == rule and f.field == "body"]
        return finding.id, list(finding.suggestions)


@pytest.fixture
def record(engine, people, fake_openai, monkeypatch) -> Record:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    settings = reload_settings()
    fake_openai.reply = TEXT
    with session_scope(engine) as s:  # every draft is blocked: approvals need an override reason
        set_setting(s, people.admin, "studio_banned_terms", ["roadmap"])

    def generate(topic: str) -> int:
        run = DraftRun(Brief.create(content_type="blog", topic=topic, target_words=100), people.marketer,
                       engine=engine, settings=settings)  # fmt: skip
        "".join(run.stream())
        run.wait_for_fields(30)
        assert run.outcome.error is None
        return run.outcome.draft_id

    def edit(draft_id: int, old: str, new: str) -> None:
        with session_scope(engine) as s:
            draft = s.get(Draft, draft_id)
            edit_text(s, draft_id, people.marketer, draft.current_revision.body.replace(old, new, 1), draft.version)

    def submit(draft_id: int) -> None:
        with session_scope(engine) as s:
            review.submit(s, draft_id, people.marketer, _version(engine, draft_id))

    def approve(draft_id: int) -> None:
        approve_acknowledging_everything(engine, draft_id, people.editor, reason="the roadmap is public")

    fixed, chair_edited, unchanged, dismissed, still_open = (generate(t) for t in ("Launch", "Demo", "Meeting", "Recap", "Plans"))
    finding_id, suggestions = _finding(engine, fixed, "gendered.chairman")
    assert suggestions[0] == "chair"
    version = _version(engine, fixed)
    with session_scope(engine) as s:
        apply_suggestion(s, fixed, people.marketer, finding_id, "chair", version)
    edit(fixed, "Hey guys", "Hey everyone")
    edit(chair_edited, "our chairman", "our head of product")
    for draft_id in (fixed, chair_edited, unchanged, dismissed, still_open):
        submit(draft_id)
    guys, _ = _finding(engine, dismissed, "gendered.guys")
    result = studio("checks", "dismiss", str(guys), "--reason", "our readers say guys", "--as", "dana")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Dismissed finding {guys} (gendered.guys, “guys”) on draft {dismissed}.")
    for draft_id in (fixed, chair_edited, unchanged, dismissed):
        approve(draft_id)
    return Record(fixed, chair_edited, unchanged, dismissed, still_open, guys)


def test_each_rule_counts_findings_acted_on_against_those_dismissed_overridden_or_approved(engine, people, record):
    with session_scope(engine) as s:
        report = rule_precision(s, people.admin)
    rules = {r.rule: r for r in report.rules}
    assert report.drafts == 5
    guys, chair, banned = rules["gendered.guys"], rules["gendered.chairman"], rules["banned.roadmap"]
    # guys: edited in one draft; approved unchanged in two, dismissed in one; open in one.
    assert (guys.edited, guys.suggestion_applied, guys.approved_unchanged, guys.dismissed) == (1, 0, 2, 1)
    assert guys.findings == 5 and guys.decided == 4 and guys.precision == 0.25 and guys.low
    assert guys.interval[0] < 0.25 < guys.interval[1]
    # chairman: a suggestion applied and an edit, against two approvals with it standing.
    assert (chair.suggestion_applied, chair.edited, chair.approved_unchanged) == (1, 1, 2)
    assert chair.precision == 0.5 and not chair.low
    # The banned term blocked every draft; each approval overrode it.
    assert banned.overridden == 4 and banned.precision == 0 and banned.low and banned.findings == 5
    # The text is shorter than the brief asked for: the length note stood in every approval.
    assert [r.rule for r in report.low] == ["banned.roadmap", "quality.length", "gendered.guys"]
    [length] = rules["quality.length"].examples
    assert length.text == "" and not length.allowable  # the allowlist cannot silence a length note
    [example] = guys.examples  # one example per phrase
    assert example.text == "guys" and example.allowable and not example.allowed
    assert example.outcome in ("Approved unchanged", "Dismissed by an editor")
    assert "Hey guys, our chairman" in example.context and example.draft_title == "Planning the launch"
    # Stricter settings: chairman's 50% is low under 60%; nothing is low with 5 decided needed.
    with session_scope(engine) as s:
        assert rule_precision(s, people.admin, threshold=0.6, min_decided=4).low[-1].rule == "gendered.chairman"
        assert rule_precision(s, people.admin, min_decided=5).low == ()


def test_the_dismissal_is_audited_and_cannot_be_repeated_or_made_by_a_marketer(engine, people, record):
    with session_scope(engine) as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "finding.dismissed")).all()
        assert event.actor_name == "dana" and event.draft_id == record.dismissed
        assert event.data["rule"] == "gendered.guys" and event.comment == "our readers say guys"
        assert dismissed_findings(s, record.dismissed) == {record.guys_finding}
    with session_scope(engine) as s, pytest.raises(InputError, match="dismissed already"):
        dismiss_finding(s, people.editor, record.guys_finding)
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="Only editors can dismiss check findings"):
        dismiss_finding(s, people.marketer, record.guys_finding)
    # A finding of an older revision (the fixed draft's first text) is refused.
    with session_scope(engine) as s:
        old = s.get(Draft, record.fixed).revisions[0]
        stale = latest_report(s, old.id).findings[0].id
    with session_scope(engine) as s, pytest.raises(InputError, match="older revision"):
        dismiss_finding(s, people.editor, stale)


def test_allowing_a_phrase_from_an_example_silences_it_in_the_next_check(engine, people, record):
    with session_scope(engine) as s:
        done = allow_phrase(s, people.admin, "  guys ")
    assert done.added and done.phrase == "guys" and "guys" in done.allowlist
    with session_scope(engine) as s:
        again = allow_phrase(s, people.admin, "Guys")
        settings = settings_for_checks(s)
        [example] = next(r for r in rule_precision(s, people.admin).rules if r.rule == "gendered.guys").examples
        changes = s.scalars(select(AuditEvent).where(AuditEvent.action == "workspace.setting_changed")).all()
    assert not again.added and example.allowed
    assert [c.data["setting"] for c in changes] == ["studio_banned_terms", "studio_allowlist"]
    rules_found = {f.rule for f in check_text(TEXT, settings).findings}
    assert "gendered.chairman" in rules_found and "gendered.guys" not in rules_found
    with session_scope(engine) as s, pytest.raises(PermissionDenied):
        allow_phrase(s, people.editor, "chairman")


def test_cli_prints_the_table_and_json_for_admins_only(engine, people, record):
    result = studio("checks", "precision", "--as", "ada")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Check precision over 5 draft(s): a rule is low under 50% with at least 3 decided finding(s).")
    guys_line = next(line for line in out.splitlines() if line.startswith("gendered.guys "))
    assert guys_line.split()[1:5] == ["1", "3", "1", "25%"] and guys_line.endswith("LOW")
    assert 'python -m studio checks allow "guys" --as ADMIN' in out
    result = studio("checks", "precision", "--json", "--low", "--below", "60%", "--as", "ada")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["threshold"] == 0.6 and data["drafts"] == 5
    assert [r["rule"] for r in data["rules"]] == ["banned.roadmap", "quality.length", "gendered.guys", "gendered.chairman"]
    guys = data["rules"][2]
    assert (guys["acted"], guys["not_acted"], guys["undecided"], guys["precision"]) == (1, 3, 1, 0.25)
    assert guys["examples"][0]["text"] == "guys"
    for who in (["--as", "dana"], []):
        refused = studio("checks", "precision", *who)
        assert refused.returncode == 1 and "Only admins can see how often editors act on each check rule" in refused.stderr
    assert "--as NAME" in refused.stderr
    bad = studio("checks", "precision", "--below", "2", "--as", "ada")
    assert bad.returncode == 2 and "--below" in bad.stderr
    allowed = studio("checks", "allow", "guys", "--as", "ada")
    assert allowed.returncode == 0 and "is now an allowed phrase" in allowed.stdout


def _settings_page(user):
    return _page(user, "pages/settings.py")


def _shown(at) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.text, *at.success, *at.subheader])


def test_settings_page_lists_low_rules_with_examples_and_allows_a_phrase_in_one_click(engine, people, record):
    at = _settings_page(people.admin)
    assert not [d for d in at.dataframe if "Rule" in d.value.columns]  # counted only when asked
    at.toggle(key="precision_show").set_value(True).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Rule" in d.value.columns)
    guys = table[table["Rule"] == "gendered.guys"].iloc[0]
    assert (guys["Acted on"], guys["Not acted on"], guys["Undecided"], guys["Precision"], guys["Low"]) == (1, 3, 1, "25%", "yes")
    assert table[table["Rule"] == "gendered.chairman"].iloc[0]["Low"] == ""
    shown = _shown(at)
    assert "“guys” in: Hey guys, our chairman will present the roadmap" in shown
    assert "The allowed phrases do not silence this kind of check." in shown  # the length note
    next(b for b in at.button if b.label == "Allow “guys”").click().run()
    assert not at.exception, at.exception
    assert "“guys” is now an allowed phrase." in "\n".join(str(s.value) for s in at.success)
    assert "“guys” is an allowed phrase already." in _shown(at)
    assert not [b for b in at.button if b.label == "Allow “guys”"]
    with session_scope(engine) as s:
        assert "guys" in settings_for_checks(s).studio_allowlist
    editor = _settings_page(people.editor)
    assert "Check precision" not in [str(h.value) for h in editor.subheader]


def _page(user, page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["studio_user_id"] = user.id
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_an_editor_dismisses_a_finding_in_the_review_queue_and_it_counts_against_its_rule(engine, people, record):
    guys, _ = _finding(engine, record.open, "gendered.guys")
    at = _page(people.editor, "pages/review_queue.py")
    assert len([b for b in at.button if b.label == "Dismiss"]) == 3  # guys, chairman, the banned term
    next(b for b in at.button if b.key == f"dismiss_{record.open}_{guys}").click().run()
    assert not at.exception, at.exception
    assert "Dismissed by an editor." in [str(c.value) for c in at.caption]
    assert len([b for b in at.button if b.label == "Dismiss"]) == 2
    with session_scope(engine) as s:
        assert dismissed_findings(s, record.open) == {guys}
        rule = next(r for r in rule_precision(s, people.admin).rules if r.rule == "gendered.guys")
    assert (rule.dismissed, rule.findings - rule.decided) == (2, 0)
