"""In the browser: a double-click acts once and loses nothing, a reload keeps the person signed
in (a sign-out does not survive it), and a server killed mid-stream keeps the brief and the text
written so far."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.conftest import StudioApp
from tests.e2e.test_team_journey import PASSWORD, go, open_tab, settle, shot, sign_in, sign_out


@pytest.fixture(scope="module")
def app(tmp_path_factory, model_server):  # type: ignore[no-untyped-def]
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope

    tmp = tmp_path_factory.mktemp("studio-resilience")
    url = f"sqlite:///{tmp / 'studio.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name="Mara Marketer")
    engine.dispose()
    studio = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                             "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "10"}).start()
    studio.db_url = url  # type: ignore[attr-defined]
    yield studio
    studio.stop()


def rows(app, model, *where):  # type: ignore[no-untyped-def]
    from studio.db import make_engine, session_scope

    engine = make_engine(app.db_url)
    try:
        with session_scope(engine) as s:
            return s.scalars(select(model).where(*where)).all()
    finally:
        engine.dispose()


def fill_brief(page: Page, topic: str) -> None:
    page.get_by_label("Topic", exact=True).fill(topic)
    page.get_by_label("Audience", exact=True).fill("harbour visitors")


def test_double_clicking_generate_makes_one_draft_and_finishes_it(app, model_server, new_page):  # type: ignore[no-untyped-def]
    from studio.models import Draft

    page = new_page()
    sign_in(page, app.url, "mara")
    fill_brief(page, "Double-clicked generation")
    page.get_by_role("button", name="Generate").dblclick()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=60_000)
    settle(page)
    drafts = rows(app, Draft, Draft.topic == "Double-clicked generation")
    assert len(drafts) == 1 and not drafts[0].incomplete


def test_double_clicking_comment_adds_the_comment_once(app, new_page):  # type: ignore[no-untyped-def]
    from studio.models import Comment

    page = new_page()
    sign_in(page, app.url, "mara")
    fill_brief(page, "A draft to comment on")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=60_000)
    settle(page)
    go(page, "My drafts")
    open_tab(page, "Comments")
    page.get_by_label("Add a comment").fill("Please check the tide times.")
    page.get_by_role("button", name="Comment", exact=True).dblclick()
    expect(page.get_by_test_id("stChatMessage").filter(has_text="Please check the tide times.")).to_be_visible(
        timeout=30_000
    )
    settle(page)
    page.wait_for_timeout(1000)
    expect(page.get_by_text("The comment is empty.")).to_have_count(0)
    assert [c.body for c in rows(app, Comment)] == ["Please check the tide times."]
    shot(page, "double-click-comment")


def test_a_reload_keeps_the_person_signed_in_and_a_sign_out_does_not_come_back(app, new_page):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, app.url, "mara")
    # The session cookie is written by the page after it shows the person signed in: a reload
    # before it has arrived is a fresh visit, so wait for it as a person's F5 a moment later would.
    deadline = time.monotonic() + 20
    while not any(c["name"] == "studio_session" for c in page.context.cookies()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.reload()
    expect(page.get_by_text(re.compile(r"Signed in as"))).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_have_count(0)
    settle(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == "studio_session")
    assert cookie["sameSite"] == "Strict" and PASSWORD not in cookie["value"]
    sign_out(page)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=30_000)
    # A copied cookie is refused too once its person signed out.
    page.context.add_cookies([cookie])
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=30_000)


def test_a_server_killed_mid_stream_keeps_the_brief_and_the_text_so_far(app, model_server, new_page):  # type: ignore[no-untyped-def]
    from studio.models import Draft, Revision

    page = new_page()
    sign_in(page, app.url, "mara")
    model_server.delay, model_server.reply_words = 0.05, 1200
    try:
        fill_brief(page, "Killed while streaming")
        page.get_by_role("button", name="Generate").click()
        stream = page.locator(".st-key-draft_stream")
        expect(stream).to_contain_text(re.compile("killed while streaming", re.I), timeout=30_000)
        time.sleep(3.0)  # longer than the saver's interval
        shown = stream.inner_text()
        os.killpg(app.proc.pid, signal.SIGKILL)
        app.proc.wait(10)
    finally:
        model_server.delay, model_server.reply_words = 0.01, 220
    [draft] = rows(app, Draft, Draft.topic == "Killed while streaming")
    assert draft.audience == "harbour visitors" and draft.incomplete
    [revision] = rows(app, Revision, Revision.draft_id == draft.id)
    assert revision.reason == "partial" and len(revision.body) > 50
    assert "killed while streaming" in revision.body.lower() and len(shown) > 50
    app.start()  # for anything after this test
