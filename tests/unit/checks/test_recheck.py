"""A draft is checked again whenever its publishing fields or a few of its sentences change (the
model's proposed fields arrive after the text is saved; an editor changes the title). The
second check reads only what is new: the models and detectors keep what they read. These tests
hold that to its promise both ways: nothing read again that did not change, and nothing stale
when it did."""

from studio.checks.pipeline import check_draft
from studio.checks.toxicity import profanity_scorer
from studio.claims.extract import find_claims
from studio.languages.checks import language_check
from studio.languages.detect import _detect_words, detect

BODY = (
    "# Planning a content calendar\n\n"
    "A content calendar helps a small team decide what to publish and when. "
    "It keeps the plan visible to everyone who writes.\n\n"
    "Start with the themes your readers ask about most often. "
    "Then give each theme a week, and each week a post.\n\n"
    "Keep a short list of ideas beside the calendar, so a week with no plan still has a post. "
    "When a post goes out, note how readers responded and let that shape the next month.\n\n"
    "Review the calendar together once a month. Move what slipped, drop what no longer fits, "
    "and leave room for news that nobody could plan for.\n"
)
GERMAN = (
    "Ein Redaktionsplan hilft einem kleinen Team zu entscheiden, was wann veröffentlicht wird. "
    "Er macht den Plan für alle sichtbar, die schreiben."
)


def _body_findings(report):
    return [(f.category, f.rule, f.start, f.end, f.severity, f.score) for f in report.findings if f.field == "body"]


def test_new_fields_are_checked_without_the_body_being_scored_again(settings):
    scorer = profanity_scorer()
    first = check_draft(BODY + "\nWe tested it with four teams in 2026.\n", {"title": "Planning a content calendar"}, settings)
    before = scorer.scored
    second = check_draft(BODY + "\nWe tested it with four teams in 2026.\n",
                         {"title": "This calendar is shit", "excerpt": "How to plan a month of posts."}, settings)  # fmt: skip
    # Only the two new field texts reached the model; the body's findings are the same.
    assert scorer.scored - before == 2
    assert _body_findings(second) == _body_findings(first)
    assert [f.field for f in second.findings if f.category == "toxicity"] == ["title"]
    assert second.verdict == "block" and first.verdict != "block"


def test_an_edited_sentence_is_scored_and_its_finding_appears(settings):
    clean = check_draft(BODY, {}, settings)
    assert not [f for f in clean.findings if f.category == "toxicity"]
    edited = BODY.replace("Then give each theme a week", "This is shit. Then give each theme a week")
    report = check_draft(edited, {}, settings)
    found = [f for f in report.findings if f.category == "toxicity"]
    assert [f.text for f in found] == ["This is shit."]


def test_a_paragraph_changed_into_another_language_is_found_on_the_next_check(settings):
    backend = language_check("en", settings)
    name, run = backend
    assert run(BODY) == []
    mixed = BODY.replace("Start with the themes your readers ask about most often. "
                         "Then give each theme a week, and each week a post.", GERMAN)  # fmt: skip
    found = run(mixed)
    assert [f.rule for f in found] == ["language.paragraph"]
    assert mixed[found[0].start : found[0].end] == GERMAN
    # The same text read again gives the same answer as a detector that never saw it.
    cached = detect(GERMAN, plain=True)
    _detect_words.cache_clear()
    fresh = detect(GERMAN, plain=True)
    assert (fresh.code, round(fresh.confidence, 6)) == (cached.code, round(cached.confidence, 6)) == ("de", 1.0)


def test_claims_follow_an_edit(settings):
    assert find_claims(BODY) == []
    edited = BODY.replace("decide what to publish", "publish 40% more")
    claims = find_claims(edited)
    assert [c.kind for c in claims] == ["percentage"] and "40%" in claims[0].text
    # Callers get their own list: changing it does not change what the next caller gets.
    claims.clear()
    assert len(find_claims(edited)) == 1
