"""AppTest: the Prompt versions page shows each version's figures, adds a version, and sets its
share; marketers do not get the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.db import session_scope
from studio.prompts import service

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[3] / "app.py")


def page_as(user) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = user.id
    at.run()
    at.switch_page("pages/prompts.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("sqlite_only")
def test_an_editor_adds_a_version_and_tests_it_on_a_share_of_new_drafts(engine, people):
    at = page_as(people.editor)
    table = next(d.value for d in at.dataframe if "Approval rate" in d.value.columns)
    assert list(table["Version"]) == ["v1 · Built-in"] and list(table["Share"]) == ["100%"]

    system = at.text_area(key="prompts_new_system_blog")
    assert system.value.startswith("You are an experienced content writer")  # the live version to start from
    system.set_value("Write for {audience} about {topic}. {{Always}} in plain words.")
    at.text_input(key="prompts_new_label_blog").set_value("plain words")
    at.button[[b.label for b in at.button].index("Add version")].click().run()
    assert not at.exception, at.exception
    assert any("Added version 2" in str(s.value) for s in at.success)

    at.slider(key=f"prompts_share_{_id(engine, people, 2)}").set_value(40)
    at.button(key=f"prompts_split_{_id(engine, people, 2)}").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Approval rate" in d.value.columns)
    assert list(table["Share"]) == ["60%", "40%"]
    assert list(table["State"]) == ["Live (default)", "Under test"]

    at.text_area(key="prompts_new_system_blog").set_value("About {subject}.")
    at.button[[b.label for b in at.button].index("Add version")].click().run()
    assert any("{subject}" in str(e.value) for e in at.error)  # refused, saying why


def _id(engine, people, number: int) -> int:
    with session_scope(engine) as s:
        return service.get_version(s, people.editor, "blog", number).id


@pytest.mark.usefixtures("sqlite_only")
def test_a_marketer_asking_for_the_page_lands_on_their_default_page(engine, people):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = "http://localhost:8501/prompts"
    at.session_state["studio_user_id"] = people.marketer.id
    at.switch_page("pages/prompts.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["New draft"]
