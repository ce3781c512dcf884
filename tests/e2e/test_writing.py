"""The writing workspace in Chromium: a long-form draft (outline, then sections streaming in
view), our Stop keeping the finished sections and Retry continuing, revise by instruction with
undo, and the live word count beside the editor."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StudioApp, axe_clean
from tests.e2e.test_team_journey import PASSWORD, go, settle, shot, sign_in
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture(scope="module")
def writer_server():
    with FakeOpenAI(reply_mode="writer", delay=0.01, chunk_chars=8) as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory, writer_server):  # type: ignore[no-untyped-def]
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope

    tmp = tmp_path_factory.mktemp("studio-writing")
    engine = make_engine(f"sqlite:///{tmp / 'studio.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name="Mara Marketer")
    engine.dispose()
    studio = StudioApp(tmp, {"OPENAI_BASE_URL": writer_server.base_url, "STUDIO_MODEL": "fake-gpt",
                             "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "10"}).start()
    yield studio
    studio.stop()


def brief(page: Page, topic: str, words: int) -> None:
    page.get_by_label("Topic", exact=True).fill(topic)
    page.get_by_label("Keywords", exact=True).fill("planning")
    page.get_by_label("Target length (words)").fill(str(words))


def section_prompts(server: FakeOpenAI) -> list[str]:
    out = []
    for r in server.chat_requests:
        user = next(m["content"] for m in reversed(r.json["messages"]) if m["role"] == "user")
        if re.search(r"^Task: (section|introduction|conclusion)$", user, re.MULTILINE):
            out.append(user)
    return out


def test_long_form_outline_then_sections_stream_in_view_and_stop_keeps_them(app, writer_server, new_page):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, app.url, "mara")
    brief(page, "Planning a content calendar for a small team", 1500)
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile(r"Outline for draft #\d+"))).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Write the sections")).to_be_visible()
    settle(page)
    assert section_prompts(writer_server) == []  # nothing is written before the outline is accepted
    shot(page, "writing-01-outline")
    axe_clean(page, "the outline to edit")

    # Slow enough to press Stop while the second body section is being written.
    writer_server.delay, writer_server.chunk_chars = 0.03, 4
    writer_server.clear_requests()
    page.get_by_role("button", name="Write the sections").click()
    stream = page.locator(".st-key-long_stream")
    expect(stream).to_be_visible(timeout=20_000)
    assert stream.bounding_box()["y"] < 1000  # the stream is in view, beside the brief
    deadline = time.monotonic() + 60
    while len(section_prompts(writer_server)) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.wait_for_timeout(600)
    shot(page, "writing-02-streaming")
    page.locator(".st-key-long_stop button").first.click()
    expect(page.get_by_text(re.compile("interrupted"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile(r"the outline and 1 finished section\(s\) are kept"))).to_be_visible()
    settle(page)
    shot(page, "writing-03-stopped")

    writer_server.delay, writer_server.chunk_chars = 0.0, 40
    writer_server.clear_requests()
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=60_000)
    prompts = section_prompts(writer_server)
    assert "→ 3. " in prompts[0]  # continued at the second body section; the first was not written again
    assert not any("→ 2. " in p for p in prompts)
    settle(page)
    shot(page, "writing-04-done")
    axe_clean(page, "a long-form draft written")


def test_revise_with_undo_and_the_live_word_count(app, writer_server, new_page):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, app.url, "mara")
    brief(page, "A short note on planning", 300)
    page.get_by_text("One pass").click()
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=30_000)
    settle(page)
    go(page, "My drafts")

    page.get_by_role("tab", name="Edit").last.click()
    box = page.get_by_label("Markdown", exact=True)
    count = page.frame_locator(".st-key-edit_body_count iframe, iframe").first.locator("#count")
    expect(count).to_have_text(re.compile(r"[\d,]+ words"))
    before = int(count.inner_text().split()[0].replace(",", ""))
    box.click()
    box.press("Control+End")
    page.keyboard.type(" five more words typed here")
    expect(count).to_have_text(f"{before + 5:,} words")  # while typing, before the box loses focus
    expect(page.get_by_text("As WordPress will show it")).to_be_visible()
    axe_clean(page, "the writing surface")

    page.get_by_role("tab", name="Revise").last.click()
    page.get_by_placeholder("Tell the writer what to change…").fill("make it punchier")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Revision 2: \+\d+ / −\d+ words"))).to_be_visible(timeout=30_000)
    settle(page)
    shot(page, "writing-05-revise")
    axe_clean(page, "the revise panel")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text(re.compile(r"Turn 1 undone: revision 3"))).to_be_visible(timeout=20_000)
    settle(page)


def test_variants_side_by_side_in_the_browser(app, writer_server, new_page):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, app.url, "mara")
    brief(page, "Three ways to open a post on planning", 300)
    page.get_by_text("Variants side by side").click()
    writer_server.clear_requests()
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile("is the draft's text"))).to_be_visible(timeout=60_000)
    settle(page)
    streamed = [r for r in writer_server.chat_requests if r.stream]
    assert sorted(r.temperature for r in streamed) == [0.3, 0.9, 1.3]
    for n in (1, 2, 3):
        expect(page.get_by_text(f"Variant {n}", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ words · reading ease \d+")).first).to_be_visible()
    shot(page, "writing-06-variants")
    axe_clean(page, "variants side by side")
    page.get_by_role("button", name="Keep this one").first.click()
    expect(page.get_by_text(re.compile(r"Variant 2 kept as revision 2"))).to_be_visible(timeout=20_000)
