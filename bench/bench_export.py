"""Export benchmark: 10,000 approved posts of ~800 words, the file alone and the whole DB flow.

    .venv/bin/python bench/bench_export.py [--rows 10000] [--preset wordpress] [--repeat 3]
        [--db-drafts 10000] [--skip-db] [--skip-memory]

(a) ``export_bytes`` on ``--rows`` rows, in-process on one core (``workers=1``) and with the
    worker processes (``workers=2``), run alternately so both see the same machine load: best and
    median wall time, where the time went (render+sanitise and CSV, summed over processes), and
    peak memory of each, measured in a fresh subprocess: the main process's high-water mark
    (VmHWM) and the sampled peak of main + workers together. Then the same rows carrying
    the HTML rendered when their revision was saved (what the flow reads): cells and CSV only.
(b) ``run_export``, the real flow, on a temp SQLite database holding ``--db-drafts`` approved
    drafts (filled with bulk INSERTs, like bench_queue; each revision with the HTML and each
    draft with the slug the app saves with it): load (drafts' columns, earlier slugs), the file
    (the text read 500 posts at a time), transitions + audit, recording the batch (file stored
    gzip-compressed), commit. Then the same on revisions without stored HTML (saved before
    migration 0004), and the peak memory of one whole export in a fresh process.

Targets (issue 5): ≤ 3 s and ≤ 300 MB. It prints figures only; nothing here asserts. The
machine is shared: the load average is printed before and after; compare figures from one run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio import content  # noqa: E402
from studio.export import writing  # noqa: E402
from studio.export.files import export_bytes  # noqa: E402
from studio.export.rows import ExportRow, with_text  # noqa: E402

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
    """This process's peak resident set. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over from the parent across fork and exec, so a probe started by this (large)
    process would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


