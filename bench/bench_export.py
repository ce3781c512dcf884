"""Export benchmark: 10,000 approved posts of ~800 words through the WordPress preset.

    .venv/bin/python bench/bench_export.py [--rows 10000] [--preset wordpress] [--repeat 3]

Prints, for ``export_bytes``: wall time (best and median of ``--repeat`` runs, no tracing), the
peak of Python allocations during one export (tracemalloc, a separate run because tracing slows
Python code down), and the process's peak resident set (ru_maxrss, which also holds the
interpreter, pandas and the input rows). Then, side by side on a sample, the per-post cost of
each stage and of the two Markdown renderers. Targets (issue 5): ≤ 3 s and ≤ 300 MB. It prints
figures only; nothing here asserts.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio import export  # noqa: E402
from studio.export import ExportRow, export_bytes  # noqa: E402

WORDS = (
    "content marketing strategy team customer growth data product launch brand search audience "
    "conversion funnel campaign email social video editorial calendar workflow analytics retention "
    "pricing onboarding journey persona engagement newsletter webinar partner pipeline revenue "
    "quarter insight survey feedback roadmap feature release platform integration security privacy "
    "compliance budget forecast benchmark experiment landing page headline call action story "
    "community event podcast article guide checklist template example case study result metric "
    "the a an of to and in for with on by from that this is are was were will can should could "
    "our your their we you they it more most less best better new first last every each many"
).split()
ACCENTED = ["café", "naïve", "résumé", "Zürich", "São Paulo", "München", "coöperate", "façade"]
PUNCT = ["“quoted”", "—", "’s", "…", "€20", "±5%"]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words[rng.randrange(n)] = rng.choice(ACCENTED)
    if rng.random() < 0.3:
        words[rng.randrange(n)] = rng.choice(PUNCT)
    if rng.random() < 0.25:
        i = rng.randrange(n)
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.2:
        i = rng.randrange(n)
        words[i] = f"*{words[i]}*"
    if rng.random() < 0.15:
        i = rng.randrange(n)
        words[i] = f"[{words[i]}](https://example.com/{words[i].strip('*')}-{rng.randrange(999)})"
    if rng.random() < 0.1:
        i = rng.randrange(n)
        words[i] = f"`{words[i]}`"
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        n = rng.randint(8, 22)
        out.append(sentence(rng, n))
        count += n
    return " ".join(out)


def post(rng: random.Random, target_words: int = 620) -> str:
    """~800 words of the Markdown a writer model produces: headings, paragraphs, lists, a quote,
    sometimes a table or a code block."""
    parts = [f"# {sentence(rng, rng.randint(5, 9)).rstrip('.?!')}", paragraph(rng, 60)]
    words = 70
    while words < target_words:
        parts.append(f"## {sentence(rng, rng.randint(3, 7)).rstrip('.?!')}")
        body = rng.randint(60, 120)
        parts.append(paragraph(rng, body))
        words += body
        kind = rng.random()
        if kind < 0.35:
            items = [f"{'-' if rng.random() < 0.6 else '1.'} {sentence(rng, rng.randint(5, 12))}"]
            items += [items[0][:2].strip() + " " + sentence(rng, rng.randint(5, 12)) for _ in range(3)]
            parts.append("\n".join(items))
            words += 35
        elif kind < 0.45:
            parts.append("> " + sentence(rng, rng.randint(12, 25)))
            words += 18
        elif kind < 0.52:
            rows = "\n".join(
                f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {rng.choice(WORDS)} |"
                for _ in range(4)
            )
            parts.append(f"| Metric | Value | Note |\n|:--|--:|---|\n{rows}")
            words += 16
        elif kind < 0.57:
            parts.append("```python\nfor item in items:\n    print(item.title)\n```")
            words += 6
    parts.append(paragraph(rng, 40))
    return "\n\n".join(parts) + "\n"


def build_rows(n: int, seed: int = 5) -> list[ExportRow]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        body = post(rng)
        title = body.split("\n", 1)[0].lstrip("# ")
        rows.append(
            ExportRow(
                draft_id=i + 1,
                revision_number=rng.randint(1, 4),
                title=title,
                slug="",
                body_markdown=body,
                excerpt=paragraph(rng, 30),
                meta_description=sentence(rng, 18)[:160],
                tags=tuple(rng.sample(WORDS[:60], 3)),
                categories=(rng.choice(["News", "Guides", "Product", "Stories"]),),
                author_name=rng.choice(["Ana Souza", "Li Wei", "Sam O’Neil", "Noor Haddad"]),
                author_email=f"author{rng.randrange(20)}@example.com",
                publish_date=start + timedelta(hours=i),
                publish_status=rng.choice(["draft", "publish", "future"]),
                language="en",
                content_type="blog",
            )
        )
    return rows


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--preset", default="wordpress")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300, help="posts for the per-stage table")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]} · {os.cpu_count()} CPUs · renderer {export.RENDERER}")
    t0 = time.perf_counter()
    rows = build_rows(args.rows)
    words = sum(len(r.body_markdown.split()) for r in rows) / len(rows)
    md_mb = sum(len(r.body_markdown.encode()) for r in rows) / 1e6
    print(
        f"built {len(rows):,} rows in {time.perf_counter() - t0:.1f} s: "
        f"{words:.0f} words/post on average, {md_mb:.1f} MB of Markdown"
    )

    # Warm-up (imports pandas, builds the parser), then timed runs without tracing; the process's
    # resident-set high-water mark is read around the first full export.
    export_bytes(rows[:50], args.preset)
    gc.collect()
    rss_before = maxrss_mb()
    times = []
    result = None
    for i in range(args.repeat):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = export_bytes(rows, args.preset)
        times.append(time.perf_counter() - t)
        if i == 0:
            rss_after = maxrss_mb()
    assert result is not None
    print(
        f"\nexport_bytes({len(rows):,} rows, {args.preset!r}): "
        f"best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"over {args.repeat} runs (target ≤ 3 s)"
    )
    print(f"  file {len(result.content) / 1e6:.1f} MB, sha256 {result.sha256[:16]}…")
    print(
        f"  process peak RSS (ru_maxrss): {rss_before:.0f} MiB before the first full export "
        f"(interpreter, pandas, the input rows), {rss_after:.0f} MiB after it: "
        f"+{rss_after - rss_before:.0f} MiB for the export"
    )

    result = None
    gc.collect()
    tracemalloc.start()
    t = time.perf_counter()
    result = export_bytes(rows, args.preset)
    traced = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak Python allocations during export (tracemalloc): {peak / 2**20:.0f} MiB "
        f"(target ≤ 300 MB; this run took {traced:.2f} s under tracing)"
    )

    # Side by side, per post, on a sample: where the time goes, and the two renderers.
    sample = [r.body_markdown for r in rows[: args.sample]]
    from markdown_it import MarkdownIt

    py_md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def per_post_ms(fn, items) -> float:
        t = time.perf_counter()
        for x in items:
            fn(x)
        return (time.perf_counter() - t) / len(items) * 1000

    rendered = [export._render_markdown(m) for m in sample]
    stages = {
        "clean_text (Markdown)": per_post_ms(export.clean_text, sample),
        f"render ({export.RENDERER})": per_post_ms(export._render_markdown, sample),
        "render (markdown-it-py)": per_post_ms(py_md.render, sample),
        "sanitise (nh3)": per_post_ms(export.sanitize_html, rendered),
    }
    preset = export.PRESETS[args.preset]
    if preset.file_format == "csv":
        import io

        slugs = export.unique_slugs(rows[: args.sample])
        t = time.perf_counter()
        export.unique_slugs(rows[: args.sample])
        stages["slugs (python-slugify)"] = (time.perf_counter() - t) / len(sample) * 1000
        htmls = [export.sanitize_html(h) for h in rendered]
        items = [
            export.Item(row=r, slug=s, html=h, disclosure="", site_timezone=timezone.utc)
            for r, s, h in zip(rows[: args.sample], slugs, htmls)
        ]
        names = preset.column_names(disclosure=False)
        t = time.perf_counter()
        frame = export._frame(items, preset, names, "cms")
        stages["cells + DataFrame"] = (time.perf_counter() - t) / len(sample) * 1000
        t = time.perf_counter()
        export._write_csv(frame, io.BytesIO(), header=True)
        stages["CSV writing (pandas)"] = (time.perf_counter() - t) / len(sample) * 1000
    print(f"\nper post, {len(sample)} posts:")
    for name, ms in stages.items():
        print(f"  {name:<28} {ms:7.3f} ms  → {ms * len(rows) / 1000:6.2f} s for {len(rows):,}")
    fast = stages[f"render ({export.RENDERER})"]
    if export.RENDERER != "markdown-it-py" and fast:
        print(f"  markdown-it-py / {export.RENDERER}: {stages['render (markdown-it-py)'] / fast:.1f}×")


if __name__ == "__main__":
    main()
