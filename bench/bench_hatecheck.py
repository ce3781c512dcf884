"""Toxicity tiers on HateCheck: recall on hateful cases and false-alarm rate on non-hateful ones,
overall and per functionality.

    python bench/bench_hatecheck.py [--csv /work/shared/eval/hatecheck/test_suite_cases.csv]

HateCheck: Röttger, Vidgen, Nguyen, Waseem, Margetts & Pierrehumbert, "HateCheck: Functional Tests
for Hate Speech Detection Models", ACL 2021. Licensed CC BY 4.0.

Measuring only: rules and thresholds are never tuned on this set. A case counts as flagged when
the tier produces any toxicity finding at the configured warn threshold.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.checks import toxicity  # noqa: E402
from studio.checks.text import sentences  # noqa: E402
from studio.config import Settings  # noqa: E402

DEFAULT_CSV = Path(os.environ.get("HATECHECK_CSV", "/work/shared/eval/hatecheck/test_suite_cases.csv"))
CREDIT = (
    "Data: HateCheck (Röttger et al., ACL 2021, https://github.com/paul-rottger/hatecheck-data), CC BY 4.0."
)


def load(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh)]


def report(name: str, rows: list[dict], flagged: list[bool], seconds: float) -> None:
    hateful = [f for r, f in zip(rows, flagged) if r["label_gold"] == "hateful"]
    clean = [f for r, f in zip(rows, flagged) if r["label_gold"] != "hateful"]
    print(f"\n== {name}: {len(rows)} cases in {seconds:.1f}s")
    print(f"   recall on hateful:        {sum(hateful) / len(hateful):.3f}  ({sum(hateful)}/{len(hateful)})")
    print(f"   false alarms, non-hateful: {sum(clean) / len(clean):.3f}  ({sum(clean)}/{len(clean)})")
    by: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for r, f in zip(rows, flagged):
        by[r["functionality"]].append((r["label_gold"], f))
    print(f"   {'functionality':<28} {'gold':<11} {'n':>4} {'flagged':>8}  metric")
    for func in sorted(by):
        items = by[func]
        gold = items[0][0]
        rate = sum(f for _, f in items) / len(items)
        metric = "recall" if gold == "hateful" else "false-alarm"
        print(f"   {func:<28} {gold:<11} {len(items):>4} {rate:>8.3f}  {metric}")


def run_profanity(rows: list[dict], settings) -> list[bool]:
    out = []
    for r in rows:
        text = r["test_case"]
        out.append(bool(toxicity.run_profanity(text, sentences(text), settings, why="benchmark")))
    return out


def run_detoxify(rows: list[dict], settings) -> list[bool]:
    out = []
    for r in rows:
        text = r["test_case"]
        out.append(bool(toxicity.run_detoxify(text, sentences(text), settings)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = ap.parse_args()
    rows = load(args.csv)
    settings = Settings()
    print(CREDIT)
    print(f"Thresholds: warn {settings.studio_toxicity_warn}, block {settings.studio_toxicity_block}.")

    t0 = time.perf_counter()
    flagged = run_profanity(rows, settings)
    report("profanity-check (embedded offline fallback)", rows, flagged, time.perf_counter() - t0)

    try:
        toxicity.load_detoxify(settings)
    except Exception as exc:  # noqa: BLE001
        print(f"\n== detoxify ({settings.studio_toxicity_model}): not available: {exc}")
    else:
        t0 = time.perf_counter()
        flagged = run_detoxify(rows, settings)
        report(f"detoxify ({settings.studio_toxicity_model})", rows, flagged, time.perf_counter() - t0)

    print("\n== openai-moderation: not run (needs the OpenAI API; this benchmark stays offline)")


if __name__ == "__main__":
    main()
