"""Reading a spreadsheet of briefs: CSV or XLSX in, one validated brief per row out.

Columns are mapped to brief fields (suggested from their headers, changed by the person); a
field with no column takes the batch's default. Each row is checked exactly as the New draft
form checks a brief; a bad row is named by its line in the file (the header is line 1) with
every reason, and the good rows go ahead.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from typing import Any

from studio.drafting.brief import CONTENT_TYPES, FORMALITY, LANGUAGES, VOICES, Brief, BriefError
from studio.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000
# A publish date without a time is scheduled for this time of day (UTC).
DEFAULT_PUBLISH_TIME = time(9, 0)

# Brief field: (label people read, header names that suggest it, what the template shows).
FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "content_type": ("Content type", ("type", "content type", "content_type", "kind", "format"), "blog"),
    "topic": ("Topic", ("topic", "title", "subject", "brief", "headline"), "How small teams plan a content calendar"),
    "audience": ("Audience", ("audience", "target audience", "readers", "persona"), "marketing managers at B2B start-ups"),
    "keywords": ("Keywords", ("keywords", "keyword", "seo keywords", "tags"), "content calendar, planning"),
    "tone": ("Voice", ("voice", "tone", "brand voice", "style"), "friendly"),
    "formality": ("Formality", ("formality", "register"), "3"),
    "temperature": ("Temperature", ("temperature", "temp", "creativity"), "0.7"),
    "target_words": ("Length (words)", ("words", "length", "word count", "target words", "target_words"), "600"),
    "language": ("Language", ("language", "lang", "locale"), "en"),
    "publish_date": ("Publish date", ("publish date", "publish_date", "date", "publish on", "go live", "publication date"), "2026-12-01"),
}
REQUIRED = ("topic",)
TEMPLATE_HEADERS = ["type", "topic", "audience", "keywords", "voice", "formality", "temperature", "words", "language", "publish_date"]
TEMPLATE_EXAMPLES = [
    ["blog", "How small teams plan a content calendar", "marketing managers at B2B start-ups",
     "content calendar, planning", "friendly", "3", "0.7", "600", "en", "2026-12-01"],
    ["news", "Our spring product update ships three new integrations", "existing customers",
     "integrations, release", "professional", "2", "0.4", "400", "en", "2026-12-03 14:00"],
]  # fmt: skip


def field_label(name: str) -> str:
    return FIELDS[name][0]


@dataclass
class Table:
    """The file as text: its headers and one dict per row, with each row's line number."""

    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]


@dataclass(frozen=True)
class RowBrief:
    line: int
    brief: Brief
    publish_date: datetime | None


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.line, "reason": self.reason}


@dataclass
class Validation:
    good: list[RowBrief] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", str(header)).lower().split())


