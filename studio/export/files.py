"""The export file: rows in, CSV or JSON bytes out (pure: no database, no Streamlit).

The order an export runs: rows are cleaned (``writing.clean_row``), given unique slugs
(``slugs``), their bodies rendered and sanitised (``studio.content.render_html``, or the HTML
stored with the revision), made into the preset's cells with formulas neutralised per mode, and
written by pandas a chunk at a time, in this process or in worker processes (``workers``).
``docs/export.md`` describes the presets, the two modes and the file format.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from itertools import islice
from typing import Any, BinaryIO

from studio.content import Mode, clean_text
from studio.export.presets import PRESETS, Preset, make_items
from studio.export.rows import ExportError, ExportRow
from studio.export.slugs import SlugAllocator
from studio.export.workers import in_workers, render_all, worker_count
from studio.export.writing import CHUNK_ROWS, CsvJob, clean_row


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file an export made. ``content`` is the file itself; an export made with
    ``compressed=True`` keeps only its gzip (``content_gzip``), and ``content`` decompresses it
    on each read (so the 76 MB of a 10,000-post CSV is not held while the export is recorded)."""

    filename_suggestion: str
    mimetype: str
    sha256: str
    row_count: int
    size: int  # bytes of the file itself
    slugs: tuple[str, ...] = field(default=())  # in row order, for ExportItem.slug
    preset: str = ""
    plain: bytes | None = field(default=None, repr=False)
    content_gzip: bytes | None = field(default=None, repr=False)
    # Where the time went, in seconds: "render" (Markdown → sanitised HTML) and "csv" (cells,
    # DataFrame, pandas) summed over every chunk and process; "workers" is 1 for in-process;
    # "cpu_main" / "cpu_workers" are CPU seconds of this process and of the workers' chunks.
    timings: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def content(self) -> bytes:
        if self.plain is not None:
            return self.plain
        assert self.content_gzip is not None
        return gunzip(self.content_gzip, self.size)

    def write_to(self, out: BinaryIO) -> None:
        """The file into ``out``, decompressed a megabyte at a time when only its gzip is kept."""
        if self.plain is not None:
            out.write(self.plain)
            return
        assert self.content_gzip is not None
        with gzip.GzipFile(fileobj=io.BytesIO(self.content_gzip), mode="rb") as src:
            while block := src.read(1 << 20):
                out.write(block)



GZIP_LEVEL = 1  # HTML-heavy CSV shrinks well at level 1; higher levels cost more than they save


def gunzip(data: bytes, size: int | None = None) -> bytes:
    """A stored export file, decompressed. With its ``size`` known, into one buffer of that
    size: gzip.decompress grows one as it goes and briefly holds about twice the file."""
    return zlib.decompress(data, wbits=31, bufsize=max(size or 0, 16384))


class Sink:
    """Where the CSV's chunks go: kept as they are, or gzip-compressed as they arrive. Hashing
    and compressing run in one thread (hashlib and zlib let go of the GIL on large inputs) while
    the caller writes the next chunk; one thread, so the chunks are taken in order."""

    def __init__(self, compressed: bool) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer = io.BytesIO()
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compressed else None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-file")
        self.pending: deque[Any] = deque()

    def _take(self, part: bytes) -> None:
        self.digest.update(part)
        if self.compressor is not None:
            self.buffer.write(self.compressor.compress(part))

    def write(self, part: bytes) -> None:
        self.size += len(part)
        if self.compressor is None:
            self.buffer.write(part)
        self.pending.append(self.pool.submit(self._take, part))
        while self.pending and self.pending[0].done():  # errors surface early; memory freed
            self.pending.popleft().result()

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:  # the export failed half-way: drop what is queued, end the thread
            self.pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> tuple[bytes | None, bytes | None, str, int]:
        """(the file or None, its gzip or None, SHA-256 of the file, its size)."""
        self.pool.shutdown(wait=True)
        while self.pending:
            self.pending.popleft().result()
        if self.compressor is not None:
            self.buffer.write(self.compressor.flush())
            return None, self.buffer.getvalue(), self.digest.hexdigest(), self.size
        return self.buffer.getvalue(), None, self.digest.hexdigest(), self.size



