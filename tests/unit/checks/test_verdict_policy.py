"""The verdict policy is one table; every row has a test here, and the document shows the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.checks import policy
from studio.checks.pipeline import check, check_draft
from studio.checks.report import BackendStatus, Finding
from studio.checks.rules import bias_rules, claims_rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "verdict-policy.md"

# One text per row of policy.POLICY: what it must count as, and the acknowledgement it asks for.
ROW_CASES = {
    "toxicity-block": ("You are a fucking idiot.", "block", ""),
    "toxicity-warn": None,  # model scores: see test_toxicity_rows_follow_the_thresholds
    "toxicity-flagged": None,  # OpenAI's own flag: see test_openai_flag_below_the_thresholds_warns
    "banned": ("Unlike Acme Corp, we ship on time.", "block", ""),
    "slurs": ("That plan is retarded.", "block", ""),
    "secret-numbers": ("Card 4111 1111 1111 1111 on file.", "block", ""),
    "financial-returns": ("Double your money in a year with our fund.", "block", ""),
    "risk-free-investment": ("Enjoy risk-free returns on every deposit.", "block", ""),
    "health-cure": ("Our tea cures arthritis.", "block", ""),
    "own-contact": ("Write to press@ourcompany.com for the kit.", "info", ""),
    "personal-contact": ("Write to bob.smith@gmail.com for the kit.", "warn", "contact"),
    "personal-data": ("The server at 203.0.113.7 answered.", "warn", "personal-data"),
    "percentages": ("Sign-ups grew 12 percent last quarter.", "warn", "claims"),
    "superlatives": ("The best in class planner for teams.", "warn", "claims"),
    "free": ("The starter plan is totally free.", "info", ""),
    "claims": ("We guarantee you will like it.", "warn", "claims"),
    "minor-wording": ("Obviously, the plan works for us.", "info", ""),
    "wording": ("Our chairman opened the meeting.", "warn", "wording"),
    "tone": (
        "We want an ambitious, assertive, decisive, competitive, driven and fearless leader who "
        "dominates every challenge.", "info", "",
    ),
    "invisible-characters": ("Contact sa\u200bles for the kit.", "warn", "hidden-characters"),
    "quality": ("Save time with our app. Save time with our team. Save time with our tools. Start today.", "info", ""),
    # A draft's own backends (claim ledger, brand voice, output language): see
    # test_a_drafts_own_findings_follow_their_rows.
    "news-unsourced": None,
    "needs-source": None,
    "voice-style": None,
    "voice-terms": None,
    "language": None,
}

# Findings as the claim ledger, the brand voice rules and the language check make them.
OWN_CASES = [
    (Finding("claims", "unsourced figure", 0, 3, "12%", "warn", rule="claims.news_figure"), "news-unsourced", "block", ""),
    (Finding("claims", "needs source", 0, 14, "[NEEDS SOURCE]", "warn", rule="claims.needs_source"), "needs-source",
     "warn", "claims"),
    (Finding("voice", "spelling", 0, 6, "colour", "info", rule="voice.spelling.us"), "voice-style", "info", ""),
    (Finding("voice", "avoided term", 0, 5, "users", "warn", rule="voice.avoid.users"), "voice-terms", "warn", "voice"),
    (Finding("language", "wrong language", 0, 0, "", "warn", rule="language.mismatch"), "language", "warn", "voice"),
]


@pytest.mark.parametrize(("finding", "row_id", "outcome", "ack"), OWN_CASES)
def test_a_drafts_own_findings_follow_their_rows(finding, row_id, outcome, ack):
    warn, block = policy.thresholds(None)
    assert policy.row_for(finding, warn, block).id == row_id
    classified = policy.classify(finding)
    assert (classified.severity, classified.acknowledge) == (outcome, ack)


@pytest.fixture
def policy_settings(make_settings):
    return make_settings(studio_banned_terms=["Acme Corp"], studio_own_domains=["ourcompany.com"])


def test_every_row_has_a_case_and_every_case_a_row():
    assert set(ROW_CASES) == {row.id for row in policy.POLICY}


@pytest.mark.parametrize("row_id", [r for r, case in ROW_CASES.items() if case is not None])
def test_each_row_decides_its_findings(row_id, policy_settings):
    text, outcome, ack = ROW_CASES[row_id]
    report = check(text, policy_settings)
    warn, block = policy.thresholds(policy_settings)
    mine = [f for f in report.findings if policy.row_for(f, warn, block).id == row_id]
    assert mine, (row_id, report.findings)
    assert {f.severity for f in mine} == {outcome}
    assert {f.acknowledge for f in mine} == {ack}
    expected = {"block": "block", "warn": "warn", "info": "pass"}[outcome]
    others = [f for f in report.findings if f not in mine]
    if all(f.severity == "info" for f in others):
        assert report.verdict == expected, report.findings
    if outcome == "warn":
        assert ack in report.acknowledgements


def test_toxicity_rows_follow_the_thresholds(make_settings):
    def tox(score, rule="detoxify.insult"):
        return Finding("toxicity", "insult", 0, 3, "abc", "info", score=score, rule=rule)

    ran = [BackendStatus("detoxify", "ran", "", "primary")]
    s = make_settings()
    assert policy.classify(tox(0.85), s).severity == "block"
    assert policy.classify(tox(0.6), s).severity == "warn"
    assert policy.classify(tox(0.6), s).acknowledge == "tone"
    assert policy.decide([tox(0.4)], ran, s) == "pass"
    higher = make_settings(studio_toxicity_block=0.95, studio_toxicity_warn=0.9)
    assert policy.decide([tox(0.85)], ran, higher) == "pass"  # stored scores meet today's thresholds
    assert policy.decide([tox(0.92)], ran, higher) == "warn"


def test_openai_flag_below_the_thresholds_warns(make_settings):
    f = Finding("toxicity", "insult", 0, 3, "abc", "warn", score=0.2, rule="openai.insult")
    got = policy.classify(f, make_settings())
    assert (got.severity, got.acknowledge) == ("warn", "tone")


def test_a_check_that_could_not_run_needs_manual_review(settings):
    none_ran = [BackendStatus("detoxify", "unavailable", "x", "primary"),
                BackendStatus("profanity-check", "unavailable", "y", "fallback")]  # fmt: skip
    warn = Finding("bias", "gendered", 0, 3, "abc", "warn", rule="gendered.chairman")
    assert policy.decide([warn], none_ran, settings) == "unavailable"
    assert policy.decide([warn.__class__("bias", "ableist", 0, 3, "abc", "warn", rule="ableist.slur")],
                         none_ran, settings) == "block"  # fmt: skip


def test_the_issues_example_blocks_and_names_every_warned_category(settings):
    text = "Email bob.smith@gmail.com. We guarantee 100% risk-free returns."
    report = check(text, settings)
    assert report.verdict == "block"
    by_rule = {f.rule: f for f in report.findings}
    assert by_rule["claims.risk_free_investment"].severity == "block"
    assert by_rule["claims.percentage"].text == "100%" and by_rule["claims.percentage"].severity == "warn"
    assert by_rule["pii.email"].severity == "warn"
    assert report.acknowledgements == ["claims", "contact"]
    assert report.findings[0].rule == "claims.risk_free_investment"  # the most severe comes first


def test_gender_coded_wording_is_a_tone_note_never_bias(settings):
    text = ROW_CASES["tone"][0]
    report = check(text, settings)
    tone = [f for f in report.findings if f.label == "gender-coded"]
    assert len(tone) == 1 and tone[0].category == "tone" and tone[0].severity == "info"
    assert report.counts()["bias"] == 0
    assert report.verdict == "pass"


def test_own_domains_include_subdomains_and_are_read_from_settings(make_settings):
    s = make_settings(studio_own_domains=["@OurCompany.com "])
    report = check("Mail press@news.ourcompany.com or bob@ourcompany.co.", s)
    rules = {f.text: f.rule for f in report.findings if f.category == "pii"}
    assert rules == {"press@news.ourcompany.com": "pii.email-own-domain", "bob@ourcompany.co": "pii.email"}


def test_every_rule_is_covered_by_a_row_of_its_category(settings):
    warn, block = policy.thresholds(settings)
    for rs in (bias_rules(), claims_rules()):
        for rid, rule in rs.rules.items():
            f = Finding(rule.category, rule.label, 0, 1, "x", "warn", rule=rid)
            row = policy.row_for(f, warn, block)
            assert row is not None and row.category == rule.category, rid


def test_the_document_shows_the_table():
    text = DOC.read_text(encoding="utf-8")
    assert policy.policy_markdown() in text, "python -m studio policy prints the table for docs/verdict-policy.md"


def test_fields_count_in_the_verdict(settings):
    report = check_draft("A clean body about planning.", {"excerpt": "Call bob.smith@gmail.com today."}, settings)
    assert report.verdict == "warn"
    (f,) = [f for f in report.findings if f.category == "pii"]
    assert f.field == "excerpt" and f.text == "bob.smith@gmail.com"
    assert "Call bob.smith@gmail.com today."[f.start : f.end] == f.text


def test_own_domains_are_a_workspace_setting_checked_as_domains():
    import pytest as _pytest

    from studio.errors import InputError
    from studio.workspace.rules import SETTINGS

    own = SETTINGS["studio_own_domains"]
    assert own.parse("@OurCompany.com\nnews.ourcompany.com.\nourcompany.com") == ["ourcompany.com", "news.ourcompany.com"]
    with _pytest.raises(InputError, match="not an e-mail domain"):
        own.parse("not a domain")
