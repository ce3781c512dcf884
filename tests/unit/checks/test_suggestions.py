"""Suggestions never invent: every rule's every suggestion, applied the way the app applies it,
leaves a text on which the whole check finds nothing new; none adds a number, a name, a promise
or a claim; where no replacement is safe, the finding says what to do instead."""

from __future__ import annotations

import re

import pytest

from studio.checks.pipeline import check
from studio.checks.rules import bias_rules, claims_rules
from studio.checks.text import normalize, words
from studio.drafting.suggestions import match_case

# Sentences a phrase is dropped into: sentence start, middle, before punctuation.
TEMPLATES = (
    "{} came up in the weekly meeting.",
    "We talked about the {} at lunch today.",
    "The note in the report said {}.",
)
# Words that carry a promise, a policy or a claim: a suggestion must not bring one in.
CLAIM_WORDS = re.compile(
    r"\b(?:guarantee\w*|refund\w*|money[- ]back|cancel\w*|risk|free|proven|tested|clinical\w*|leading|"
    r"rated|best|top|award\w*|certified|approved|safe|cure\w*|heal\w*|instant\w*|always|never|"
    r"percent|trial)\b",
    re.IGNORECASE,
)


def _cases() -> list[tuple[str, str, str, int]]:
    """(rule id, matched form, suggestion, its index) for every suggestion of every rule."""
    out = []
    for rs in (bias_rules(), claims_rules()):
        for rid, forms in rs.phrases.items():
            for form in forms:
                for i, s in enumerate(rs.suggestions_for(rid, form)):
                    out.append((rid, form, s, i))
        for rid, examples in rs.examples.items():
            for ex in examples:
                for i, s in enumerate(rs.rules[rid].suggestions):
                    out.append((rid, ex, s, i))
    return out


CASES = _cases()


def test_there_are_suggestions_to_test():
    assert len(CASES) > 250
    assert {rid.split(".")[0] for rid, *_ in CASES} >= {"gendered", "ableist", "age", "race", "lgbtq", "claims"}


@pytest.mark.parametrize("rule, form, suggestion, index", CASES, ids=[f"{c[0]}:{c[1]}->{c[2]}" for c in CASES])
def test_no_suggestion_creates_a_finding(rule, form, suggestion, index, settings):
    tried = 0
    for template in TEMPLATES:
        phrase = form[:1].upper() + form[1:] if template.startswith("{}") else form
        text = template.format(phrase)
        before = check(text, settings)
        at = text.index(phrase)
        covering = [f for f in before.findings if f.start <= at < f.end and f.category in ("bias", "claims")]
        if covering and normalize(covering[0].text) != normalize(phrase):
            continue  # a longer phrase took these words here ("the elderly" in "the elderly people")
        target = [f for f in covering if f.rule == rule]
        assert target, (rule, text, before.findings)
        tried += 1
        f = target[0]
        assert len(f.suggestions) > index
        fixed = text[: f.start] + match_case(f.text, f.suggestions[index]) + text[f.end :]
        after = check(fixed, settings)
        old = {(x.rule, normalize(x.text)) for x in before.findings} - {(f.rule, normalize(f.text))}
        new = [x for x in after.findings if (x.rule, normalize(x.text)) not in old]
        assert new == [], (text, fixed, new)
    assert tried, f"no template let {form!r} match on its own"


@pytest.mark.parametrize("rule, form, suggestion, index", CASES, ids=[f"{c[0]}:{c[1]}->{c[2]}" for c in CASES])
def test_no_suggestion_adds_a_number_a_name_or_a_claim(rule, form, suggestion, index):
    had = {normalize(w.text) for w in words(form)}
    added = [w.text for w in words(suggestion) if normalize(w.text) not in had]
    assert not any(ch.isdigit() for ch in suggestion) or any(ch.isdigit() for ch in form), suggestion
    for w in added:
        if w[:1].isupper() and w.lower() not in {"i'm", "i"} and not w.isupper():
            pytest.fail(f"{suggestion!r} for {form!r} brings in the name {w!r}")
        assert not CLAIM_WORDS.fullmatch(w), f"{suggestion!r} for {form!r} brings in {w!r}"


def test_claims_offer_no_replacement_that_keeps_or_adds_a_claim():
    """A claim's only one-click fix is dropping an intensifier ("totally free" → "free")."""
    rs = claims_rules()
    for rid, forms in rs.phrases.items():
        for form in forms:
            for s in rs.suggestions_for(rid, form):
                assert set(normalize(s).split()) < set(normalize(form).split()), (rid, form, s)


def test_a_finding_without_a_safe_replacement_says_what_to_do(settings):
    text = (
        "We guarantee it. Try it risk-free, cancel any time. It cures colds. The #1 app, 100% of the time. "
        "Call bob@gmail.com. Our young and energetic team. He or she will call."
    )
    report = check(text, settings)
    bare = [f for f in report.findings if not f.suggestions and f.category in ("claims", "pii", "bias")]
    assert {f.rule for f in bare} >= {
        "claims.guaranteed", "claims.risk_free", "claims.cures", "claims.hash_one", "claims.percentage",
        "pii.email", "age.job_ad", "gendered.he_or_she",
    }
    for f in bare:
        assert f.advice, f
    guarantee = next(f for f in bare if f.rule == "claims.guaranteed")
    assert guarantee.advice == (
        "State the actual terms (what is guaranteed, for how long, how to claim), or remove the claim."
    )


def test_the_suggestions_the_issue_named_are_gone(settings):
    text = "His guys guarantee 100% risk-free returns."
    offered = {s for f in check(text, settings).findings for s in f.suggestions}
    assert not offered & {"backed by our 30-day refund", "cancel any time", "low-risk", "designed to"}
    assert offered == {"everyone", "folks"}


def test_every_pattern_rule_has_examples_it_matches():
    for rs in (bias_rules(), claims_rules()):
        for rx, rid in rs.regexes:
            if rid in rs.examples:
                assert rs.examples[rid], rid
                for ex in rs.examples[rid]:
                    assert rx.search(ex), (rid, ex)
