"""AppTest: the Export page, from approved drafts to a downloadable file and past exports."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.export.files import gunzip
from studio.models import Draft, ExportBatch

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "pages" / "export.py")


def approved(engine, author, title: str, status: str = "approved") -> int:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic=title), author)
        add_revision(s, d, f"# {title}\n\n<img src=x onerror=alert(1)> Hello.\n", author, "generated", run_checks=False)
        d.status = status
        s.flush()
        return d.id


def page_as(user) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = user.id
    at.run()
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error, *at.text]
    return "\n".join(str(e.value) for e in elements)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def table_key(at: AppTest) -> str:
    """The picker's key: studio.ui.tables gives each list of drafts a grid of its own."""
    return next(d.key for d in at.dataframe if (d.key or "").startswith("export_table__"))


def select_all(at: AppTest) -> None:
    at.button(key="export_select_all").click().run()
    assert not at.exception, at.exception


def test_select_all_preview_export_and_download(engine, people):
    ids = [approved(engine, people.marketer, "First post"), approved(engine, people.marketer, "Second post")]
    approved(engine, people.marketer, "Not yet", status="in_review")
    at = page_as(people.editor)
    table = at.dataframe(key=table_key(at)).value
    assert table["#"].tolist() == ids and table["Title"].tolist() == ["First post", "Second post"]
    assert "Select at least one draft" in texts(at)
    select_all(at)
    assert "2 of 2 selected" in texts(at)
    # "Select all" ticks every row's own box: the grid starts again from the page's selection.
    assert at.session_state[table_key(at)]["selection"]["rows"] == [0, 1]
    assert at.button(key="export_select_all").disabled and not at.button(key="export_clear").disabled
    preview = at.dataframe[1].value  # the table, then the preview (read-only frames carry no key)
    assert list(preview.columns)[:2] == ["post_title", "post_content"]
    body = "".join(preview["post_content"])
    assert "<img" not in body and "&lt;img src=x onerror" in body  # model HTML is escaped text
    assert "CMS import" in [o for o in at.radio(key="export_mode").options]
    assert "Exporting makes the file and marks the 2 drafts exported; the file stays downloadable under Past " \
           "exports." in texts(at)
    button(at, "Export 2 drafts").click().run()
    assert not at.exception, at.exception
    ready = at.session_state["export_ready"]
    assert ready["rows"] == 2 and ready["filename"].endswith(".csv")
    # The page keeps only the gzip of the file (unpacked when the button is clicked).
    assert "content" not in ready
    content = gunzip(ready["gzip"], ready["size"])
    assert len(content) == ready["size"] and hashlib.sha256(content).hexdigest() == ready["sha256"]
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert frame["post_title"].tolist() == ["First post", "Second post"]
    assert "Export 1 is done: 2 drafts are marked exported." in texts(at)
    assert ready["sha256"] not in " ".join(str(e.value) for e in at.success)  # under Details
    assert f"SHA-256: {ready['sha256']}" in texts(at)
    with session_scope(engine) as s:
        assert [s.get(Draft, i).status for i in ids] == ["exported", "exported"]
        assert s.scalars(select(ExportBatch)).one().checksum == ready["sha256"]
    # The exported drafts left the list; past exports offer the file again.
    assert "The approved drafts were exported (export 1); none is waiting now." in texts(at)
    assert at.dataframe[-1].value["Rows"].tolist() == [2]
    assert at.selectbox(key="export_past_pick").value == ready["batch_id"]


def test_per_row_selection_and_json(engine, people):
    ids = [approved(engine, people.marketer, "One"), approved(engine, people.marketer, "Two")]
    at = page_as(people.editor)
    at.session_state[table_key(at)] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.selectbox(key="export_preset").set_value("json").run()
    assert not at.exception, at.exception
    assert "1 of 2 selected" in texts(at)
    button(at, "Export 1 draft").click().run()
    assert not at.exception, at.exception
    assert at.session_state["export_ready"]["filename"].endswith(".json")
    with session_scope(engine) as s:
        assert [s.get(Draft, i).status for i in ids] == ["approved", "exported"]


def test_nothing_approved_says_so(engine, people):
    approved(engine, people.marketer, "Waiting", status="in_review")
    at = page_as(people.editor)
    assert "Nothing to export: no approved drafts are waiting." in texts(at)
    assert not [b for b in at.button if b.label.startswith("Export ")]


def test_a_draft_without_a_title_is_named_and_the_button_disabled(engine, people):
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Untitled idea"), people.marketer)
        add_revision(s, d, "Just text, no heading.\n", people.marketer, "generated", run_checks=False)
        d.title, d.status = "", "approved"
        draft_id = d.id
    at = page_as(people.editor)
    select_all(at)
    assert f"Draft {draft_id} ('Untitled idea') has no title" in texts(at)
    assert button(at, "Export 1 draft").disabled


def _route_to(page: str) -> None:
    """A router that offers everyone `page` (app.py offers it to editors and admins only)."""
    import streamlit as st

    from studio.ui import routing

    routing.run(st.navigation([st.Page(page)]))


def test_marketers_are_told_who_can_export(engine, people):
    # Marketers are not offered the page; route one to it anyway to show the page still refuses.
    at = AppTest.from_function(_route_to, args=(PAGE,), default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = people.marketer.id
    at.run()
    assert not at.exception, at.exception
    assert "Only editors and admins can export content." in texts(at)


def test_a_past_export_whose_stored_file_was_damaged_is_not_offered(engine, people):
    from studio.export.service import run_export

    ids = [approved(engine, people.marketer, "Kept"), approved(engine, people.marketer, "Damaged")]
    with session_scope(engine) as s:
        good, _ = run_export(s, people.editor, ids[:1], "wordpress")
        bad, _ = run_export(s, people.editor, ids[1:], "hubspot")
        good_id, bad_id = good.id, bad.id
        s.get(ExportBatch, bad_id).checksum = "0" * 64
    at = page_as(people.editor)
    assert at.selectbox(key="export_past_pick").value == bad_id  # the newest comes first
    assert f"Export {bad_id}'s stored file does not match its checksum" in texts(at)
    assert [b.proto.label for b in at.get("download_button")] == []
    at.selectbox(key="export_past_pick").set_value(good_id).run()
    assert [b.proto.label for b in at.get("download_button")] == [f"Download {good.filename}"]
    assert f"Export {bad_id}'s stored file" not in texts(at)
    # A new export: "Download again" moves to it, whatever was picked before.
    approved(engine, people.marketer, "Fresh")
    at.run()
    select_all(at)
    button(at, "Export 1 draft").click().run()
    assert not at.exception, at.exception
    new_id = at.session_state["export_ready"]["batch_id"]
    assert at.selectbox(key="export_past_pick").value == new_id != good_id
