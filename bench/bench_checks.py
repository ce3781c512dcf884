"""Moderation check: precision/recall per category on the labelled fixture, and checks/second
for an ~800-word draft with the embedded offline default (profanity-check) plus all rules.

    python bench/bench_checks.py [--seconds 5]

Measures only; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from studio.checks.pipeline import CATEGORIES, check  # noqa: E402
from studio.config import Settings  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "moderation_cases.yaml"

PARAGRAPHS = [
    "Our spring release is here, and it brings the features our customers asked for most. "
    "Saved filters let you return to the views you use every day. Bulk edit turns an afternoon "
    "of clicking into a few seconds. The new inbox groups related messages so nothing slips "
    "through the cracks.",
    "We spent the winter talking to teams of every size, from two-person studios to agencies "
    "with hundreds of staff. They told us the same thing: planning is easy, but keeping a plan "
    "current is hard. So we rebuilt the timeline from the ground up, with drag-and-drop "
    "dependencies and a calmer, clearer layout.",
    "Security matters as much as speed. Every workspace now supports single sign-on and "
    "two-factor login, and admins can review access in one place. Data stays in the region "
    "you choose, and exports are encrypted at rest.",
    "Hey guys, our chairman will host a live demo on Thursday. Write to events@example.com to "
    "save a seat. The session is free, and the recording goes out to everyone who registers. "
    "Bring your questions about reporting, automation and integrations.",
    "Pricing stays simple. The starter plan covers small teams, the growth plan adds automation "
    "and advanced reporting, and the enterprise plan includes a dedicated success manager. "
    "Annual billing saves two months compared with paying monthly.",
    "Customers who moved from spreadsheets report fewer missed deadlines and shorter status "
    "meetings. One agency told us it now closes projects a week earlier on average. Results "
    "are guaranteed to vary, but the direction is clear.",
    "What comes next? Over the summer we will ship a mobile planner, deeper calendar sync and "
    "a public API for custom dashboards. Follow the changelog to see each improvement as it "
    "lands, and tell us what you would like to see after that.",
]


def draft(words: int = 800) -> str:
    out: list[str] = []
    n = 0
    i = 0
    while n < words:
        p = PARAGRAPHS[i % len(PARAGRAPHS)]
        out.append(p)
        n += len(p.split())
        i += 1
    return "\n\n".join(out)


def fixture_scores(settings_kw: dict) -> None:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    settings = Settings(**{**data["settings"], **settings_kw})
    tp = {c: 0 for c in CATEGORIES}
    fp = dict(tp)
    fn = dict(tp)
    tier = None
    for case in data["cases"]:
        r = check(case["text"], settings, target_words=case.get("target_words"))
        tier = tier or r.toxicity_backend
        got = {f.category for f in r.findings if f.severity != "info" or f.category == "quality"}
        exp = set(case["expect"])
        for c in CATEGORIES:
            if c in got and c in exp:
                tp[c] += 1
            elif c in got:
                fp[c] += 1
            elif c in exp:
                fn[c] += 1
    print(f"Fixture: {FIXTURE.relative_to(ROOT)} ({len(data['cases'])} texts); a category counts as")
    print(f"flagged when a finding of severity warn/block has it. Toxicity tier: {tier or 'none'}.")
    print(f"{'category':<10} {'support':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}")
    for c in CATEGORIES:
        support = tp[c] + fn[c]
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else float("nan")
        rc = tp[c] / support if support else float("nan")
        print(f"{c:<10} {support:>7} {tp[c]:>4} {fp[c]:>4} {fn[c]:>4} {p:>10.2f} {rc:>7.2f}")


def throughput(settings_kw: dict, seconds: float) -> None:
    text = draft(800)
    settings = Settings(**settings_kw)
    r = check(text, settings, target_words=800)  # warm-up (loads rules and the sklearn model)
    n_words = len(text.split())
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        check(text, settings, target_words=800)
        n += 1
    dt = time.perf_counter() - t0
    rate = n / dt
    print(
        f"\nThroughput: {n_words}-word draft, toxicity tier {r.toxicity_backend} + all rules, "
        f"{len(r.findings)} findings per check"
    )
    print(f"  {rate:.1f} checks/second ({1000 / rate:.1f} ms per check) over {n} checks; target >= 50/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        print("Pinned to one CPU core.")
    # The embedded default: Detoxify deliberately pointed at nothing, OpenAI off.
    default_tier = dict(studio_detoxify_checkpoint="/nonexistent/none-00000000.ckpt", studio_openai_moderation=False)
    fixture_scores(default_tier)
    throughput(default_tier, args.seconds)


if __name__ == "__main__":
    main()