def export_bytes(
    rows: Iterable[ExportRow],
    preset: Preset | str,
    *,
    mode: Mode = "cms",
    bom: bool | None = None,
    taken_slugs: Iterable[str] | Mapping[str, int] = (),
    disclosure: str | None = None,
    site_timezone: tzinfo = timezone.utc,
    now: datetime | None = None,
    workers: int | None = None,
    compressed: bool = False,
) -> ExportFile:
    """Build the export file for ``rows`` in ``preset``'s format.

    ``bom`` defaults to the mode's choice (off for ``cms``, on for ``spreadsheet``).
    ``taken_slugs``: see :func:`studio.export.slugs.unique_slugs`. ``disclosure``: the workspace's
    AI-disclosure line, written in its own column by the generic and JSON presets.
    ``site_timezone``: the WordPress site's time zone, for ``post_date``. ``now`` only names the
    file. ``workers``: processes that render and write the chunks (``None``: the setting, for
    large exports; ``1``: in-process); the bytes are the same either way. ``compressed``: keep
    only the gzip of the file (``ExportFile.content`` then decompresses on read).
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    preset = _preset(preset, mode, bom)
    # A sized iterable (the export flow's rows, whose text is read as they are iterated) is
    # consumed once, a chunk at a time; anything else is read into a list first.
    if not isinstance(rows, Sized) or preset.file_format == "json":
        rows = list(rows)
    if not len(rows):
        raise ExportError("Nothing to export: no approved drafts match.")
    disclosure_text = clean_text(disclosure or "").strip()
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    job = _Job(
        preset=preset,
        names=preset.column_names(disclosure=bool(disclosure_text)),
        mode=mode,
        disclosure=disclosure_text,
        site_timezone=site_timezone,
        slugger=SlugAllocator(taken_slugs),
        n_workers=worker_count(len(rows), preset, workers),
        stem=f"content-studio-{preset.name}-{stamp}-{len(rows)}",
    )
    if preset.file_format == "json":
        file = _json_file(job, rows, compressed=compressed)
    else:
        file = _csv_file(job, rows, bom=bom, compressed=compressed)
    job.timings["wall"] = time.perf_counter() - started
    job.timings["cpu_main"] = time.process_time() - started_cpu  # this process, all its threads
    return file


def _preset(preset: Preset | str, mode: str, bom: bool | None) -> Preset:
    if isinstance(preset, str):
        try:
            preset = PRESETS[preset]
        except KeyError:
            raise ExportError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.") from None
    if mode not in ("cms", "spreadsheet"):
        raise ExportError(f"Unknown mode {mode!r}; choose 'cms' or 'spreadsheet'.")
    if preset.file_format == "json" and (mode != "cms" or bom):
        raise ExportError("JSON exports have no spreadsheet mode and no BOM; use a CSV preset.")
    return preset


@dataclass
class _Job:
    """What one export's steps share."""

    preset: Preset
    names: list[str]
    mode: Mode
    disclosure: str
    site_timezone: tzinfo
    slugger: SlugAllocator
    n_workers: int
    stem: str
    slugs: list[str] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.timings.update(render=0.0, csv=0.0, workers=float(self.n_workers), cpu_workers=0.0)

    def once(self, row: ExportRow) -> ExportRow:
        if row.draft_id in self.seen:
            raise ExportError(f"Draft {row.draft_id} is in the export twice.")
        self.seen.add(row.draft_id)
        return row

    def file(self, suffix: str, mimetype: str, plain: bytes | None, gz: bytes | None, sha256: str, size: int) -> ExportFile:
        return ExportFile(
            filename_suggestion=f"{self.stem}.{suffix}", plain=plain, content_gzip=gz, size=size,
            mimetype=mimetype, sha256=sha256, row_count=len(self.seen), slugs=tuple(self.slugs),
            preset=self.preset.name, timings=self.timings,
        )  # fmt: skip


def _json_file(job: _Job, rows: list[ExportRow], *, compressed: bool) -> ExportFile:
    rows = [clean_row(job.once(r)) for r in rows]
    job.slugs = job.slugger.take(rows)
    htmls = render_all(rows, job.n_workers, job.timings)
    records = [
        {name: job.preset.columns[name](it) for name in job.names}
        for it in make_items(rows, job.slugs, htmls, job.disclosure, job.site_timezone)
    ]
    content = json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")
    del records, htmls
    sha256, size = hashlib.sha256(content).hexdigest(), len(content)
    if compressed:
        gz = gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
        return job.file("json", "application/json", None, gz, sha256, size)
    return job.file("json", "application/json", content, None, sha256, size)


def _csv_file(job: _Job, rows: Iterable[ExportRow], *, bom: bool | None, compressed: bool) -> ExportFile:
    """Written CHUNK_ROWS rows at a time, so only a few chunks' HTML are alive at once next to
    the file being built. Each chunk is cleaned and given its slugs here (slugs are unique across
    the whole file, so this part is sequential), then rendered and written by pandas: here, or
    in a worker while this process prepares the next chunk."""
    csv_job = CsvJob(job.preset.name, job.names, job.mode, job.disclosure, job.site_timezone)

    def chunks() -> Iterator[tuple[list[ExportRow], list[str], bool]]:
        remaining = iter(rows)
        header = True
        while chunk := [clean_row(job.once(r)) for r in islice(remaining, CHUNK_ROWS)]:
            chunk_slugs = job.slugger.take(chunk)
            job.slugs.extend(chunk_slugs)
            yield chunk, chunk_slugs, header
            header = False

    with Sink(compressed) as sink:
        if job.mode == "spreadsheet" if bom is None else bom:
            sink.write(codecs.BOM_UTF8)
        if job.n_workers == 1:
            for chunk, chunk_slugs, header in chunks():
                part, t_render, t_csv, _ = csv_job.run(chunk, chunk_slugs, header, job.preset)
                sink.write(part)
                job.timings["render"] += t_render
                job.timings["csv"] += t_csv
                del part
        else:
            for part in in_workers(csv_job, chunks(), job.n_workers, job.timings):
                sink.write(part)
                del part
        content, content_gzip, sha256, size = sink.close()
    return job.file("csv", "text/csv; charset=utf-8", content, content_gzip, sha256, size)
