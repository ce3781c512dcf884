"""`python -m bench` (or `make bench`): every benchmark, one after the other, figures printed.

Each benchmark measures side by side in its own run; the machine's load changes the absolute
numbers, so run this on a quiet machine. Figures in the README come from this command.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHES = [
    ("first token (studio vs plain SDK)", ["bench.bench_first_token", "--runs", "20"]),
    ("generate path (studio vs plain SDK)", ["bench.bench_generate", "--runs", "20"]),
    ("checks: precision/recall on our fixture, checks per second", ["bench.bench_checks"]),
    ("toxicity tiers on HateCheck", ["bench.bench_hatecheck"]),
    ("Detoxify at its real size: fresh check, re-check, int8 drift", ["bench.bench_toxicity"]),
    ("review queue at 100,000 drafts", ["bench.bench_queue"]),
    ("export of 10,000 drafts", ["bench.bench_export"]),
    ("writing workspace: long-form, repetition, variants", ["bench.bench_writing"]),
    ("voice match on held-apart texts of two authors", ["bench.bench_voice"]),
    ("claim support on the labelled set", ["bench.bench_claims"]),
    ("output-language detection on short drafts", ["bench.bench_language"]),
    ("batches on the job queue: throughput, a worker killed, overhead per job", ["bench.bench_batch"]),
    ("check precision over 500 and 2,000 drafts", ["bench.bench_precision"]),
    ("critic pass: findings and rubric scores before and after", ["bench.bench_critic"]),
    ("prompt versions: the A/B share through the writer, the cost of picking, stats", ["bench.bench_prompts"]),
]


def main() -> int:
    wanted = set(sys.argv[1:])
    failed = 0
    for title, argv in BENCHES:
        if wanted and not any(w in argv[0] for w in wanted):
            continue
        print(f"\n=== {title}  (python -m {' '.join(argv)})", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", *argv])
        print(f"--- {time.perf_counter() - started:.0f} s, exit {code}", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
