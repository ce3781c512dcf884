"""The labelled fixture: rule-based categories and spans must be exactly as labelled."""

from pathlib import Path

import pytest
import yaml

from studio.checks.pipeline import check

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "moderation_cases.yaml"
DATA = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
RULE_CATEGORIES = {"bias", "pii", "claims", "banned", "quality"}


def test_fixture_size_and_coverage():
    cases = DATA["cases"]
    assert len(cases) >= 60
    assert len({c["id"] for c in cases}) == len(cases)
    for cat in ("toxicity", "bias", "pii", "claims", "banned", "quality"):
        assert sum(cat in c["expect"] for c in cases) >= 3, cat
    assert sum(not c["expect"] for c in cases) >= 20
    texts = " ".join(c["text"] for c in cases)
    for phrase in ("killer feature", "crushing the quarter", "Scunthorpe", "Middlesex"):
        assert phrase in texts


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["id"] for c in DATA["cases"]])
def test_rule_categories(case, make_settings):
    s = make_settings(**DATA["settings"])
    report = check(case["text"], s, target_words=case.get("target_words"))
    # Quality findings are notes (never in the verdict), still listed for the person.
    flagged = {f.category for f in report.findings if f.severity != "info" or f.category == "quality"}
    assert flagged & RULE_CATEGORIES == set(case["expect"]) & RULE_CATEGORIES, report.findings
    for cat, texts in (case.get("spans") or {}).items():
        found = [f.text for f in report.findings if f.category == cat]
        for t in texts:
            assert t in found, (cat, t, found)
    for f in report.findings:
        assert case["text"][f.start : f.end] == f.text
