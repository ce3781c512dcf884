"""What became of a finding, decided from a draft's revisions and its approvals and dismissals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from studio.precision import rules
from studio.precision.rules import Decision, FindingRow, RevisionRow, span_after, trace, wilson

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
BODY = "Hey guys, our chairman will speak. The rest stays as it is."


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def guys(fid: int, body: str = BODY) -> FindingRow:
    i = body.index("guys")
    return FindingRow(fid, "gendered.guys", "bias", "gendered", "warn", i, i + 4, "guys")


def chairman(fid: int, body: str = BODY, severity: str = "warn") -> FindingRow:
    i = body.index("chairman")
    return FindingRow(fid, "gendered.chairman", "bias", "gendered", severity, i, i + 8, "chairman")


def length(fid: int) -> FindingRow:
    return FindingRow(fid, "quality.length", "quality", "length", "info", 0, 0, "")


def rev(n: int, body: str, minute: int, findings, reason: str = "edited") -> RevisionRow:
    return RevisionRow(n, body, reason, at(minute), None if findings is None else tuple(findings))


def outcomes(traced) -> dict[str, str | None]:
    return {t.rule: t.outcome for t in traced}


def test_span_after_follows_unchanged_words_and_notices_edited_ones():
    new = "Well, " + BODY.replace("The rest", "Everything else")
    start = BODY.index("chairman")
    moved = span_after(BODY, new, start, start + 8)
    assert moved is not None and new[moved[0] : moved[1]] == "chairman"
    assert span_after(BODY, BODY.replace("guys", "everyone"), BODY.index("guys"), BODY.index("guys") + 4) is None
    # A change inside a long run of unchanged text on both sides is found by the matcher.
    middle = BODY.replace("will speak", "speaks")
    assert span_after(BODY, middle, start, start + 8) == (start, start + 8)
    end = BODY.index("stays")
    assert middle[slice(*span_after(BODY, middle, end, end + 5))] == "stays"


def test_span_after_compares_paragraphs_then_words_within_the_one_that_changed():
    old = "# Title\n\nFirst paragraph stays.\n\nWrite to jane.doe@example.com, the chairman of the board, today.\n\nLast one.\n"
    new = old.replace("Write to", "Please write to").replace("today", "this week").replace("Last", "Final")
    for words in ("jane.doe@example.com", "chairman of the board", "First paragraph"):
        i = old.index(words)
        moved = span_after(old, new, i, i + len(words))
        assert moved is not None and new[moved[0] : moved[1]] == words
    i = old.index("today")
    assert span_after(old, new, i, i + 5) is None
    i = old.index("chairman of")  # one word of a longer span edited
    assert span_after(old, old.replace("of the board", "of our board"), i, i + len("chairman of the board")) is None


def test_applied_suggestion_and_edit_count_as_acted_on_and_repeats_are_one_finding():
    body2 = BODY.replace("chairman", "chair")
    body3 = body2.replace("guys", "everyone")
    traced = trace(1, [
        rev(1, BODY, 0, [guys(1), chairman(2)], "generated"),
        rev(2, body2, 5, [guys(3, body2)], "suggestion_applied"),
        rev(3, body3, 9, [], "edited"),
    ], [Decision(at(12), "approve")])  # fmt: skip
    assert len(traced) == 2
    assert outcomes(traced) == {"gendered.chairman": rules.SUGGESTION_APPLIED, "gendered.guys": rules.EDITED}
    assert next(t for t in traced if t.rule == "gendered.guys").ids == {1, 3}


def test_approved_with_the_words_standing_is_not_acted_on_and_an_override_is_named():
    body2 = BODY + " One more sentence."
    traced = trace(2, [
        rev(1, BODY, 0, [guys(1), chairman(2, severity="block")], "generated"),
        rev(2, body2, 3, [guys(3, body2), chairman(4, body2, severity="block")]),
    ], [Decision(at(8), "approve", override=True)])  # fmt: skip
    assert outcomes(traced) == {"gendered.guys": rules.APPROVED_UNCHANGED, "gendered.chairman": rules.OVERRIDDEN}


def test_a_dismissal_stands_even_when_the_finding_repeats_and_undecided_findings_stay_open():
    body2 = BODY.replace("The rest", "All else")
    traced = trace(3, [
        rev(1, BODY, 0, [guys(1), chairman(2), length(3)], "generated"),
        rev(2, body2, 5, [guys(4, body2), chairman(5, body2)]),
    ], [Decision(at(2), "dismiss", finding=1)])  # fmt: skip
    assert outcomes(traced) == {"gendered.guys": rules.DISMISSED, "gendered.chairman": None, "quality.length": rules.EDITED}
    assert len(traced) == 3


def test_a_revision_without_a_report_carries_findings_and_rejection_decides_nothing():
    body2 = "Intro. " + BODY
    body3 = body2.replace("chairman", "chair")
    traced = trace(4, [
        rev(1, BODY, 0, [chairman(1)], "generated"),
        rev(2, body2, 3, None),
        rev(3, body3, 6, [], "suggestion_applied"),
    ], [])  # fmt: skip
    assert outcomes(traced) == {"gendered.chairman": rules.SUGGESTION_APPLIED}
    assert trace(5, [rev(1, BODY, 0, [guys(1)], "generated")], []) [0].outcome is None


def test_text_the_model_wrote_again_decides_nothing():
    again = "A new text altogether, written by the model from the brief."
    traced = trace(6, [
        rev(1, BODY, 0, [guys(1), length(2)], "generated"),
        rev(2, again, 3, [], "generated"),
    ], [Decision(at(5), "approve")])  # fmt: skip
    assert outcomes(traced) == {"gendered.guys": None, "quality.length": None}


def test_wilson_interval_and_low_precision():
    low, high = wilson(0, 4)
    assert low == 0 and 0.45 < high < 0.55
    low, high = wilson(9, 10)
    assert 0.55 < low < 0.6 and 0.98 < high <= 1
    assert wilson(0, 0) == (0.0, 1.0)
    assert rules.is_low(1, 4) and not rules.is_low(1, 2) and not rules.is_low(2, 4)
    assert rules.is_low(0, 2, min_decided=2) and not rules.is_low(3, 4, threshold=0.7)


@pytest.mark.parametrize(("category", "expected"), [("bias", True), ("pii", True), ("toxicity", False), ("quality", False)])
def test_only_categories_the_allowlist_silences_are_offered(category, expected):
    assert rules.allowable(category) is expected
