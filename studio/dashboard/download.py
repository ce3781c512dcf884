"""A chart's data as CSV a spreadsheet opens safely: every cell that would run as a formula is
neutralised (studio.content.neutralise, the export's spreadsheet rules), UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
from typing import Any

from studio.content import neutralise


def csv_bytes(frame: Any) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(c), "spreadsheet") for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:.6f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value), "spreadsheet")
