"""Batches on the job queue: throughput against the ideal, a worker killed half-way, and the
queue's overhead per job against calling the writer in a loop. Side by side in one run.

The tests' OpenAI-compatible server answers every call after LATENCY (300 ms) and streams a
~1,000-token draft; the publishing-fields call that follows each draft gets a short JSON answer
(after the same latency). The workers are one real `python -m studio worker --processes P` pool
on the embedded queue (SQLite beside a SQLite database): P worker processes share the
concurrency, one job each by default (``--processes 2``: 2 processes x 4 threads); provider limit 8.

1. 200 briefs at concurrency 8: wall time from submit until every row ended, against the ideal
   200 x (one row through the writer alone) / 8. "One row" is measured in the same run: the
   writer (DraftRun: stream, checks, save, fields call) for one brief, median of 5, in-process.
2. The same, with one worker process SIGKILLed when half the rows have ended (the pool starts it
   again): rows done, drafts per row, successful generations per draft, extra time.
3. Overhead per job: 30 short briefs with zero server latency, one worker with one thread and
   concurrency 1, against the same briefs through DraftRun in a loop in one process.

    python -m bench.bench_batch [--rows 200] [--concurrency 8] [--processes P] [--latency 0.3]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.batch.conftest import article_or_fields  # noqa: E402
from tests.support.fake_openai import FakeOpenAI  # noqa: E402
from tests.support.workers import Worker, worker_env  # noqa: E402

PASSWORD = "correct horse battery"


def setup(tmp: Path, server: FakeOpenAI, lease: float) -> tuple[dict[str, str], object, object]:
    env = {"STUDIO_DATABASE_URL": f"sqlite:///{tmp / 'studio.db'}", "OPENAI_BASE_URL": server.base_url,
           "STUDIO_MODEL": "fake-gpt", "STUDIO_SECRETS_FILE": str(tmp / "absent.toml"),
           "STUDIO_PROVIDER_CONCURRENCY": "8", "STUDIO_BATCH_LEASE_SECONDS": str(lease)}  # fmt: skip
    for k in [k for k in os.environ if k.startswith(("STUDIO_", "OPENAI_"))]:
        del os.environ[k]
    os.environ.update(env)
    from studio.accounts.service import add_user, create_first_admin
    from studio.config import reload_settings
    from studio.db import get_engine, migrate, session_scope

    reload_settings()
    engine = get_engine()
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        marketer = add_user(s, admin, "mara", PASSWORD, ["marketer"])
    return env, engine, marketer


def briefs(n: int, words: int, tag: str) -> list:
    from studio.batch.sheet import RowBrief
    from studio.drafting.brief import Brief

    return [RowBrief(i + 2, Brief.create(content_type="blog", topic=f"{tag} planning topic number {i}",
                                         target_words=words), None) for i in range(n)]  # fmt: skip


def submit(engine, who, rows, concurrency: int) -> int:  # type: ignore[no-untyped-def]
    from studio.batch import service
    from studio.db import session_scope

    with session_scope(engine) as s:
        done = service.submit(s, who, rows, concurrency=concurrency)
    service.start(engine, done.batch_id)
    return done.batch_id


def counts(engine, batch_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    # A plain read: the studio's sessions take SQLite's write lock at BEGIN, and polling with them
    # would slow the workers being measured.
    import sqlite3

    conn = sqlite3.connect(f"file:{engine.url.database}?mode=ro", uri=True, timeout=15)
    try:
        return dict(conn.execute("SELECT state, count(*) FROM batch_rows WHERE batch_id = ? GROUP BY state",
                                 (batch_id,)).fetchall())  # fmt: skip
    finally:
        conn.close()


def wait(engine, batch_id: int, total: int, on_half=None, timeout: float = 900) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fired = False
    while time.perf_counter() - started < timeout:
        c = counts(engine, batch_id)
        ended = c.get("done", 0) + c.get("failed", 0) + c.get("cancelled", 0)
        if on_half is not None and not fired and ended >= total // 2:
            fired = True
            on_half()
        if ended >= total:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise TimeoutError(f"batch {batch_id}: {counts(engine, batch_id)}")


def exactly_once(engine, batch_id: int) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """(rows done, rows, drafts of the batch's owner made for it, drafts written more than once)."""
    from sqlalchemy import func, select

    from studio.db import session_scope
    from studio.models import BatchRow, Generation

    with session_scope(engine) as s:
        rows = s.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id)).all()
        draft_ids = [r.draft_id for r in rows if r.draft_id]
        twice = 0
        for d in draft_ids:
            ok = s.scalar(select(func.count(Generation.id)).where(Generation.draft_id == d, Generation.error.is_(None)))
            twice += ok != 1
        return sum(r.state == "done" for r in rows), len(rows), len(set(draft_ids)), twice


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def mean_reply_tokens(engine) -> float:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from studio.db import session_scope
    from studio.models import UsageRecord
    from studio.usage.sink import flush

    flush()
    with session_scope(engine) as s:
        return float(s.scalar(select(func.avg(UsageRecord.completion_tokens)).where(UsageRecord.feature == "batch")) or 0)


