"""studio.export with worker processes: the same bytes as in-process, and failures that say so.

Large exports (PARALLEL_MIN_ROWS rows or more) render, sanitise and write their CSV chunks in a
forkserver process pool; these tests pin that the file does not depend on where a chunk was
written, that small exports stay in-process, that a worker failure is an ExportError, and that
the pool works from threads (Streamlit's script threads) and from a script that exits.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
import types
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pass
from studio.export import workers
from studio.export.files import export_bytes
from studio.export.presets import PRESETS, WORDPRESS, Preset
from studio.export.rows import ExportError, ExportRow

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
N_ROWS = 600  # above PARALLEL_MIN_ROWS, and more than one CHUNK_ROWS chunk

TRICKY = [
    "=SUM(A1:A9)", "+1 555", "-10% this week", "@channel", "\tTabbed", "\uff1dfullwidth",
    "  =after spaces", "Chinese 中文", "emoji 😀🌸", "مرحبا بالعالم", "quote \"x\", comma",
    "line\r\nbreak", "ctl\x07char", "lone \ud800 surrogate", "",
]  # fmt: skip


def body(rng: random.Random, i: int) -> str:
    parts = [f"# Heading {i} {rng.choice(TRICKY)}", "Plain *em* **strong** [link](https://e.com/x)."]
    if i % 3 == 0:
        parts.append("| a | b |\n|:--|--:|\n| 1 | 2 |")
    if i % 5 == 0:
        parts.append("<script>alert(1)</script> <img src=x onerror=alert(1)>")
    if i % 7 == 0:
        parts.append("```\ncode = 1\n```\n\n> quote\n\n- one\n- two")
    parts.append(rng.choice(TRICKY))
    return "\n\n".join(parts) + "\n"


def rows(n: int = N_ROWS, seed: int = 7) -> list[ExportRow]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        out.append(
            ExportRow(
                draft_id=i,
                revision_number=1 + i % 3,
                # Repeated titles: slugs must be suffixed across chunk boundaries.
                title=f"{rng.choice(TRICKY)} Post {i % 40}" if i % 4 else f"Same title {i % 2}",
                slug="fixed-slug" if i % 50 == 0 else "",
                body_markdown=body(rng, i),
                excerpt=rng.choice(TRICKY),
                meta_description=rng.choice(TRICKY)[:160],
                tags=(rng.choice(TRICKY) or "t", "growth"),
                categories=(rng.choice(["News", "Guides|Tips", "=Cat"]),),
                author_name=rng.choice(["Ana", "-Li", "Sam O’Neil"]),
                author_email=f"a{i % 9}@example.com" if i % 2 else "",
                publish_date=(NOW + timedelta(hours=i)) if i % 3 else None,
                publish_status="future" if i % 3 else "draft",
                language=rng.choice(["en", "de", "ar"]),
                content_type="blog",
            )
        )
    return out


@pytest.fixture(scope="module")
def many() -> list[ExportRow]:
    return rows()


CASES = [
    (name, mode, bom)
    for name, preset in PRESETS.items()
    for mode in (("cms",) if preset.file_format == "json" else ("cms", "spreadsheet"))
    for bom in ((None,) if preset.file_format == "json" else (None, True))
]


@pytest.mark.parametrize("preset, mode, bom", CASES)
def test_workers_write_the_same_bytes_as_in_process(many, preset, mode, bom):
    kwargs = dict(
        mode=mode, bom=bom, now=NOW, disclosure="Written with AI help.",
        site_timezone=ZoneInfo("America/New_York"), taken_slugs={"same-title-0": 999, "post-1": 1},
    )  # fmt: skip
    single = export_bytes(many, preset, workers=1, **kwargs)
    parallel = export_bytes(many, preset, workers=2, **kwargs)
    default = export_bytes(many, preset, **kwargs)  # 600 rows: the pool, when there are 2 cores
    assert single.timings["workers"] == 1 and parallel.timings["workers"] == 2
    assert parallel.content == single.content
    assert parallel.sha256 == single.sha256 and parallel.slugs == single.slugs
    assert parallel.filename_suggestion == single.filename_suggestion
    assert default.content == single.content
    assert len(set(single.slugs)) == len(many)


def test_small_exports_stay_in_process(monkeypatch):
    from studio.config import reload_settings

    assert workers.worker_count(workers.PARALLEL_MIN_ROWS - 1, WORDPRESS, None) == 1
    assert workers.worker_count(workers.PARALLEL_MIN_ROWS, WORDPRESS, None) == 1  # off by default
    monkeypatch.setenv("STUDIO_EXPORT_WORKERS", "2")
    reload_settings()
    expected = min(2, os.cpu_count() or 1)
    assert workers.worker_count(workers.PARALLEL_MIN_ROWS, WORDPRESS, None) == expected
    assert workers.worker_count(10, WORDPRESS, 2) == 2  # asked for explicitly
    assert export_bytes(rows(20), WORDPRESS).timings["workers"] == 1
    with pytest.raises(ExportError, match="workers must be 1 or more"):
        export_bytes(rows(3), WORDPRESS, workers=0)


def test_a_preset_that_is_not_registered_stays_in_process(many):
    custom = Preset(name="custom", label="Custom", columns={"t": lambda it: it.row.title})
    assert workers.worker_count(len(many), custom, 2) == 1
    f = export_bytes(many, custom, workers=2)
    assert f.timings["workers"] == 1 and f.row_count == len(many)
    # A registered name with different columns is not the registered preset either.
    impostor = replace(WORDPRESS, columns={"t": lambda it: it.row.title})
    assert workers.worker_count(len(many), impostor, 2) == 1


def _raise_in_worker(job, chunk_rows, slugs, header):  # runs in a worker process
    raise ValueError(f"boom in pid {os.getpid()}")


def _die_in_worker(job, chunk_rows, slugs, header):  # runs in a worker process
    os._exit(3)


def test_an_error_in_a_worker_is_an_export_error(many, monkeypatch):
    monkeypatch.setattr(workers, "_csv_chunk_task", _raise_in_worker)
    with pytest.raises(ExportError, match=r"preparing rows 1–500 failed in a worker process \(ValueError: boom in pid") as info:
        export_bytes(many, WORDPRESS, workers=2)
    assert "Nothing was exported" in str(info.value)
    assert f"pid {os.getpid()}" not in str(info.value)  # it really ran elsewhere


def test_a_worker_that_dies_is_an_export_error_and_the_pool_is_replaced(many, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(workers, "_csv_chunk_task", _die_in_worker)
        with pytest.raises(ExportError, match="a worker process preparing the file ended unexpectedly"):
            export_bytes(many, WORDPRESS, workers=2)
    again = export_bytes(many, WORDPRESS, workers=2, now=NOW)
    assert again.content == export_bytes(many, WORDPRESS, workers=1, now=NOW).content


def test_exports_from_several_threads_at_once(many):
    """Streamlit runs each session's script in its own thread; they share the one pool."""
    expected = {p: export_bytes(many, p, workers=1, now=NOW).content for p in ("wordpress", "hubspot")}
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = export_bytes(many, ("wordpress", "hubspot")[i % 2], workers=2, now=NOW).content
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert all(results[i] == expected[("wordpress", "hubspot")[i % 2]] for i in range(4))


