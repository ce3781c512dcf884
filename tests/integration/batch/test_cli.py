"""The CLI contracts: batch submit|status|wait, usage, budgets set (same services as the app)."""

from __future__ import annotations

import json

import pytest
from huey.exceptions import RetryTask

from studio.batch import jobs
from studio.cli import main
from tests.integration.batch.conftest import article_or_fields

PLAN = (
    "type,topic,voice,temperature,words,publish_date\n"
    "blog,How small teams plan a content calendar,friendly,0.7,200,2026-12-01\n"
    "blog,,witty,0.9,200,2026-12-03\n"
    "news,Three integrations ship today,professional,0.3,150,2026-12-02 14:00\n"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def model(fake_openai, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "gpt-4o-mini")
    from studio.config import reload_settings

    reload_settings()
    fake_openai.reply = article_or_fields(120)
    return fake_openai


def test_submit_status_and_wait_print_what_the_contract_says(engine, people, model, tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN)
    code, out, _ = run(capsys, "batch", "submit", str(plan), "--as", "mara", "--concurrency", "2", "--json")
    assert code == 0
    sent = json.loads(out)
    assert sent["rows"] == 2 and sent["rejected"] == [{"row": 3, "reason": "Topic: Topic is empty. Say in a sentence what the piece is about."}]
    assert sent["estimated_cost"] == 0.0  # a local server is free
    batch_id = sent["batch_id"]

    code, out, err = run(capsys, "batch", "wait", str(batch_id), "--timeout", "1")
    assert code == 1 and "still has 2 row(s) open" in err  # no worker ran them

    code, out, _ = run(capsys, "batch", "status", str(batch_id), "--json")
    status = json.loads(out)
    assert status["counts"]["queued"] == 2 and [r["row"] for r in status["rows"]] == [2, 4]
    for row_id in _row_ids(engine, batch_id):
        try:
            jobs.run_row(row_id)
        except RetryTask:  # pragma: no cover - no faults here
            raise
    assert run(capsys, "batch", "wait", str(batch_id))[0] == 0
    status = json.loads(run(capsys, "batch", "status", str(batch_id), "--json")[1])
    assert status["counts"]["done"] == 2 and status["status"] == "finished"
    assert all(isinstance(r["draft_id"], int) and r["state"] == "done" for r in status["rows"])
    assert status["rows"][1]["publish_date"] == "2026-12-02T14:00:00+00:00"


def _row_ids(engine, batch_id):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from studio.db import session_scope
    from studio.models import BatchRow

    with session_scope(engine) as s:
        return list(s.scalars(select(BatchRow.id).where(BatchRow.batch_id == batch_id).order_by(BatchRow.number)))


def test_a_file_with_no_good_row_queues_nothing_and_exits_1(engine, people, tmp_path, capsys):
    plan = tmp_path / "bad.csv"
    plan.write_text("topic,temperature\nHello,9\n")
    code, out, err = run(capsys, "batch", "submit", str(plan), "--as", "mara", "--json")
    assert code == 1 and json.loads(out)["batch_id"] is None
    assert "row 2: Temperature" in err and "nothing was queued" in err


def test_bad_flags_exit_2_naming_the_flag(engine, people, tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN)
    assert run(capsys, "batch", "submit", str(plan), "--as", "mara", "--concurrency", "0")[0] == 2
    code, _, err = run(capsys, "batch", "submit", str(plan), "--as", "mara", "--map", "topic=Nope")
    assert code == 2 and "--map" in err and "no column 'Nope'" in err
    code, _, err = run(capsys, "budgets", "set", "--workspace", "--monthly", "lots", "--as", "ada")
    assert code == 2 and "--monthly" in err


def test_budgets_set_is_for_admins_and_usage_groups_calls(engine, people, model, capsys):
    code, _, err = run(capsys, "budgets", "set", "--person", "mara", "--monthly", "5", "--hard", "--as", "dana")
    assert code == 1 and "Only admins can set model prices and budgets" in err
    code, out, _ = run(capsys, "budgets", "set", "--person", "mara", "--monthly", "5", "--hard", "--as", "ada", "--json")
    assert code == 0 and json.loads(out) == {"scope": "person", "person": "mara", "monthly": 5.0, "hard": True,
                                              "spent": 0.0, "left": 5.0}  # fmt: skip
    assert run(capsys, "generate", "--type", "blog", "--topic", "Usage from the command line", "--as", "mara", "--json")[0] == 0
    from studio.usage.sink import flush

    flush()
    code, out, _ = run(capsys, "usage", "--by", "feature", "--json", "--as", "ada")
    report = json.loads(out)
    assert code == 0 and report["by"] == "feature"
    features = {g["key"]: g for g in report["groups"]}
    assert features["draft"]["calls"] == 1 and features["draft"]["prompt_tokens"] > 0
    assert report["total"]["calls"] >= 1
    code, out, _ = run(capsys, "usage", "--since", "2999-01-01", "--json", "--as", "ada")
    assert json.loads(out)["groups"] == []
