"""Reading a spreadsheet of briefs: CSV and XLSX, column mapping, bad rows named with reasons."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest

from studio.batch.sheet import (
    TEMPLATE_HEADERS,
    parse_publish_date,
    read_table,
    suggest_mapping,
    template_csv,
    template_xlsx,
    validate,
)
from studio.errors import InputError


def test_the_template_maps_itself_and_every_example_row_is_valid():
    for data, name in ((template_csv(), "t.csv"), (template_xlsx(), "t.xlsx")):
        table = read_table(data, name)
        assert table.columns == TEMPLATE_HEADERS
        mapping = suggest_mapping(table.columns)
        assert all(mapping[f] for f in mapping), mapping
        result = validate(table, mapping)
        assert result.rejected == [] and len(result.good) == 2
        assert result.good[1].publish_date == datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc)
    assert template_csv().startswith("\ufeff".encode())  # Excel opens it as UTF-8


def test_headers_people_use_are_mapped():
    mapping = suggest_mapping(["Title", "Target Audience", "Tone", "Word count", "Publish on", "Notes"])
    assert mapping["topic"] == "Title"
    assert mapping["audience"] == "Target Audience"
    assert mapping["tone"] == "Tone"
    assert mapping["target_words"] == "Word count"
    assert mapping["publish_date"] == "Publish on"
    assert mapping["keywords"] is None


def test_bad_rows_are_named_by_their_line_with_every_reason_and_good_rows_go_ahead():
    csv = (
        "topic;voice;temperature;words;publish_date\n"
        "Good one;friendly;0.5;400;2026-12-01\n"
        ";friendly;0.5;400;\n"
        "Too hot;sarcastic;3;50;31/12/2026\n"
        "\n"
        "Also good;Witty;1.1;1200;2026-12-05T10:00:00+02:00\n"
    ).encode()
    table = read_table(csv, "plan.csv")  # semicolons, found by the sniffer
    result = validate(table, suggest_mapping(table.columns))
    assert [g.line for g in result.good] == [2, 6]
    assert result.good[1].brief.tone == "witty"
    assert result.good[1].publish_date == datetime(2026, 12, 5, 8, 0, tzinfo=timezone.utc)
    bad = {r.line: r.reason for r in result.rejected}
    assert set(bad) == {3, 4}
    assert bad[3].startswith("Topic: Topic is empty")
    for words in ("Voice: Unknown voice 'sarcastic'", "Temperature: Temperature must be between",
                  "Length (words): Target length must be", "Publish date: '31/12/2026' is not a date"):
        assert words in bad[4]


def test_xlsx_cells_of_any_type_are_read_as_the_person_typed_them():
    book = openpyxl.Workbook()
    book.active.append(["Topic", "Words", "Temperature", "Publish date", "Type"])
    book.active.append(["Dates as dates", 800, 0.3, datetime(2026, 12, 24), "News article"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "plan.xlsx")
    result = validate(table, suggest_mapping(table.columns))
    (row,) = result.good
    assert (row.brief.target_words, row.brief.temperature, row.brief.content_type) == (800, 0.3, "news")
    assert row.publish_date == datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"topic\n", "x.csv", "no rows"),
        ("topic\ncaf\xe9\n".encode("latin-1"), "x.csv", "not UTF-8"),
        (b"PK\x03\x04garbage", "x.xlsx", "could not be opened"),
        (b"a,a\n1,2\n", "x.csv", "Two columns"),
        (b"x", "x.xls", ".xlsx"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, name, message):
    with pytest.raises(InputError, match=message):
        read_table(data, name)


def test_a_mapping_without_a_topic_column_is_refused():
    table = read_table(b"subject line,voice\nHello,witty\n", "x.csv")
    with pytest.raises(InputError, match="topic"):
        validate(table, {"topic": None, "tone": "voice"})


def test_publish_dates_without_a_time_are_nine_in_the_morning_utc():
    assert parse_publish_date("2026-12-01") == datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    assert parse_publish_date("2026/12/01") == datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_publish_date("next tuesday")