def test_shutdown_then_the_next_large_export_starts_the_pool_again(many):
    workers.shutdown_workers()
    assert workers._POOL is None
    f = export_bytes(many[:510], WORDPRESS, workers=2)
    assert f.row_count == 510 and workers._POOL is not None


def test_workers_do_not_run_the_callers_main_module(many, tmp_path, monkeypatch):
    """Streamlit installs the running page as ``__main__``; forkserver children import
    ``__main__`` first. The workers must not run the page (it would export again, in bare mode)."""
    marker = tmp_path / "page-ran"
    page = tmp_path / "export_page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit('the page ran in a worker')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    workers.shutdown_workers()  # the next export starts new workers, under the fake __main__
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    f = export_bytes(many, WORDPRESS, workers=2, now=NOW)
    assert f.content == export_bytes(many, WORDPRESS, workers=1, now=NOW).content
    assert not marker.exists()
    assert sys.modules["__main__"] is fake_main


def test_a_script_exits_cleanly_after_a_parallel_export(tmp_path):
    """The CLI's situation: a process that exports once and exits. The pool is shut down at
    exit: no hang, no leaked-semaphore warning, no traceback. The script has no
    ``if __name__ == "__main__":`` guard, and needs none: the workers do not import it."""
    root = Path(__file__).resolve().parents[3]
    script = tmp_path / "export_once.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(root)!r})
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from test_workers import rows
            from studio.export.files import export_bytes

            f = export_bytes(rows(), "generic", workers=2)
            print(f.row_count, int(f.timings["workers"]))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(N_ROWS), "2"]
    assert "Traceback" not in done.stderr and "leaked" not in done.stderr, done.stderr
