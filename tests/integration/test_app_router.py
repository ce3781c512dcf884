"""AppTest: a page never runs without app.py's router, whatever the first request.

AppTest starts every run the way a fresh server process starts its first one: Streamlit takes
the `pages/` folder for old-style pages until st.navigation has run (AppTest resets that at
each run). So `switch_page(...)` before a run is the first request of a process for that
page's URL, and a page file given as the main script is a page started without the router.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
PASSWORD = "correct horse battery"
TIMEOUT = 60


def texts(at: AppTest) -> str:
    elements = [*at.title, *at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(e.value) for e in elements)


def asked_for(page: str, user=None) -> AppTest:  # type: ignore[no-untyped-def]
    """The app, with `page`'s URL as the first request (and `user` signed in, if given)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = f"http://localhost:8501/{Path(page).stem}"
    if user is not None:
        at.session_state["studio_user_id"] = user.id
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str) -> None:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", PAGES)
def test_a_page_started_as_the_main_script_renders_nothing(engine, people, page):
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = people.admin.id  # even for someone who may see it
    at.run()
    assert not at.exception, at.exception
    assert len(at.main.children) == 0 and len(at.sidebar.children) == 0


@pytest.mark.parametrize("page", PAGES)
def test_a_page_url_as_the_first_request_shows_the_first_admin_form_on_a_new_install(engine, page):
    at = asked_for(page)
    assert [t.value for t in at.title] == ["Welcome to Content Studio"]
    assert "Please sign in." not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_url_as_the_first_request_shows_the_sign_in_form(engine, people, page):
    at = asked_for(page)
    assert [t.value for t in at.title] == ["Sign in to Content Studio"]
    assert "Please sign in." not in texts(at)


def test_after_signing_in_an_editor_lands_on_the_page_asked_for(engine, people):
    at = asked_for("review_queue.py")
    sign_in(at, "dana")
    assert [t.value for t in at.title] == ["Review queue"]
    assert "Signed in as" in "\n".join(str(c.value) for c in at.sidebar.caption)


def test_after_signing_in_a_marketer_asked_for_the_audit_trail_lands_on_their_default_page(engine, people):
    at = asked_for("audit_log.py")
    sign_in(at, "mara")
    assert [t.value for t in at.title] == ["New draft"]


def test_a_signed_in_session_asking_for_a_page_gets_it_through_the_router(engine, people):
    at = asked_for("review_queue.py", people.editor)
    assert [t.value for t in at.title] == ["Review queue"]
    assert "Signed in as" in "\n".join(str(c.value) for c in at.sidebar.caption)
    at = asked_for("audit_log.py", people.marketer)
    assert [t.value for t in at.title] == ["New draft"]
