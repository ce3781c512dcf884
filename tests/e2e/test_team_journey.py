"""One journey a real team makes, in Chromium: set-up, drafting, checks, review, approval, export."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
SHOTS = Path(os.environ.get("STUDIO_E2E_SHOTS", Path(__file__).resolve().parents[2] / "artifacts" / "screens"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a click started."""
    page.wait_for_timeout(150)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def go(page: Page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=label).click()
    settle(page)


def sign_in(page: Page, url: str, name: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible()
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(r"Signed in as"))).to_be_visible()
    settle(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(100)


def add_person(page: Page, name: str, display: str, role: str) -> None:
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add person"))
    roles = form.get_by_test_id("stMultiSelect")
    if role != "marketer":
        roles.get_by_role("button", name="Remove marketer").click()
        roles.get_by_role("combobox", name="Roles").click()
        page.get_by_role("option", name=role, exact=True).click()
        page.keyboard.press("Escape")
        expect(roles).to_contain_text(role)
    form.get_by_label("User name", exact=True).fill(name)
    form.get_by_label("Display name", exact=True).fill(display)
    form.get_by_label("Initial password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_text(f"Added {name}.")).to_be_visible()
    settle(page)


def test_team_journey(studio, model_server, new_page):  # type: ignore[no-untyped-def]
    page = new_page()

    # First start: only the first-admin form.
    page.goto(studio.url)
    expect(page.get_by_role("heading", name="Welcome to Content Studio")).to_be_visible()
    shot(page, "01-first-admin")
    page.get_by_label("User name", exact=True).fill("ada")
    page.get_by_label("Display name", exact=True).fill("Ada Admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create the first admin").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    settle(page)

    # The admin adds a marketer and an editor.
    go(page, "People")
    add_person(page, "mara", "Mara Marketer", "marketer")
    add_person(page, "dana", "Dana Editor", "editor")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("Dana Editor")
    shot(page, "02-people")
    sign_out(page)

    # The marketer drafts a blog post with the sliders moved and watches it stream in.
    sign_in(page, studio.url, "mara")
    expect(page.get_by_role("heading", name="New draft")).to_be_visible()
    expect(page.get_by_text("fake-gpt via 127.0.0.1")).to_be_visible()
    page.get_by_label("Topic", exact=True).fill("How a chairman can plan a content calendar")
    page.get_by_label("Audience", exact=True).fill("small marketing teams")
    page.get_by_label("Keywords", exact=True).fill("planning, SEO")
    sliders = page.get_by_role("slider")
    sliders.nth(0).focus()  # formality: balanced -> casual
    page.keyboard.press("ArrowRight")
    sliders.nth(1).focus()  # temperature: 0.70 -> 0.90
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    shot(page, "03-brief")
    model_server.clear_requests()
    page.get_by_role("button", name="Generate").click()

    stream_box = page.locator(".st-key-draft_stream")
    lengths = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if page.get_by_text(re.compile(r"Saved as draft #\d+")).count():
            break
        try:
            lengths.append(len(stream_box.inner_text(timeout=500)))
        except Exception:  # noqa: BLE001 - not rendered yet
            pass
        page.wait_for_timeout(120)
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+"))).to_be_visible()
    growing = [b for a, b in zip(lengths, lengths[1:]) if b > a > 0]
    assert len(growing) >= 2, f"text did not arrive in pieces: {lengths}"
    sent = [r for r in model_server.chat_requests if r.stream][-1].json
    assert sent["temperature"] == pytest.approx(0.9) and sent["stream"] is True
    assert "Formality: 4/5 (casual)" in sent["messages"][-1]["content"]
    shot(page, "04-generated")

    # My drafts: the findings are highlighted in place; the marketer submits.
    go(page, "My drafts")
    marks = page.locator("mark.finding")
    expect(marks.first).to_be_visible()
    assert "chairman" in " ".join(marks.all_inner_texts())
    shot(page, "05-findings")
    open_tab(page, "Review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    sign_out(page)

    # The editor requests changes.
    sign_in(page, studio.url, "dana")
    go(page, "Review queue")
    expect(page.get_by_text("In review: 1")).to_be_visible()
    shot(page, "06-queue")
    open_tab(page, "Review")
    page.get_by_text("Request changes").click()
    page.get_by_label("Comment", exact=True).fill("Please use a neutral title and add a call to action.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Request changes: recorded.")).to_be_visible()
    settle(page)
    sign_out(page)

    # The marketer revises and resubmits.
    sign_in(page, studio.url, "mara")
    go(page, "My drafts")
    open_tab(page, "Comments")
    expect(page.get_by_text("Please use a neutral title and add a call to action.")).to_be_visible()
    open_tab(page, "Edit")
    editor_box = page.get_by_label("Markdown", exact=True)
    editor_box.fill(editor_box.input_value().replace("chairman", "chair").replace("Chairman", "Chair")
                    + "\n\nBook a free planning session today.\n")
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_text(re.compile(r"Saved revision 2"))).to_be_visible()
    settle(page)
    open_tab(page, "Review")
    page.get_by_role("button", name="Resubmit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    sign_out(page)

    # The editor approves; the timeline shows it all.
    sign_in(page, studio.url, "dana")
    go(page, "Review queue")
    open_tab(page, "Review")
    page.get_by_label("Comment", exact=True).fill("Thanks, approved.")
    manual = page.get_by_text("I reviewed this manually")
    if manual.count():
        manual.click()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Approve: recorded.")).to_be_visible()
    settle(page)
    page.get_by_label("Status", exact=True).click()
    page.keyboard.type("Approved")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    open_tab(page, "Timeline")
    timeline = page.get_by_test_id("stDataFrame").last
    expect(timeline).to_be_visible()
    shot(page, "07-timeline")

    # Export: the approved post as a WordPress CSV, downloaded and parsed.
    go(page, "Export")
    page.get_by_text(re.compile(r"Select all \d+ shown")).click()
    settle(page)
    # The rerun the tick starts can begin after settle() looked: wait for what it draws last.
    expect(page.get_by_role("button", name=re.compile("Prepare export"))).to_be_enabled(timeout=30_000)
    expect(page.get_by_text(re.compile(r"The first 1 of 1 row"))).to_be_visible()
    page.wait_for_timeout(500)  # the preview grid paints after its frame arrives
    shot(page, "08-export")  # the selection, the format and the preview
    page.get_by_role("button", name=re.compile("Prepare export")).click()
    expect(page.get_by_text(re.compile(r"Export \d+ is ready"))).to_be_visible(timeout=60_000)
    settle(page)  # the rerun after the export: the past exports are drawn below
    expect(page.get_by_role("button", name=re.compile(r"^Download content-studio-"))).to_be_visible(timeout=60_000)
    # The button unpacks the file on click (a round trip to the server) before the browser
    # downloads it: generous timeouts for a loaded CI machine.
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download the file").click(timeout=60_000)
    data = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 1
    assert rows[0]["post_title"] and "<h2>" in rows[0]["post_content"]
    assert "Book a free planning session today." in rows[0]["post_content"]
    shot(page, "09-exported")
    # The stored copy (kept compressed) comes back from "Past exports" byte for byte.
    with page.expect_download(timeout=60_000) as again_info:
        page.get_by_role("button", name=re.compile(r"^Download content-studio-wordpress-.*\.csv$")).click(timeout=60_000)
    assert Path(again_info.value.path()).read_bytes() == Path(download_info.value.path()).read_bytes()
