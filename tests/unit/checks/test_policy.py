"""Verdict policy and fail-closed behaviour."""

import pytest

from studio.checks import pipeline, policy, toxicity
from studio.checks.pipeline import check
from studio.checks.report import BackendStatus, Finding, Report

RAN = [BackendStatus("profanity-check", "ran", "", "fallback")]
NONE = [BackendStatus("detoxify", "unavailable", "x", "primary"),
        BackendStatus("profanity-check", "unavailable", "y", "fallback")]


def tox(score, sev="info"):
    return Finding("toxicity", "insult", 0, 3, "abc", sev, score=score)


def rule(sev):
    """A bias finding; the policy table, not the finding, says what it counts as."""
    rid = {"info": "condescending.obviously", "warn": "gendered.chairman", "block": "ableist.slur"}[sev]
    return Finding("bias", "gendered", 0, 3, "abc", "warn", rule=rid)


@pytest.mark.parametrize(
    "findings, backends, verdict",
    [
        ([], RAN, "pass"),
        ([rule("info")], RAN, "pass"),
        ([rule("warn")], RAN, "warn"),
        ([rule("warn"), rule("block")], RAN, "block"),
        ([tox(0.49)], RAN, "pass"),
        ([tox(0.5)], RAN, "warn"),
        ([tox(0.79)], RAN, "warn"),
        ([tox(0.8)], RAN, "block"),
        ([], NONE, "unavailable"),
        ([rule("warn")], NONE, "unavailable"),
        ([rule("block")], NONE, "block"),
        ([], RAN + [BackendStatus("pii", "unavailable", "boom", "rules")], "unavailable"),
        ([], [BackendStatus("openai-moderation", "ran", "", "optional")], "pass"),
        ([], [], "unavailable"),
    ],
)
def test_decide(findings, backends, verdict, settings):
    assert policy.decide(findings, backends, settings) == verdict


def test_thresholds_are_configurable(make_settings):
    s = make_settings(studio_toxicity_block=0.95, studio_toxicity_warn=0.9)
    assert policy.decide([tox(0.92)], RAN, s) == "warn"
    assert policy.decide([tox(0.89)], RAN, s) == "pass"
    assert policy.score_severity(0.96, warn=0.9, block=0.95) == "block"


def test_profanity_fallback_scores_and_blocks(settings):
    r = check("You are a fucking idiot.", settings)
    statuses = {b.name: b for b in r.backends}
    assert statuses["detoxify"].status == "unavailable"
    assert "does not exist" in statuses["detoxify"].reason
    assert statuses["profanity-check"].status == "ran"
    assert statuses["profanity-check"].reason.startswith("fallback because Detoxify did not run")
    assert statuses["openai-moderation"].status == "skipped"
    (f,) = r.by_category("toxicity")
    assert f.text == "You are a fucking idiot." and f.score >= 0.8 and f.severity == "block"
    assert r.verdict == "block"


def test_every_toxicity_backend_missing_is_unavailable_never_pass(settings, monkeypatch):
    def broken(*a, **k):
        raise ImportError("No module named 'profanity_check'")

    monkeypatch.setattr(toxicity, "run_profanity", broken)
    r = check("A perfectly friendly sentence about our spring release.", settings)
    assert r.verdict == "unavailable"
    statuses = {b.name: b for b in r.backends}
    assert statuses["detoxify"].status == "unavailable"
    assert statuses["profanity-check"].status == "unavailable"
    assert "profanity_check" in statuses["profanity-check"].reason


def test_every_backend_broken_including_openai(make_settings, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("backend exploded")

    monkeypatch.setattr(toxicity, "run_detoxify", boom)
    monkeypatch.setattr(toxicity, "run_openai", boom)
    monkeypatch.setattr(toxicity, "run_profanity", boom)
    s = make_settings(studio_openai_moderation=True, openai_base_url="http://127.0.0.1:9/v1")
    r = check("Hello world.", s)
    assert r.verdict == "unavailable"
    assert {b.name: b.status for b in r.backends if b.tier != "rules"} == {
        "detoxify": "unavailable", "openai-moderation": "unavailable", "profanity-check": "unavailable",
    }
    assert all("backend exploded" in b.reason for b in r.backends if b.tier != "rules")


def test_openai_enabled_without_credentials_is_reported(make_settings):
    r = check("Hello world.", make_settings(studio_openai_moderation=True))
    st = {b.name: b for b in r.backends}["openai-moderation"]
    assert st.status == "unavailable" and "no OpenAI API key" in st.reason
    assert r.verdict == "pass"  # the fallback ran


def test_rule_backend_crash_fails_closed(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "_pii", lambda text: 1 / 0)
    r = check("Hello world.", settings)
    assert {b.name: b.status for b in r.backends}["pii"] == "unavailable"
    assert r.verdict == "unavailable"


def test_check_never_raises(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "sentences", lambda text: 1 / 0)
    r = check("Hello.", settings)
    assert r.verdict == "unavailable"
    assert r.backends[0].status == "unavailable" and "ZeroDivisionError" in r.backends[0].reason


def test_non_string_input(settings):
    assert check(None, settings).verdict == "pass"


def test_report_round_trip(settings):
    r = check("Hi guys, mail jo@example.com. Guaranteed!", settings)
    d = r.to_dict()
    assert Report.from_dict(d).to_dict() == d
    assert r.counts()["bias"] == 1 and r.counts()["pii"] == 1
    assert r.toxicity_backend == "profanity-check"


def test_backend_statuses_without_text(settings, make_settings):
    st = {b.name: b for b in pipeline.backend_statuses(settings)}
    assert st["detoxify"].status == "unavailable"
    assert st["profanity-check"].status == "ran"  # "would run"
    assert st["banned-terms"].status == "skipped"
    st = {b.name: b for b in pipeline.backend_statuses(
        make_settings(studio_openai_moderation=True, openai_base_url="http://x/v1", studio_banned_terms=["A"]))}
    assert st["openai-moderation"].status == "ran" and "http://x/v1" in st["openai-moderation"].reason
    assert st["banned-terms"].status == "ran"


def test_invalid_values_rejected():
    with pytest.raises(ValueError):
        Finding("violence", "x", 0, 1, "a", "warn")
    with pytest.raises(ValueError):
        Finding("bias", "x", 0, 1, "a", "critical")
    with pytest.raises(ValueError):
        Report("ok")
