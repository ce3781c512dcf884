"""The demo writer's text is ours: whatever the brief, it trips none of the checks (no repeated
phrase, length near the target, no claim, no biased word, no tone note)."""

from __future__ import annotations

import itertools

import pytest

from studio.checks.pipeline import check
from studio.config import Settings
from studio.drafting.brief import Brief
from studio.drafting.demo import DemoWriter
from studio.drafting.prompts import build_messages

BRIEFS = list(itertools.product(
    ["blog", "news", "story"], [100, 600, 1500, 3000], ["", "planning, editorial calendar, SEO"],
    ["professional", "witty", "empathetic"], [0.0, 1.4],
))  # fmt: skip


@pytest.mark.parametrize("kind, words, keywords, tone, temperature", BRIEFS)
def test_demo_output_trips_no_check(kind, words, keywords, tone, temperature, tmp_path):
    # The embedded toxicity tier, whatever this machine has cached.
    settings = Settings(studio_detoxify_checkpoint=str(tmp_path / "none-00000000.ckpt"))
    brief = Brief.create(
        content_type=kind, topic="how small teams plan a content calendar", audience="marketing managers",
        keywords=keywords, tone=tone, temperature=temperature, target_words=words,
    )  # fmt: skip
    text = DemoWriter(seed=7, temperature=temperature).compose(build_messages(brief))
    report = check(text, settings, target_words=words)
    assert report.findings == [], [(f.category, f.label, f.text[:40]) for f in report.findings]
    assert report.verdict == "pass"
