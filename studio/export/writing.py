"""One chunk of an export file: rows cleaned, bodies rendered, cells made, CSV written.

The same code runs in this process and in a worker process (see ``workers``); the chunks are
joined in order, so the bytes do not depend on where a chunk was written. CSV is written by
pandas, RFC 4180: comma separated, ``QUOTE_MINIMAL``, quotes doubled, records ended by ``\\r\\n``,
UTF-8; line breaks inside a cell are kept inside the quotes.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

from studio.content import (
    CONTROL_BYTES,
    FORMULA_TRIGGERS,
    Mode,
    clean_text,
    neutralise,
    render_markdown,
    sanitize_html,
)
from studio.export.presets import PRESETS, Item, Preset, make_items
from studio.export.rows import ExportRow

#: Rows per chunk: only a few chunks' HTML are alive at once next to the file being built.
CHUNK_ROWS = 500

_TEXT_FIELDS = (
    "title", "slug", "body_markdown", "excerpt", "meta_description", "author_name",
    "author_email", "publish_status", "language", "content_type",
)  # fmt: skip


def clean_row(row: ExportRow) -> ExportRow:
    """The row with every text value passed through :func:`clean_text`."""
    values = [getattr(row, name) for name in _TEXT_FIELDS]
    if all(type(v) is str for v in values):
        # Fast path, one check for the whole row: text with no surrogate, no control character
        # and no CR is returned by clean_text unchanged (the very same object), field by field.
        whole = "\n".join((*values, *row.tags, *row.categories))
        try:
            encoded = whole.encode("utf-8")
        except UnicodeEncodeError:
            encoded = b""
        if encoded and "\r" not in whole and len(encoded.translate(None, CONTROL_BYTES)) == len(encoded):
            return row
    changes: dict[str, Any] = {}
    for name, value in zip(_TEXT_FIELDS, values):
        cleaned = clean_text(value if isinstance(value, str) else str(value))
        if cleaned is not value:
            changes[name] = cleaned
    for name in ("tags", "categories"):
        value = getattr(row, name)
        cleaned_terms = tuple(clean_text(t) for t in value)
        if any(a is not b for a, b in zip(cleaned_terms, value)):
            changes[name] = cleaned_terms
    if not changes:
        return row
    return replace(row, **changes)


def render_bodies(rows: Sequence[ExportRow]) -> list[str]:
    """Each row's sanitised HTML: the stored one when the row has it, else rendered now (rows
    are cleaned already, so this is render_html's output either way)."""
    clean = sanitize_html
    render = render_markdown
    return [clean(render(r.body_markdown)) if r.body_html is None else r.body_html for r in rows]


@dataclass(frozen=True)
class CsvJob:
    """What every chunk of one CSV export shares; small and picklable (the preset by name), so
    it goes to a worker process with each chunk."""

    preset_name: str
    names: list[str]
    mode: Mode
    disclosure: str
    site_timezone: tzinfo

    def run(
        self, rows: list[ExportRow], slugs: list[str], header: bool, preset: Preset | None = None
    ) -> tuple[bytes, float, float, float]:
        """One chunk of cleaned rows → its CSV bytes (the header too when ``header``), the
        seconds spent rendering and writing, and the CPU seconds of both."""
        c0, t0 = time.process_time(), time.perf_counter()
        htmls = render_bodies(rows)
        t1 = time.perf_counter()
        items = make_items(rows, slugs, htmls, self.disclosure, self.site_timezone)
        del htmls
        frame = make_frame(items, preset or PRESETS[self.preset_name], self.names, self.mode)
        del items
        # Straight into bytes: pandas' UTF-8 writer is about twice as fast here as a StringIO
        # (which widens its buffer for every non-Latin-1 character) encoded afterwards.
        buffer = io.BytesIO()
        write_csv(frame, buffer, header=header)
        del frame
        return buffer.getvalue(), t1 - t0, time.perf_counter() - t1, time.process_time() - c0


def make_frame(items: list[Item], preset: Preset, names: list[str], mode: Mode) -> Any:
    """The preset's table for ``items``, every cell a string, formulas neutralised per ``mode``."""
    import pandas as pd

    data: dict[str, list[str]] = {}
    triggers = FORMULA_TRIGGERS
    for name in names:
        get = preset.columns[name]
        values = [get(it) for it in items]
        if mode == "spreadsheet":
            values = [neutralise(v, mode) for v in values]
        elif name not in preset.body_columns:
            # neutralise(v, "cms"), inlined: this runs for every cell of every export.
            values = ["'" + v if v.startswith(triggers) else v for v in values]
        data[name] = values
    # dtype=object keeps the Python strings as they are (pandas 3 would copy them into Arrow).
    return pd.DataFrame(data, columns=names, dtype=object)


def write_csv(frame: Any, buffer: io.BytesIO, *, header: bool) -> None:
    """RFC 4180 (see the module docstring): comma, QUOTE_MINIMAL, doubled quotes, CRLF, UTF-8."""
    frame.to_csv(
        buffer,
        index=False,
        header=header,
        encoding="utf-8",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
        doublequote=True,
        quotechar='"',
        sep=",",
    )

