"""The critic pass on the bench's set of briefs: findings and rubric scores before and after.

    python -m bench.bench_critic [--rounds 2] [--words 300]

Each brief in ``bench/data/critic_briefs.yaml`` goes through the writer (DraftRun, one pass) with
the critic pass on, against the tests' local OpenAI-compatible server. That server writes each
draft with one to three flaws planted (an unsupported claim, a sentence said twice, a 45-word
sentence; ``tests/support/fake_critic.py``), critiques by rules a model critic would follow, and
rewrites the passages it is sent by their notes. So the figures show what the pass does with a
critic and a rewriter that behave: that findings and scores move, by how much, in how many
rounds and model calls, and that nothing outside the flagged passages changes. They say nothing
about how well a real model critiques or rewrites.

Printed: per brief, the check findings and the rubric total before and after, the rounds kept,
the passages rewritten and the characters changed outside the flagged passages (must be 0);
then each rubric dimension's mean before and after, and the time and model calls per draft.
"""

from __future__ import annotations

import argparse
import difflib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import fake_critic  # noqa: E402
from tests.support.fake_openai import FakeOpenAI  # noqa: E402

BRIEFS = ROOT / "bench" / "data" / "critic_briefs.yaml"


def _outside(before: str, after: str, spans: list[tuple[int, int]]) -> int:
    """Characters of ``before`` changed outside the given spans."""
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    bad = 0
    for tag, i1, i2, _, _ in ops:
        if tag == "equal":
            continue
        if not any(s <= i1 and i2 <= e for s, e in spans):
            bad += max(i2 - i1, 1)
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--words", type=int, default=300)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="studio-bench-critic-")
    briefs = yaml.safe_load(BRIEFS.read_text(encoding="utf-8"))
    with FakeOpenAI(reply=fake_critic.varied_reply) as server:
        for k in [k for k in os.environ if k.startswith(("STUDIO_", "OPENAI_"))]:
            del os.environ[k]
        os.environ.update(STUDIO_DATABASE_URL=f"sqlite:///{tmp}/bench.db", OPENAI_BASE_URL=server.base_url,
                          OPENAI_API_KEY="sk-bench", STUDIO_MODEL="fake-gpt", STUDIO_SECRETS_FILE=f"{tmp}/absent.toml")
        from studio.accounts.service import create_first_admin
        from studio.config import reload_settings
        from studio.critic.rubric import DIMENSIONS
        from studio.db import get_engine, migrate, session_scope
        from studio.drafting.brief import Brief
        from studio.drafting.writer import DraftRun
        from studio.models import Revision

        settings = reload_settings()
        engine = get_engine()
        migrate(engine)
        with session_scope(engine) as s:
            user = create_first_admin(s, "bench", "bench-password-123")
        rows, dims_before, dims_after, times, calls = [], {k: [] for k in DIMENSIONS}, {k: [] for k in DIMENSIONS}, [], []
        print(f"{len(briefs)} briefs, {args.words}-word drafts, critic pass of at most {args.rounds} rounds\n")
        print(f"{'brief':<46} {'findings':>10} {'rubric':>13} {'rounds':>6} {'rewritten':>9} {'outside':>7}")
        for b in briefs:
            brief = Brief.create(**b, target_words=args.words, critic_rounds=args.rounds)
            server.clear_requests()
            started = time.perf_counter()
            outcome = DraftRun(brief, user, engine=engine, settings=settings).run()
            times.append(time.perf_counter() - started)
            calls.append(len([r for r in server.chat_requests if "Propose: title" not in str(r.json)]))
            c = outcome.critic or {}
            if "before" not in c:
                print(f"{b['topic'][:46]:<46} critic pass did not run: {c.get('error')}")
                continue
            with session_scope(engine) as s:
                bodies = [r.body for r in s.query(Revision).filter_by(draft_id=outcome.draft_id).order_by(Revision.number)]
            outside, kept = 0, [r for r in c["rounds"] if r["kept"]]
            for rnd, before, after in zip(kept, bodies, bodies[1:]):
                outside += _outside(before, after, [(p["start"], p["end"]) for p in rnd["passages"]])
            rewritten = sum(r["rewritten"] for r in kept)
            rows.append((c["before"], c["after"], len(kept), rewritten, outside))
            for label_key, label in DIMENSIONS.items():
                if c["before"]["scores"][label] is not None:
                    dims_before[label_key].append(c["before"]["scores"][label])
                    dims_after[label_key].append(c["after"]["scores"][label])
            print(f"{b['topic'][:46]:<46} {c['before']['findings']:>4} → {c['after']['findings']:<3} "
                  f"{c['before']['total']:>5.2f} → {c['after']['total']:<5.2f} {len(kept):>6} {rewritten:>9} {outside:>7}")
        print()
        fb = sum(r[0]["findings"] for r in rows)
        fa = sum(r[1]["findings"] for r in rows)
        print(f"check findings, all drafts: {fb} before, {fa} after ({(fb - fa) / fb:.0%} fewer)" if fb else
              "check findings: none before")
        print(f"rubric total, mean: {statistics.mean(r[0]['total'] for r in rows):.3f} before, "
              f"{statistics.mean(r[1]['total'] for r in rows):.3f} after")
        for key, label in DIMENSIONS.items():
            if dims_before[key]:
                print(f"  {label:<20} {statistics.mean(dims_before[key]):.3f} → {statistics.mean(dims_after[key]):.3f}")
            else:
                print(f"  {label:<20} not scored (no brand voice in these briefs)")
        print(f"rounds kept per draft: mean {statistics.mean(r[2] for r in rows):.2f}; passages rewritten: "
              f"{sum(r[3] for r in rows)}; characters changed outside flagged passages: {sum(r[4] for r in rows)}")
        print(f"per draft (writer + checks + critic, local server with no latency): median "
              f"{statistics.median(times) * 1000:.0f} ms, {statistics.mean(calls):.1f} model calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
