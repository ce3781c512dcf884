"""Claims found by rules in several languages, and their support by a passage (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from studio.claims.extract import find_claims
from studio.claims.ledger import build, findings
from studio.claims.support import Candidate, best_support, numbers, parse_number

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "claim_support.yaml"


@pytest.mark.parametrize(("text", "kind"), [
    ("Revenue grew 40% last year.", "percentage"),
    ("We now have 1,250 customers.", "figure"),
    ("Prices start at $29 a month.", "figure"),
    ("The update ships on March 24.", "date"),
    ("\"We finally see the whole quarter,\" said Ana.", "quote"),
    ("According to Gartner, most teams plan quarterly.", "study"),
    ("It is the fastest planner on the market.", "superlative"),
    ("Der Umsatz stieg um 2,5 Millionen Euro.", "figure"),
    ("Laut einer Studie nutzen 73 Prozent der Firmen KI.", "percentage"),
    ("Selon une étude de l'IFOP, les équipes manquent de temps.", "study"),
    ("Es el mejor planificador del mercado.", "superlative"),
    ("我们的收入增长了40%。", "percentage"),
    ("売上は2024年に増加しました。", "date"),
    ("가장 빠른 플래너입니다.", "superlative"),
    ("The council changed the rules on [NEEDS SOURCE].", "needs-source"),
])  # fmt: skip
def test_the_rules_find_each_kind_of_claim(text, kind):
    (claim,) = find_claims(text)
    assert claim.kind == kind and text[claim.start : claim.end] == claim.text


def test_advice_headings_list_numbers_and_versions_are_not_claims():
    text = "# Garden notes 18\n\n1. Write down your goals.\n2. Review them weekly.\n\nAcme Planner 3.0 is here.\n"
    assert find_claims(text) == []


def test_numbers_are_read_the_same_in_every_notation():
    assert [parse_number(x) for x in ("1,250", "1.250", "2,5", "1.250,5", "12 000", "3.0")] == [
        1250, 1250, 2.5, 1250.5, 12000, 3.0]
    assert {2.5, 2_500_000} <= numbers("2.5 million") and {2.5, 2_500_000} <= numbers("2,5 Millionen")


def test_every_supported_row_of_the_labelled_set_is_supported():
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    passages = [Candidate(label, text) for label, text in data["passages"].items()]
    for case in data["cases"]:
        found = find_claims(case["claim"])
        if case["label"] == "supported" and found:
            assert best_support(found[0], passages).level == "supported", case["claim"]
        if case["label"] != "supported" and found:
            assert best_support(found[0], passages).level != "supported", case["claim"]


def test_a_different_figure_is_not_support_and_a_cited_passage_wins_ties():
    (claim,) = find_claims("Revenue grew 14% in 2024 [S2].")
    a, b = Candidate("S1", "Revenue grew 14% in 2024 across Europe."), Candidate("S2", "Revenue grew 14% in 2024.")
    assert best_support(claim, [a, b], ["S2"]).label == "S2"
    (wrong,) = find_claims("Revenue grew 41% in 2024.")
    assert best_support(wrong, [a]).level != "supported"
    missing = best_support(claim, [a], ["S2"])
    assert "cites S2, which was not among the passages" in missing.note


def test_news_blocks_an_unsupported_quote_or_figure_but_a_blog_does_not():
    text = "\"This is our biggest step yet,\" said Tom. The office will employ 250 people. It is lovely."
    entries = build(text, [Candidate("S1", "Acme opened an office.")])
    assert [e.support.level for e in entries] == ["unsupported", "unsupported"]
    assert {f.label for f in findings(entries, "news")} == {"unsourced quote", "unsourced figure"}
    assert all(f.severity == "block" for f in findings(entries, "news"))
    assert findings(entries, "blog") == []
