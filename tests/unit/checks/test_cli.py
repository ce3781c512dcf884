import argparse
import io
import json

import pytest

from studio.checks import cli


@pytest.fixture
def run(settings, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_settings", lambda: settings)

    def run(*argv, stdin=None):
        parser = argparse.ArgumentParser(prog="studio")
        sub = parser.add_subparsers(dest="command", required=True)
        cli.register(sub)
        args = parser.parse_args(list(argv))
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8") if isinstance(stdin, str) else stdin), encoding="utf-8"))
        code = args.func(args)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_check_json_contract(run, tmp_path):
    p = tmp_path / "draft.md"
    p.write_text("Hey guys, our results are guaranteed.", encoding="utf-8")
    code, out, _ = run("check", "--json", str(p))
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "warn"
    assert [b["name"] for b in data["backends"]][:3] == ["detoxify", "openai-moderation", "profanity-check"]
    assert all({"name", "status", "reason"} <= set(b) for b in data["backends"])
    f = data["findings"][0]
    assert set(f) >= {"category", "label", "start", "end", "text", "severity", "score", "suggestions", "rule"}
    assert (f["category"], f["text"], f["start"], f["end"]) == ("bias", "guys", 4, 8)


def test_check_stdin_and_fail_on(run):
    text = "Hey guys, our results are guaranteed."
    assert run("check", "-", stdin=text)[0] == 0
    assert run("check", "--fail-on", "block", "-", stdin=text)[0] == 0
    assert run("check", "--fail-on", "warn", "-", stdin=text)[0] == 1
    assert run("check", "--fail-on", "warn", "-", stdin="We love our customers.")[0] == 0
    assert run("check", "--fail-on", "block", "-", stdin="Card 4111 1111 1111 1111.")[0] == 1


def test_unavailable_fails_for_any_fail_on(run, monkeypatch):
    from studio.checks import toxicity

    monkeypatch.setattr(toxicity, "run_profanity", lambda *a, **k: 1 / 0)
    code, out, _ = run("check", "--json", "--fail-on", "block", "-", stdin="Nice day.")
    assert json.loads(out)["verdict"] == "unavailable" and code == 1
    assert run("check", "-", stdin="Nice day.")[0] == 0  # no --fail-on: always 0


def test_check_words_and_human_output(run):
    code, out, _ = run("check", "--words", "400", "-", stdin="A short draft about our chairman.")
    assert code == 0
    assert "verdict: warn" in out and "quality/length" in out and "bias/gendered" in out
    assert "profanity-check" in out and "fallback" in out


def test_missing_file_is_usage_error(run, tmp_path):
    code, _, err = run("check", str(tmp_path / "nope.md"))
    assert code == 2 and "cannot read" in err


def test_models_status(run):
    code, out, _ = run("models", "status", "--json")
    assert code == 0
    st = {b["name"]: b for b in json.loads(out)}
    assert st["detoxify"]["status"] == "unavailable"
    assert st["profanity-check"]["status"] == "ran"
