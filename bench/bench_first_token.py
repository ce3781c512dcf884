"""Click-to-first-token overhead of the studio's generate path vs a plain openai SDK call.

Both talk to the same local OpenAI-compatible server with zero delay, in one run, interleaved.
The studio path is what a click on Generate runs: brief validation, prompt building, chat model
construction, streaming through langchain-openai, until the first text chunk is in hand.

    python -m bench.bench_first_token [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._studio import BRIEF, studio_and_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    with studio_and_server(800) as st:
        from studio.drafting.brief import Brief
        from studio.drafting.writer import DraftRun

        values = dict(BRIEF, target_words=800)
        client, messages, settings, engine, user = st.client, st.messages, st.settings, st.engine, st.user

        def raw_ttft() -> float:
            t0 = time.perf_counter()
            stream = client.chat.completions.create(model="fake-gpt", messages=messages, temperature=0.7, stream=True)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    first = time.perf_counter() - t0
                    break
            for _ in stream:  # drain so the connection is reusable, as the studio's is
                pass
            return first * 1000

        def studio_ttft() -> float:
            t0 = time.perf_counter()
            run = DraftRun(Brief.create(**values), user, engine=engine, settings=settings)
            gen = run.stream()
            next(gen)
            first = time.perf_counter() - t0
            for _ in gen:
                pass
            run.wait_for_fields(30)
            return first * 1000

        raw_ttft(), studio_ttft()  # warm imports and connections
        raw, studio = [], []
        for _ in range(args.runs):
            raw.append(raw_ttft())
            studio.append(studio_ttft())
    r, s = statistics.median(raw), statistics.median(studio)
    print(f"first token, median of {args.runs} (local server, zero delay):")
    print(f"  plain openai SDK stream      {r:7.2f} ms")
    print(f"  studio generate path         {s:7.2f} ms")
    print(f"  studio overhead              {s - r:7.2f} ms  (ratio {s / r:.2f})")


if __name__ == "__main__":
    main()
