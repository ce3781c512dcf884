"""The pure rules of prompt versions: templates, the split, the 95% intervals."""

from __future__ import annotations

import random
import statistics

import pytest

from studio.drafting.brief import CONTENT_TYPES, Brief
from studio.drafting.prompts import PLACEHOLDERS, build_messages, default_human, default_system, prompt_values
from studio.drafting.brief import WritingContext
from studio.prompts import rules
from studio.prompts.schemas import PromptTemplate


def test_placeholders_are_exactly_what_the_writer_fills():
    assert set(PLACEHOLDERS) == set(prompt_values(Brief.create(content_type="blog", topic="Tea")))


@pytest.mark.parametrize("content_type", list(CONTENT_TYPES))
def test_the_built_in_templates_are_valid_versions(content_type):
    assert rules.template_problems(default_system(content_type), "The system prompt") == []
    assert rules.template_problems(default_human(), "The brief message") == []
    assert rules.unused_placeholders(default_system(content_type), default_human()) == []


def test_a_template_naming_something_the_studio_does_not_fill_is_refused_by_name():
    (problem,) = rules.template_problems("Write about {subject} for {audience}.", "The system prompt")
    assert "{subject}" in problem and "{topic}" in problem  # names the culprit and what is known
    assert rules.template_problems("Write {{literally}} about {topic}.", "X") == []
    assert "unmatched brace" in rules.template_problems("Write about {topic", "X")[0]
    assert "takes no format" in rules.template_problems("{topic!r}", "X")[0]
    assert rules.template_problems("   ", "The brief message") == ["The brief message is empty."]


def test_a_version_template_is_what_the_model_is_sent():
    brief = Brief.create(content_type="news", topic="A new bridge", audience="commuters")
    template = PromptTemplate(1, "news", 2, "Report on {topic} for {audience}. {{Braces}} stay.", "Go: {topic}")
    ctx = Brief(**{**brief.__dict__, "context": WritingContext(prompt=template)})
    system, human = build_messages(ctx)
    assert system.content == "Report on A new bridge for commuters. {Braces} stay."
    assert human.content == "Go: A new bridge"
    assert build_messages(brief)[0].content.startswith("You are an experienced content writer")


def test_pick_gives_each_version_its_share_of_the_unit_interval():
    testing = [(2, 0.25), (3, 0.1)]
    grid = [rules.pick(1, testing, (i + 0.5) / 10_000) for i in range(10_000)]
    assert (grid.count(2), grid.count(3), grid.count(1)) == (2500, 1000, 6500)
    draw = random.Random(7).random
    n = 20_000
    picked = [rules.pick(1, [(2, 0.5)], draw()) for _ in range(n)]
    assert abs(picked.count(2) - n / 2) < 5 * (n / 4) ** 0.5
    assert rules.live_share(testing) == pytest.approx(0.65)


def test_shares_outside_zero_to_one_or_past_the_rest_are_refused():
    assert rules.share_problem(0.5, 0.5) is None
    assert rules.share_problem(0, 1.0) is None  # stopping a test always works
    assert "at most 30%" in rules.share_problem(0.5, 0.7)
    assert "from 0 to 1" in rules.share_problem(1.5, 0)
    assert "from 0 to 1" in rules.share_problem(float("nan"), 0)


def test_wilson_interval_matches_the_published_values():
    e = rules.rate(8, 10)  # Wilson 95% for 8/10: 0.490 to 0.943
    assert (round(e.low, 3), round(e.high, 3), e.value, e.n) == (0.49, 0.943, 0.8, 10)
    assert rules.rate(0, 0).value is None
    assert rules.rate(5, 5).high == 1.0 and rules.rate(5, 5).low < 1.0


def test_median_interval_uses_order_statistics_and_needs_six_values():
    assert rules.median([3, 1, 2]).value == 2 and rules.median([3, 1, 2]).low is None
    values = list(range(1, 11))  # n=10: [x(2), x(9)] covers 97.9%, [x(3), x(8)] only 89%
    e = rules.median(values)
    assert (e.value, e.low, e.high, e.n) == (5.5, 2, 9, 10)
    rng = random.Random(3)
    sample = [rng.expovariate(1) for _ in range(201)]
    e = rules.median(sample)
    assert e.low < statistics.median(sample) < e.high


def test_findings_per_thousand_words_interval_is_close_to_the_exact_poisson_one():
    e = rules.per_thousand(10, 1000)  # exact (Garwood) 95% for a count of 10: 4.795 to 18.390
    assert e.value == 10 and abs(e.low - 4.795) < 0.01 and abs(e.high - 18.390) < 0.01
    zero = rules.per_thousand(0, 2000)  # exact upper bound for 0 is 3.689, per 2,000 words
    assert zero.value == 0 and zero.low == 0 and abs(zero.high - 3.689 / 2) < 0.01
    assert rules.per_thousand(3, 0).value is None