def one_row_ms(engine, who, words: int, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    from studio.drafting.writer import DraftRun

    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        run = DraftRun(briefs(1, words, f"alone{i}")[0].brief, who)
        run.run()
        run.wait_for_fields(60)
        assert run.outcome.error is None, run.outcome.error
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[1:])  # the first warms up imports and the check models


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--words", type=int, default=650, help="reply size in words (about 1,000 tokens)")
    parser.add_argument("--lease", type=float, default=6.0)
    parser.add_argument("--processes", type=int, default=None,
                        help="worker processes the concurrency is shared among (default: one per job)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    with FakeOpenAI(first_token_delay=args.latency, chunk_chars=16, reply=article_or_fields(args.words)) as server:
        env, engine, who = setup(tmp, server, args.lease)
        server.reply_words = args.words
        processes = min(args.processes or args.concurrency, args.concurrency)
        threads = args.concurrency // processes
        # One pool, as `python -m studio worker --concurrency C --processes P` runs it.
        pool = Worker(worker_env(**env), tmp / "pool.log", args.concurrency, processes)
        workers = [pool]
        try:
            warm = submit(engine, who, briefs(8, args.words, "warm"), args.concurrency)
            wait(engine, warm, 8)  # workers loaded, check models warm
            alone = one_row_ms(engine, who, args.words)  # with the workers started and idle

            load1 = os.getloadavg()[0]
            pids = [pool.pid, *pool.children()]
            workers_cpu0, own_cpu0 = cpu_seconds(pids), time.process_time()
            batch = submit(engine, who, briefs(args.rows, args.words, "first"), args.concurrency)
            took = wait(engine, batch, args.rows)
            workers_cpu = cpu_seconds(pids) - workers_cpu0
            cpu = workers_cpu + time.process_time() - own_cpu0
            ideal = args.rows * alone / 1000 / args.concurrency
            done, rows, drafts, twice = exactly_once(engine, batch)

            def kill_one() -> None:
                # A worker process of the pool is killed and the pool starts it again; a single
                # worker is killed and started again here.
                children = pool.children()
                if children:
                    os.kill(children[0], signal.SIGKILL)
                else:
                    pool.kill()
                    workers.append(Worker(worker_env(**env), tmp / "restarted.log", args.concurrency))

            batch2 = submit(engine, who, briefs(args.rows, args.words, "second"), args.concurrency)
            took2 = wait(engine, batch2, args.rows, on_half=kill_one)
            done2, rows2, drafts2, twice2 = exactly_once(engine, batch2)
            reply_tokens = mean_reply_tokens(engine)
        finally:
            for w in workers:
                w.stop()
    # 3. overhead per job, zero latency, one at a time
    with FakeOpenAI(chunk_chars=16, reply=article_or_fields(150)) as fast:
        tmp3 = Path(tempfile.mkdtemp(prefix="bench-batch-overhead-"))
        env3, engine3, who3 = setup(tmp3, fast, args.lease)
        n = 30
        loop_ms = []
        from studio.drafting.writer import DraftRun

        DraftRun(briefs(1, 150, "warm")[0].brief, who3).run()
        t0 = time.perf_counter()
        for rb in briefs(n, 150, "loop"):
            run = DraftRun(rb.brief, who3)
            run.run()
            run.wait_for_fields(60)
        loop_ms = (time.perf_counter() - t0) * 1000 / n
        worker = Worker(worker_env(**env3), tmp3 / "w.log", 1)
        try:
            wait(engine3, submit(engine3, who3, briefs(2, 150, "warm"), 1), 2)
            t_batch = wait(engine3, submit(engine3, who3, briefs(n, 150, "queued"), 1), n)
        finally:
            worker.stop()
        queue_ms = t_batch * 1000 / n

    print(f"batches on the embedded queue (SQLite), {args.rows} briefs, {processes} worker processes x {threads} threads, "
          f"concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms, replies of {reply_tokens:.0f} tokens "
          f"(server-reported mean); "
          f"load average at start {load:.1f}")
    print(f"  one row through the writer alone (median of 5)   {alone:8.0f} ms")
    print(f"  ideal: {args.rows} x one row / {args.concurrency}                  {ideal:8.1f} s")
    print(f"  measured, submit to last row ended              {took:8.1f} s   ratio {took / ideal:.2f} (target <= 1.15)")
    print(f"  CPU used meanwhile by the workers and this process {cpu:6.1f} s ({cpu / args.rows * 1000:.0f} ms per row; "
          f"{cpu / took:.2f} of the machine's {os.cpu_count()} cores on average); load average when it started {load1:.1f}")
    print(f"    of which the workers {workers_cpu:5.1f} s ({workers_cpu / args.rows * 1000:.0f} ms per row), "
          f"the local model server and this process {cpu - workers_cpu:4.1f} s")
    print(f"  rows done {done}/{rows}, drafts {drafts}, drafts written more than once {twice}")
    print(f"  with a worker SIGKILLed at 50% and restarted    {took2:8.1f} s   extra {took2 - took:+.1f} s "
          f"(lease {args.lease:g} s)")
    print(f"  rows done {done2}/{rows2}, drafts {drafts2} (lost rows {rows2 - done2}), drafts written more than once {twice2}")
    print(f"queue overhead per job, zero latency, 150-word replies, one at a time ({n} rows):")
    print(f"  writer in a loop (DraftRun + fields), in-process {loop_ms:8.1f} ms/row")
    print(f"  one worker, one thread, through the queue        {queue_ms:8.1f} ms/row   overhead {queue_ms - loop_ms:+.1f} ms/job")


if __name__ == "__main__":
    main()
