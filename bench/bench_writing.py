"""The writing workspace, side by side in one run against the tests' local server.

1. A long-form article (default 3,000 words) from a server that streams at 30 tokens/s: the
   time to the first words of each section, the studio's total against the sum of the same
   requests sent one by one with the plain openai SDK (replayed from what the server recorded),
   and the prompt size of the last section against the first.
2. Repetition: the share of 5-word sequences that occur in more than one section, with the
   sliding window's summaries and "points already made" list and without them, on the server
   that answers from the prompt (zero delay).
   With a small window (250 tokens), the section prompts stop growing once the window is full.
3. Three variants written concurrently against one draft written alone, same server speed.

    python -m bench.bench_writing [--words 3000] [--rate 30] [--variant-words 400] [--runs 3]
                                  [--parts long,window,repetition,variants]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._studio import studio_and_server


def _tokens_per_chunk_server(server, rate: float) -> None:
    # FakeOpenAI counts a token per 4 characters: 4-character deltas at `rate` per second.
    server.chunk_chars = 4
    server.delay = 1.0 / rate if rate > 0 else 0.0
    server.reply_mode = "writer"


def long_form(st, words: int, rate: float) -> None:
    from studio.drafting.brief import Brief
    from studio.writing.longform import LongformRun

    server, client = st.server, st.client
    _tokens_per_chunk_server(server, rate)
    brief = Brief.create(content_type="blog", topic="Planning a content calendar", audience="small teams",
                         keywords="planning,SEO", tone="friendly", formality=3, temperature=0.7, target_words=words)
    server.clear_requests()
    t0 = time.perf_counter()
    run = LongformRun(brief, st.user, engine=st.engine, settings=st.settings)
    outcome = run.run()
    total = time.perf_counter() - t0
    assert outcome.error is None, outcome.error
    requests = [r.json for r in server.chat_requests]

    # The same requests, one after the other, through the plain SDK.
    raw = 0.0
    for body in requests:
        kwargs = {k: v for k, v in body.items() if k in ("model", "messages", "temperature", "stream")}
        t = time.perf_counter()
        if body.get("stream"):
            stream = client.chat.completions.create(**kwargs)
            "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        else:
            client.chat.completions.create(**kwargs)
        raw += time.perf_counter() - t

    text_words = len(outcome.text.split())
    print(f"long-form article, {text_words:,} words in {len(outcome.outline.sections)} sections, server streaming "
          f"at {rate:g} tokens/s ({len(requests)} requests: outline, sections, summaries):")
    print("  time to the first words of each section (from the click; outline first):")
    for t in outcome.sections_timing:
        print(f"    {t['heading'][:44]:<44} {t['kind']:<10} first words at {t['first_words_ms'] / 1000:7.1f} s"
              f"   prompt {t['prompt_tokens']:>5} tokens   {t['words']:>4} words")
    print(f"  studio total        {total:8.1f} s")
    print(f"  same calls, raw SDK {raw:8.1f} s (one after the other)")
    print(f"  ratio {total / raw:.3f}  (target <= 1.1; the studio summarises each section while the next is written)")
    body = [t for t in outcome.sections_timing if t["kind"] == "body"]
    first, last = body[0]["prompt_tokens"], body[-1]["prompt_tokens"]
    print(f"  prompt of the last body section {last} tokens against the first {first} "
          f"(window budget {run.budget.window_tokens} tokens, {run.budget.tokenizer}); the largest section prompt "
          f"{max(t['prompt_tokens'] for t in outcome.sections_timing)} tokens")


def repetition(st, words: int, runs: int) -> None:
    from studio.drafting.brief import Brief
    from studio.writing.longform import LongformRun
    from studio.writing.repetition import repeated_share

    _tokens_per_chunk_server(st.server, 0)
    st.server.chunk_chars = 400
    shares: dict[str, list[float]] = {"with": [], "without": []}
    for n in range(runs):
        brief = Brief.create(content_type="blog", topic=f"Planning a content calendar, take {n + 1}",
                             audience="small teams", keywords="planning,SEO", target_words=words)
        for label, flags in (("with", {}), ("without", {"summaries": False, "covered": False})):
            outcome = LongformRun(brief, st.user, engine=st.engine, settings=st.settings, **flags).run()
            texts = [s.text for s in outcome.outline.sections if s.done]
            shares[label].append(repeated_share(texts))
    w, wo = statistics.mean(shares["with"]), statistics.mean(shares["without"])
    print(f"repetition across sections ({words:,}-word articles, {runs} briefs, server answering from the prompt):")
    print(f"  repeated 5-word sequences, with summaries and the 'already covered' list   {w:6.1%}")
    print(f"  repeated 5-word sequences, without them (outline and previous ending only) {wo:6.1%}")
    print("  (the server re-explains the basics unless its prompt says they were made: this shows the window")
    print("   carries that information; how much a real model repeats itself is not measured here)")


def window_bound(st, words: int, budget: int) -> None:
    """The same article with a small window: the section prompts stop growing at the budget."""
    from studio.drafting.brief import Brief
    from studio.writing.longform import LongformRun

    _tokens_per_chunk_server(st.server, 0)
    st.server.chunk_chars = 400
    settings = st.settings.model_copy(update={"studio_context_budget_tokens": budget})
    brief = Brief.create(content_type="blog", topic="Planning a content calendar", audience="small teams",
                         keywords="planning,SEO", target_words=words)
    run = LongformRun(brief, st.user, engine=st.engine, settings=settings)
    outcome = run.run()
    sizes = [t["prompt_tokens"] for t in outcome.sections_timing if t["kind"] == "body"]
    print(f"section prompts with a {budget}-token window ({words:,} words, {run.budget.tokenizer}): "
          + " → ".join(str(n) for n in sizes) + " tokens (body sections in order)")


def variants(st, words: int, rate: float, runs: int) -> None:
    from studio.drafting.brief import Brief
    from studio.drafting.writer import DraftRun
    from studio.writing.variants import VariantsRun

    _tokens_per_chunk_server(st.server, rate)
    st.server.reply_words = words
    brief = Brief.create(content_type="blog", topic="Planning a content calendar", audience="small teams",
                         keywords="planning,SEO", target_words=words)
    one, three = [], []
    for _ in range(runs):
        t = time.perf_counter()
        run = DraftRun(brief, st.user, engine=st.engine, settings=st.settings)
        run.run()
        one.append(time.perf_counter() - t)
        t = time.perf_counter()
        outcome = VariantsRun(brief, st.user, "0.3,0.9,1.3", engine=st.engine, settings=st.settings).run()
        three.append(time.perf_counter() - t)
        assert not [v for v in outcome.variants if v.error]
    a, b = statistics.median(one), statistics.median(three)
    print(f"variants, ~{words}-word drafts at {rate:g} tokens/s, median of {runs}:")
    print(f"  one draft alone              {a:7.2f} s")
    print(f"  three variants concurrently  {b:7.2f} s")
    print(f"  ratio {b / a:.3f}  (target <= 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=30.0, help="tokens per second the server streams")
    parser.add_argument("--variant-words", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parts", default="long,window,repetition,variants")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with studio_and_server(args.variant_words) as st:
        # The local server's model is counted with tiktoken's o200k_base, as an OpenAI model would be.
        st.settings = st.settings.model_copy(update={"studio_model_budgets": {
            "fake-gpt": {"tokenizer": "o200k_base", "context_window": 128_000}}})
        if "long" in parts:
            long_form(st, args.words, args.rate)
        if "window" in parts:
            window_bound(st, args.words, 250)
        if "repetition" in parts:
            repetition(st, args.words, args.runs)
        if "variants" in parts:
            variants(st, args.variant_words, args.rate, args.runs)


if __name__ == "__main__":
    main()
