"""Worker processes for large exports.

Rendering and sanitising (both in Rust) and pandas' CSV writer hold the GIL, so threads would
not help: from :data:`PARALLEL_MIN_ROWS` rows on, with ``STUDIO_EXPORT_WORKERS`` > 1, a small
process pool renders and writes the chunks while this process cleans the rows and hands out the
slugs. A failed or killed worker is an :class:`ExportError` that says what happened.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from studio.config import get_settings
from studio.export.presets import PRESETS, Preset
from studio.export.rows import ExportError, ExportRow
from studio.export.writing import CHUNK_ROWS, CsvJob, render_bodies

# Exports smaller than this stay in-process: starting work elsewhere costs more than it saves.
PARALLEL_MIN_ROWS = 500


def export_workers() -> int:
    return get_settings().studio_export_workers


# The pool uses the ``forkserver``
# start method (``spawn`` where that does not exist), never ``fork``: Streamlit runs scripts in
# threads, and forking a threaded process can copy a held lock into the child. The pool is made
# on the first large export and kept for the next ones (starting a worker with pandas is slow);
# it is shut down when the process exits, and replaced if a worker dies. Each worker
# builds the Markdown parser and the sanitiser once, when it imports this module.

_POOL: Any = None  # concurrent.futures.ProcessPoolExecutor, made by _pool()
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()
# Chunks handed to the pool ahead of the one being collected: enough to keep every worker busy,
# few enough that only a handful of chunks' rows and CSV are in flight at once.
_AHEAD_PER_WORKER = 2


def worker_count(n_rows: int, preset: Preset, workers: int | None) -> int:
    if workers is not None:
        if workers < 1:
            raise ExportError(f"workers must be 1 or more, not {workers}.")
        wanted = workers
    elif n_rows < PARALLEL_MIN_ROWS:
        return 1
    else:
        wanted = min(export_workers(), os.cpu_count() or 1)
    if wanted > 1 and (PRESETS.get(preset.name) is not preset or multiprocessing.current_process().daemon):
        # A preset that is not one of PRESETS cannot be named to a worker; a daemonic process
        # (a pool worker itself) may not start processes. Both stay in-process.
        return 1
    return wanted


def _worker_init() -> None:
    # Ctrl-C in the CLI reaches the whole process group: the parent reports it; the workers
    # just stop when the pool shuts down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pandas  # noqa: F401  (once per worker, not in the first chunk)


def _pool(size: int) -> Any:
    global _POOL, _POOL_SIZE
    from concurrent.futures import ProcessPoolExecutor

    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE != size:
            if _POOL is not None:
                _POOL.shutdown(wait=False, cancel_futures=True)
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload([__name__, "pandas"])
            _POOL = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=_worker_init)
            _POOL_SIZE = size
        return _POOL


def _discard_pool(pool: Any) -> None:
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL, _POOL_SIZE = None, 0
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_workers() -> None:
    """Stop the export worker processes (they start again with the next large export)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        pool, _POOL, _POOL_SIZE = _POOL, None, 0
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_workers)


# multiprocessing's forkserver and spawn children first import the parent's ``__main__`` module
# (to find functions pickled from it). Streamlit installs each page script as ``__main__``, so
# every worker would run the export page itself; a script without the ``if __name__ ==
# "__main__":`` guard would run again in each worker. Nothing the workers run lives in
# ``__main__``, so while a worker may be starting (processes start inside ``submit``) the parent
# shows them a blank one: the workers import only this module (and what pickled tasks name).
_BLANK_MAIN = types.ModuleType("__main__")
_SUBMIT_LOCK = threading.Lock()


def _submit(pool: Any, fn: Callable[..., Any], *args: Any) -> Any:
    with _SUBMIT_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = _BLANK_MAIN
        try:
            return pool.submit(fn, *args)
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _csv_chunk_task(
    job: CsvJob, rows: list[ExportRow], slugs: list[str], header: bool
) -> tuple[bytes, float, float, float]:
    """What a worker runs for one CSV chunk (module-level, so the pool can name it)."""
    return job.run(rows, slugs, header)


def _render_task(rows: list[ExportRow]) -> tuple[list[str], float]:
    t = time.perf_counter()
    return render_bodies(rows), time.perf_counter() - t


def in_workers(
    job: CsvJob,
    chunks: Iterator[tuple[list[ExportRow], list[str], bool]],
    n_workers: int,
    timings: dict[str, float],
) -> Iterator[bytes]:
    """The CSV chunks written by the pool, in order; a few are handed out ahead."""
    pool = _pool(n_workers)
    pending: deque[tuple[Any, int, int]] = deque()
    first = 0
    try:
        for chunk, chunk_slugs, header in chunks:
            pending.append(
                (_submit(pool, _csv_chunk_task, job, chunk, chunk_slugs, header), first, len(chunk))
            )
            first += len(chunk)
            while len(pending) > n_workers * _AHEAD_PER_WORKER:
                yield _collect(pool, *pending.popleft(), timings)
        while pending:
            yield _collect(pool, *pending.popleft(), timings)
    finally:
        for future, _, _ in pending:
            future.cancel()


def render_all(rows: list[ExportRow], n_workers: int, timings: dict[str, float]) -> list[str]:
    if n_workers == 1:
        htmls, seconds = _render_task(rows)
        timings["render"] += seconds
        return htmls
    pool = _pool(n_workers)
    futures = [
        (_submit(pool, _render_task, rows[start : start + CHUNK_ROWS]), start, len(rows[start : start + CHUNK_ROWS]))
        for start in range(0, len(rows), CHUNK_ROWS)
    ]
    htmls: list[str] = []
    try:
        for future, first, count in futures:
            part, seconds = _collect(pool, future, first, count, None)
            htmls.extend(part)
            timings["render"] += seconds
    finally:
        for future, _, _ in futures:
            future.cancel()
    return htmls


def _collect(pool: Any, future: Any, first: int, count: int, timings: dict[str, float] | None) -> Any:
    """A chunk's result; a failed worker becomes an ExportError that says what happened."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        result = future.result()
    except ExportError:
        raise
    except BrokenProcessPool as exc:
        _discard_pool(pool)
        raise ExportError(
            "The export stopped: a worker process preparing the file ended unexpectedly (it may "
            "have run out of memory or been stopped). Nothing was exported; try again, or export "
            "fewer drafts at once."
        ) from exc
    except Exception as exc:
        raise ExportError(
            f"The export stopped: preparing rows {first + 1}–{first + count} failed in a worker "
            f"process ({type(exc).__name__}: {exc}). Nothing was exported."
        ) from exc
    if timings is None:
        return result
    part, t_render, t_csv, cpu = result
    timings["render"] += t_render
    timings["csv"] += t_csv
    timings["cpu_workers"] += cpu
    return part
