"""Prompt versions: does the A/B split give a version its share of new drafts written through
the real writer, what does picking a version cost a draft, and how long do the figures take?

    python -m bench.bench_prompts [--drafts 100] [--share 0.5]

Drafts are written through DraftRun against the local fake server at zero delay; the version
under test asks for a closing promise, which the server then writes, so its findings differ.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._studio import BRIEF, studio_and_server


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=100)
    parser.add_argument("--share", type=float, default=0.5)
    args = parser.parse_args()
    with studio_and_server(words=150) as st:
        from studio.db import session_scope
        from studio.drafting.brief import Brief
        from studio.drafting.writer import DraftRun
        from studio.models import Draft
        from studio.prompts import rules, service
        from tests.integration.prompts.conftest import MARK, PROMISE, V2_SYSTEM, system_of
        from tests.support.fake_openai import default_article

        def reply(body: dict) -> str:
            user = next((m.get("content", "") for m in reversed(body["messages"]) if m.get("role") == "user"), "")
            return default_article(user, 150) + ("\n\n" + PROMISE if MARK in system_of(body) else "")

        st.server.reply = reply
        with session_scope(st.engine) as s:
            v2 = service.add_version(s, st.user, "blog", system=V2_SYSTEM, label="closing promise")
            service.split(s, st.user, "blog", v2.number, args.share)
        ids, took = [], []
        for _ in range(args.drafts):
            started = time.perf_counter()
            run = DraftRun(Brief.create(**BRIEF, target_words=150), st.user, engine=st.engine, settings=st.settings)
            run.run()
            run.wait_for_fields(30)
            took.append(time.perf_counter() - started)
            ids.append(run.outcome.draft_id)
        with session_scope(st.engine) as s:
            got = [s.get(Draft, i).prompt_version_id for i in ids]
            picks = []
            for _ in range(200):
                t = time.perf_counter()
                service.prompt_for_new_draft(s, "blog")
                picks.append(time.perf_counter() - t)
            t = time.perf_counter()
            figures = service.stats(s, st.user, "blog")
            stats_ms = (time.perf_counter() - t) * 1000
        under_test = got.count(v2.id)
        share = rules.rate(under_test, len(got))
        print(f"configured share {args.share:.2f}; drafts written with the version under test: {under_test} of "
              f"{len(got)} = {share.value:.3f} (95% interval {share.low:.3f}–{share.high:.3f}); "
              f"every draft records a version: {all(g is not None for g in got)}")
        print(f"picking a version: median {statistics.median(picks) * 1000:.2f} ms per new draft "
              f"(one draft through the writer: median {statistics.median(took) * 1000:.0f} ms)")
        print(f"prompts stats over {len(got)} drafts: {stats_ms:.0f} ms")
        for f in figures:
            print(f"  v{f.version.number}: {f.drafts} drafts, findings per 1,000 words "
                  f"{f.findings_per_1000_words.text()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
