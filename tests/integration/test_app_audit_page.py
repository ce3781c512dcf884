"""The Audit trail page shows events with and without a draft without Streamlit having to "fix"
the table (which logs an Arrow serialisation traceback on every visit)."""

from __future__ import annotations

import logging
from pathlib import Path

from streamlit.testing.v1 import AppTest

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import create_draft

APP = str(Path(__file__).resolve().parents[2] / "app.py")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_audit_page_needs_no_arrow_fix(engine, people):
    with session_scope(engine) as s:  # events with a draft next to account events without one
        create_draft(s, Brief.create(content_type="blog", topic="With a draft"), people.marketer)
    logger = logging.getLogger("streamlit.dataframe_util")
    handler, level = _Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["studio_user_id"] = people.admin.id
        at.run()
        at.switch_page("pages/audit_log.py").run()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert not at.exception, at.exception
    assert [r for r in handler.records if "Arrow" in r.getMessage() or r.exc_info] == []
    [table] = at.dataframe
    drafts = table.value["Draft"].tolist()
    assert "" in drafts and any(d.removeprefix("#").isdigit() for d in drafts)
