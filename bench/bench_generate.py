"""The studio's whole generate path against a plain openai SDK call, same server, same content.

Studio path: brief → prompt → langchain-openai stream relayed chunk by chunk → checks with the
embedded default (profanity-check + all rules) → save (publishing fields derived from the text;
the model's proposal follows in the background and is not waited for). Plain path: `openai`
chat.completions streamed and joined, one pydantic chunk object per delta, as a script would.
The studio's ChatOpenAI reads the SDK's parsed JSON chunks instead of pydantic objects that it
would dump back to dicts (`studio.drafting.providers.DictChunkCompletions`); before that
change the studio took 1.39-1.47x the plain call. Both against the tests' local OpenAI-compatible
server with zero delay, interleaved in one run; the server sends an ~800-word reply.

    python -m bench.bench_generate [--runs 20] [--words 800]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._studio import BRIEF, studio_and_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--words", type=int, default=800)
    args = parser.parse_args()

    with studio_and_server(args.words) as st:
        from studio.db import session_scope
        from studio.drafting.brief import Brief
        from studio.drafting.writer import DraftRun
        from studio.models import CheckReport

        values = dict(BRIEF, target_words=args.words)
        client, messages, settings, engine, user = st.client, st.messages, st.settings, st.engine, st.user

        def plain() -> tuple[float, int]:
            t0 = time.perf_counter()
            stream = client.chat.completions.create(model="fake-gpt", messages=messages, temperature=0.7, stream=True)
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            return (time.perf_counter() - t0) * 1000, len(text.split())

        def studio() -> tuple[float, int]:
            t0 = time.perf_counter()
            run = DraftRun(Brief.create(**values), user, engine=engine, settings=settings)
            text = "".join(run.stream())
            elapsed = (time.perf_counter() - t0) * 1000
            assert run.outcome is not None and run.outcome.error is None
            run.wait_for_fields(30)  # the background field proposal, outside the timed part
            return elapsed, len(text.split())

        plain(), studio()  # warm up imports, connections and the check models
        p_times, s_times = [], []
        words = 0
        for _ in range(args.runs):
            t, words = plain()
            p_times.append(t)
            t, _ = studio()
            s_times.append(t)
        with session_scope(engine) as s:
            assert s.query(CheckReport).count() >= args.runs  # the checks really ran each time
    p, s = statistics.median(p_times), statistics.median(s_times)
    print(f"generate path, {words}-word draft, zero server delay, median of {args.runs}:")
    print(f"  plain openai SDK stream            {p:8.1f} ms")
    print(f"  studio (stream, checks, save)     {s:8.1f} ms")
    print(f"  ratio {s / p:.2f}  (target <= 1.2); studio adds {s - p:.1f} ms")


if __name__ == "__main__":
    main()