# --------------------------------------------------------------------------------------------
# Memory: resident set of this process and every process it started (the export workers and
# the forkserver), sampled while an export runs.


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    parents[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    tree, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.append(pid)
                frontier.append(pid)
    return tree


def _tree_memory_mb(root: int) -> tuple[float, float]:
    """(RSS, PSS) summed over ``root`` and its descendants. RSS counts pages the workers share
    with the forkserver once per process; PSS splits them: the honest total."""
    rss = pss = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


class TreeSampler:
    def __init__(self, every: float = 0.02) -> None:
        self.peak_rss = self.peak_pss = 0.0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = _tree_memory_mb(os.getpid())
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._stop.wait(self.every)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def memory_probe(n_rows: int, preset: str, workers: int) -> dict[str, float]:
    """Run in a fresh subprocess: one export of ``n_rows``, with memory measured around it."""
    rows = build_rows(n_rows)
    export_bytes(rows[:50], preset, workers=1)  # imports pandas, builds the parser
    if workers > 1:
        export_bytes(rows[: writing.CHUNK_ROWS * workers], preset, workers=workers)  # starts the pool
    gc.collect()
    before_main = maxrss_mb()
    before_rss, before_pss = _tree_memory_mb(os.getpid())
    with TreeSampler() as sampler:
        t = time.perf_counter()
        export_bytes(rows, preset, workers=workers)
        seconds = time.perf_counter() - t
    return {
        "before_main": before_main, "peak_main": maxrss_mb(), "before_rss": before_rss,
        "peak_rss": sampler.peak_rss, "before_pss": before_pss, "peak_pss": sampler.peak_pss,
        "processes": len(_tree(os.getpid())), "seconds": seconds,
    }  # fmt: skip


def run_probe(n_rows: int, preset: str, workers: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(workers), "--rows", str(n_rows), "--preset", preset],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# (a) export_bytes


def bench_file(rows: list[ExportRow], args: argparse.Namespace) -> None:
    export_bytes(rows[:50], args.preset, workers=1)  # imports pandas, builds the parser
    t = time.perf_counter()
    export_bytes(rows[: writing.CHUNK_ROWS * 2], args.preset, workers=2)
    print(f"worker pool started (forkserver, 2 workers, pandas imported) in {time.perf_counter() - t:.2f} s "
          "(first large export only; kept for the next)")
    variants = {"in-process, 1 core (workers=1)": 1, "worker processes (workers=2)": 2}
    times: dict[str, list[float]] = {name: [] for name in variants}
    splits: dict[str, dict[str, float]] = {}
    digests: dict[str, str] = {}
    for _ in range(args.repeat):
        for name, workers in variants.items():
            gc.collect()
            t = time.perf_counter()
            result = export_bytes(rows, args.preset, workers=workers)
            times[name].append(time.perf_counter() - t)
            splits[name] = dict(result.timings)
            digests[name] = result.sha256
            size = len(result.content)
            del result
    print(f"\n(a) export_bytes({len(rows):,} rows, {args.preset!r}), {args.repeat} runs each, alternating "
          f"[{load()}]; file {size / 1e6:.1f} MB")
    for name in variants:
        sp = splits[name]
        print(f"  {name:<32} best {min(times[name]):5.2f} s   median {statistics.median(times[name]):5.2f} s"
              f"   (last run: render+sanitise {sp['render']:.2f} s, cells+CSV {sp['csv']:.2f} s, "
              f"summed over processes)")
    one, two = (statistics.median(times[n]) for n in variants)
    print(f"  speed-up of the workers: {one / two:.2f}× (median), {min(times[next(iter(variants))]) / min(times[list(variants)[1]]):.2f}× (best)")
    for name in variants:
        sp = splits[name]
        main_cpu, workers_cpu = sp["cpu_main"], sp["cpu_workers"]
        bound = max(main_cpu, (main_cpu + workers_cpu) / 2) if workers_cpu else main_cpu
        print(f"  CPU seconds, {name}: this process {main_cpu:.2f} + workers {workers_cpu:.2f} "
              f"→ wall time if the 2 cores were free: ≥ {bound:.2f} s")
    print(f"  same bytes both ways: {len(set(digests.values())) == 1} (sha256 {next(iter(digests.values()))[:16]}…)")
    # What the export flow hands export_bytes: rows whose HTML was rendered when the revision
    # was saved (drafts.add_revision), so only cells and CSV are left.
    stored = [with_text(r, r.body_markdown, content.render_html(r.body_markdown)) for r in rows]
    held: list[float] = []
    for _ in range(args.repeat):
        gc.collect()
        t = time.perf_counter()
        result = export_bytes(stored, args.preset, workers=1)
        held.append(time.perf_counter() - t)
    same = result.sha256 == next(iter(digests.values()))
    del result, stored
    print(f"  HTML stored at save time, 1 core  best {min(held):5.2f} s   median {statistics.median(held):5.2f} s"
          f"   (same bytes: {same})")
    if not args.skip_memory:
        print("  memory, one export in a fresh process, input rows included (main = that process's "
              "peak (VmHWM); all = main + workers + forkserver, RSS and PSS, sampled every 20 ms):")
        for name, workers in variants.items():
            m = run_probe(len(rows), args.preset, workers)
            print(f"    {name:<32} main {m['before_main']:.0f} → {m['peak_main']:.0f} MiB "
                  f"(+{m['peak_main'] - m['before_main']:.0f});  all {int(m['processes'])} processes: "
                  f"RSS {m['before_rss']:.0f} → {m['peak_rss']:.0f} MiB, "
                  f"PSS {m['before_pss']:.0f} → {m['peak_pss']:.0f} MiB")


def per_post_table(rows: list[ExportRow], args: argparse.Namespace) -> None:
    """Side by side, per post, on a sample: where the time goes, and the two renderers."""
    sample = [r.body_markdown for r in rows[: args.sample]]
    from markdown_it import MarkdownIt

    py_md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def per_post_ms(fn, items) -> float:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        for x in items:
            fn(x)
        return (time.perf_counter() - t) / len(items) * 1000

    rendered = [content.render_markdown(m) for m in sample]
    stages = {
        "clean_text (Markdown)": per_post_ms(content.clean_text, sample),
        f"render ({content.RENDERER})": per_post_ms(content.render_markdown, sample),
        "render (markdown-it-py)": per_post_ms(py_md.render, sample),
        "sanitise (nh3)": per_post_ms(content.sanitize_html, rendered),
    }
    print(f"\nper post, {len(sample)} posts, one core [{load()}]:")
    for name, ms in stages.items():
        print(f"  {name:<28} {ms:7.3f} ms  → {ms * len(rows) / 1000:6.2f} s for {len(rows):,}")


# --------------------------------------------------------------------------------------------
# (b) run_export on SQLite


def fill_db(url: str, rows: list[ExportRow], *, stored_html: bool = True) -> dict[str, int]:
    """``stored_html``: each revision carries its sanitised HTML, as drafts.add_revision saves
    it; False leaves it out, like revisions saved before migration 0004 (the export renders)."""
    from sqlalchemy import insert, text

    from studio.accounts.service import add_user, create_first_admin
    from studio.db import get_engine, migrate, session_scope
    from studio.models import Draft, DraftSearch, Revision
    from studio.publishing.fields import make_slug  # every generated draft has the slug it derived

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "admin", "bench-password-123")
        editor = add_user(s, admin, "editor", "bench-password-123", ["editor"]).id
        authors = [add_user(s, admin, f"writer{i}", "bench-password-123", ["marketer"]).id for i in range(10)]
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            htmls = [content.render_html(r.body_markdown) if stored_html else None for r in chunk]
            conn.execute(insert(Draft.__table__), [
                {"id": r.draft_id, "author_id": authors[r.draft_id % len(authors)], "content_type": "blog",
                 "topic": r.title, "audience": "", "keywords": [], "tone": "professional", "formality": 3,
                 "temperature": 0.7, "target_words": 800, "language": "en", "status": "approved",
                 "incomplete": False, "version": 3, "check_verdict": "pass", "title": r.title, "slug": make_slug(r.title),
                 "excerpt": r.excerpt, "meta_description": r.meta_description, "tags": list(r.tags),
                 "categories": list(r.categories), "publish_date": r.publish_date,
                 "publish_status": r.publish_status, "created_at": now, "updated_at": now}
                for r in chunk
            ])  # fmt: skip
            conn.execute(insert(Revision.__table__), [
                {"id": r.draft_id, "draft_id": r.draft_id, "number": 1, "body": r.body_markdown,
                 "body_html": html, "html_version": content.HTML_VERSION if stored_html else None,
                 "author_id": authors[r.draft_id % len(authors)], "reason": "generated", "note": "",
                 "created_at": now}
                for r, html in zip(chunk, htmls)
            ])  # fmt: skip
            conn.execute(text("UPDATE drafts SET current_revision_id = id WHERE id BETWEEN :a AND :b"),
                         {"a": chunk[0].draft_id, "b": chunk[-1].draft_id})
            conn.execute(insert(DraftSearch.__table__), [
                {"draft_id": r.draft_id, "title": r.title, "body": r.body_markdown} for r in chunk
            ])
    engine.dispose()
    return {"editor": editor}