def read_table(data: bytes, filename: str) -> Table:
    """Parse a CSV (UTF-8, with or without a byte-order mark; comma, semicolon or tab) or XLSX."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"The file is {len(data) / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB.")
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        header, body = _read_xlsx(data)
    elif name.endswith(".xls"):
        raise InputError("Old .xls files are not read; save the sheet as .xlsx or CSV.")
    else:
        header, body = _read_csv(data)
    columns = [str(h).strip() for h in header]
    if not any(columns):
        raise InputError("The file has no header row: the first line should name the columns (download the template).")
    seen: set[str] = set()
    for i, c in enumerate(columns):
        if not c:
            columns[i] = c = f"Column {i + 1}"
        if c in seen:
            raise InputError(f"Two columns are called '{c}'; give each column its own name.")
        seen.add(c)
    rows, lines = [], []
    for line, values in body:
        if not any(str(v).strip() for v in values):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise InputError(f"The file has more than {MAX_ROWS} rows; split it into several batches.")
        padded = list(values) + [""] * (len(columns) - len(values))
        rows.append({c: str(v).strip() for c, v in zip(columns, padded)})
        lines.append(line)
    if not rows:
        raise InputError("The file has a header but no rows.")
    return Table(columns, rows, lines)


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("The file is not UTF-8 text. Save it as 'CSV UTF-8' or as .xlsx.") from None
    if "\x00" in text:
        raise InputError("The file is not a CSV or XLSX spreadsheet.")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputError(f"The CSV could not be read: {exc}.") from None
    if not records:
        raise InputError("The file is empty.")
    # reader.line_num counts physical lines; rows with newlines inside cells span several.
    return records[0], [(i + 2, r) for i, r in enumerate(records[1:])]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same message
        raise InputError("The XLSX file could not be opened; save it again from your spreadsheet program.") from None
    try:
        sheet = book.worksheets[0]
        records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not records:
        raise InputError("The first sheet of the workbook is empty.")
    while records[0] and not records[0][-1]:
        records[0].pop()
    return records[0], [(i + 2, r) for i, r in enumerate(records[1:])]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def suggest_mapping(columns: list[str]) -> dict[str, str | None]:
    """Brief field → the column that looks like it (by header name), or None."""
    by_name = {_norm(c): c for c in columns}
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for name, (label, synonyms, _example) in FIELDS.items():
        found = None
        for candidate in (_norm(name), _norm(label), *map(_norm, synonyms)):
            column = by_name.get(candidate)
            if column is not None and column not in taken:
                found = column
                break
        mapping[name] = found
        if found:
            taken.add(found)
    return mapping


def _lookup(value: str, table: Mapping[Any, Any], labels: Mapping[str, Any]) -> Any:
    v = value.strip()
    for key in table:
        if str(key).lower() == v.lower():
            return key
    return labels.get(v.lower(), v)


_TYPE_LABELS = {label.lower(): key for key, label in CONTENT_TYPES.items()} | {"blog post": "blog", "article": "news", "news article": "news"}
_FORMALITY_LABELS = {label.lower(): step for step, (label, _) in FORMALITY.items()}
_LANGUAGE_LABELS = {name.lower(): code for code, name in LANGUAGES.items()}


def parse_publish_date(value: str) -> datetime:
    """ISO dates: 2026-12-01, 2026-12-01 14:00, 2026-12-01T14:00:00+02:00. A date alone is 09:00
    UTC; a time without an offset is UTC."""
    text = value.strip().replace("/", "-") if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}.*", value.strip()) else value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD (optionally with a time, 2026-12-01 14:00).") from None
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        parsed = datetime.combine(parsed.date(), DEFAULT_PUBLISH_TIME)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if not 2000 <= parsed.year <= 2100:
        raise ValueError(f"The publish date {value} is outside 2000–2100.")
    return parsed.astimezone(timezone.utc)


def validate(table: Table, mapping: Mapping[str, str | None], defaults: Mapping[str, Any] | None = None) -> Validation:
    """Every row as a Brief, or rejected with its line and every reason. A field with neither a
    column nor a default takes the New draft form's default (a blog post when no type is given)."""
    defaults = {"content_type": "blog", **(defaults or {})}
    missing = [field_label(f) for f in REQUIRED if not mapping.get(f) and not defaults.get(f)]
    if missing:
        raise InputError(f"Choose the column that holds the {', '.join(missing).lower()}.")
    unknown = [c for c in mapping.values() if c and c not in table.columns]
    if unknown:
        raise InputError(f"The file has no column '{unknown[0]}'.")
    result = Validation()
    for line, row in zip(table.lines, table.rows):
        values: dict[str, Any] = dict(defaults)
        for name, column in mapping.items():
            if column and row.get(column, "").strip():
                values[name] = row[column].strip()
        problems: dict[str, str] = {}
        publish = None
        raw_date = values.pop("publish_date", None)
        if raw_date not in (None, ""):
            try:
                publish = raw_date if isinstance(raw_date, datetime) else parse_publish_date(str(raw_date))
            except ValueError as exc:
                problems["publish_date"] = str(exc)
        if isinstance(values.get("content_type"), str):
            values["content_type"] = _lookup(values["content_type"], CONTENT_TYPES, _TYPE_LABELS)
        if isinstance(values.get("tone"), str):
            values["tone"] = values["tone"].strip().lower()
        if isinstance(values.get("formality"), str):
            values["formality"] = _lookup(values["formality"], {str(k): k for k in FORMALITY}, _FORMALITY_LABELS)
        if isinstance(values.get("language"), str):
            values["language"] = _lookup(values["language"], LANGUAGES, _LANGUAGE_LABELS)
        try:
            brief = Brief.create(**values)
        except BriefError as exc:
            problems = {**exc.problems, **problems}
            brief = None
        if problems or brief is None:
            reason = " ".join(f"{field_label(k) if k in FIELDS else k}: {v}" for k, v in problems.items())
            result.rejected.append(Rejected(line, reason))
        else:
            result.good.append(RowBrief(line, brief, publish))
    return result


def template_csv() -> bytes:
    """The template: the headers the mapping recognises and two example rows (UTF-8 with a BOM,
    so Excel opens it as UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(TEMPLATE_EXAMPLES)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Briefs"
    sheet.append(TEMPLATE_HEADERS)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    notes = book.create_sheet("How to fill it")
    notes.append(["Column", "Values"])
    notes.append(["type", ", ".join(CONTENT_TYPES)])
    notes.append(["voice", ", ".join(VOICES)])
    notes.append(["formality", "1 (very formal) to 5 (playful)"])
    notes.append(["temperature", "0.0 to 2.0"])
    notes.append(["words", "100 to 3000"])
    notes.append(["language", ", ".join(LANGUAGES)])
    notes.append(["publish_date", "YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC); a date alone is 09:00 UTC"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