def flow_probe(db: str, editor_id: int, preset: str, n: int) -> dict[str, float]:
    """Run in a fresh subprocess: the process's peak resident set around one whole export."""
    from studio.db import get_engine, session_factory
    from studio.export import service as exporting
    from studio.models import User

    export_bytes(build_rows(20), preset, workers=1)  # imports pandas, builds the parser
    engine = get_engine(f"sqlite:///{db}")
    gc.collect()
    before = maxrss_mb()
    session = session_factory(engine)()
    t = time.perf_counter()
    try:
        _batch, f = exporting.run_export(session, session.get(User, editor_id), list(range(1, n + 1)), preset)
        session.commit()
    finally:
        session.close()
    seconds = time.perf_counter() - t
    peak_recorded = maxrss_mb()
    t = time.perf_counter()
    content = f.content  # what a click on the download button unpacks (Streamlit then serves it)
    unpacked = time.perf_counter() - t
    assert len(content) == f.size
    return {"before": before, "peak_recorded": peak_recorded, "peak": maxrss_mb(), "seconds": seconds,
            "unpacked": unpacked}  # fmt: skip


def bench_db(rows: list[ExportRow], args: argparse.Namespace) -> None:
    from studio.db import dispose_engines, get_engine, session_factory
    from studio.export import service as exporting
    from studio.models import User

    tmp = Path(tempfile.mkdtemp(prefix="studio-bench-export-"))
    try:
        template = tmp / "template.db"
        t = time.perf_counter()
        ids = fill_db(f"sqlite:///{template}", rows)
        dispose_engines()
        print(f"\n(b) run_export: {len(rows):,} approved drafts on SQLite "
              f"({template.stat().st_size / 1e6:.0f} MB, filled in {time.perf_counter() - t:.1f} s), "
              f"STUDIO_EXPORT_WORKERS={os.environ.get('STUDIO_EXPORT_WORKERS', '1')}")
        cold = tmp / "cold.db"
        fill_db(f"sqlite:///{cold}", rows, stored_html=False)
        dispose_engines()

        split: dict[str, float] = {}

        def timed(module, name: str, key: str) -> None:  # type: ignore[no-untyped-def]
            real = getattr(module, name, None)
            if real is None:
                return

            def wrapper(*a, **k):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return real(*a, **k)
                finally:
                    split[key] = split.get(key, 0.0) + time.perf_counter() - t0

            setattr(module, name, wrapper)

        timed(exporting, "_build_rows", "load")
        timed(exporting, "_taken_slugs", "load")
        timed(exporting, "export_bytes", "file")
        timed(exporting, "transition_many", "transitions + audit")

        export_bytes(rows[:20], args.preset, workers=1)  # pandas imported, parser built
        runs: list[dict[str, float]] = []
        cold_runs: list[float] = []
        for i in range(args.repeat * 2):
            db = tmp / f"run{i}.db"
            shutil.copyfile(template if i % 2 == 0 else cold, db)
            engine = get_engine(f"sqlite:///{db}")
            split.clear()
            session = session_factory(engine)()
            try:
                editor = session.get(User, ids["editor"])
                t0 = time.perf_counter()
                batch, f = exporting.run_export(session, editor, [r.draft_id for r in rows], args.preset)
                t1 = time.perf_counter()
                session.commit()
                t2 = time.perf_counter()
            finally:
                session.close()
            dispose_engines()
            db.unlink()
            if i % 2:
                cold_runs.append(t2 - t0)
                continue
            timings = getattr(f, "timings", {}) or {}
            run = {**split, "commit": t2 - t1, "total": t2 - t0}
            run["record batch + items"] = (t1 - t0) - sum(split.values())
            run["render"] = timings.get("render", float("nan"))
            run["csv"] = timings.get("csv", float("nan"))
            runs.append(run)
        best = min(runs, key=lambda r: r["total"])
        totals = [r["total"] for r in runs]
        print(f"  total (run_export + commit): best {min(totals):.2f} s, median {statistics.median(totals):.2f} s "
              f"over {len(runs)} runs [{load()}]; split of the best run:")
        for key in ("load", "file", "transitions + audit", "record batch + items", "commit"):
            extra = ""
            if key == "file":
                extra = (f"   (render+sanitise {best['render']:.2f} s + cells+CSV {best['csv']:.2f} s, "
                         "summed over the worker processes)")
            print(f"    {key:<22} {best.get(key, 0.0):6.2f} s{extra}")
        print(f"  revisions without stored HTML (saved before migration 0004), rendered during the "
              f"export: best {min(cold_runs):.2f} s, median {statistics.median(cold_runs):.2f} s")
        if not args.skip_memory:
            db = tmp / "probe.db"
            shutil.copyfile(template, db)
            out = subprocess.run(
                [sys.executable, __file__, "--flow-probe", str(db), "--editor", str(ids["editor"]),
                 "--preset", args.preset, "--rows", str(len(rows))],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            m = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  memory, one run_export + commit in a fresh process (imports and a warm-up "
                  f"export first): peak RSS {m['before']:.0f} → {m['peak_recorded']:.0f} MiB "
                  f"(+{m['peak_recorded'] - m['before']:.0f}), {m['seconds']:.2f} s; then the file "
                  f"unpacked when the download button is clicked: {m['unpacked']:.2f} s, peak "
                  f"{m['peak']:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--preset", default="wordpress")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300, help="posts for the per-stage table")
    parser.add_argument("--db-drafts", type=int, default=None, help="drafts in the DB flow (default: --rows)")
    parser.add_argument("--skip-db", action="store_true")
    parser.add_argument("--skip-file", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-probe", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--flow-probe", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--editor", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flow_probe is not None:
        print(json.dumps(flow_probe(args.flow_probe, args.editor, args.preset, args.rows)))
        return
    if args.memory_probe is not None:
        print(json.dumps(memory_probe(args.rows, args.preset, args.memory_probe)))
        return

    print(f"python {sys.version.split()[0]} · {os.cpu_count()} CPUs · renderer {content.RENDERER} · {load()}")
    t0 = time.perf_counter()
    rows = build_rows(max(args.rows, args.db_drafts or 0))
    words = sum(len(r.body_markdown.split()) for r in rows) / len(rows)
    md_mb = sum(len(r.body_markdown.encode()) for r in rows) / 1e6
    print(
        f"built {len(rows):,} rows in {time.perf_counter() - t0:.1f} s: "
        f"{words:.0f} words/post on average, {md_mb:.1f} MB of Markdown"
    )
    if not args.skip_file:
        bench_file(rows[: args.rows], args)
        per_post_table(rows, args)
    if not args.skip_db:
        bench_db(rows[: args.db_drafts or args.rows], args)
    print(f"\n[{load()}]")


if __name__ == "__main__":
    main()
