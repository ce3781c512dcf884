"""One journey a real team makes, in Chromium: set-up, people, workspace settings, drafting,
submitting and withdrawing, assigning a reviewer, the inbox (in the app and by e-mail), a request
for changes as the marketer sees it, approval, export, and the audit trail.

Every page on the way is checked with axe-core; the app may make no request beyond its own
server (conftest's `new_page` fails the test otherwise), and the server log must stay free of
tracebacks, warnings and deprecation notices.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studio.checks.policy import ACKNOWLEDGEMENTS
from tests.e2e.conftest import StudioApp, axe_clean
from tests.e2e.helpers import PASSWORD, go, menu_link, open_tab, settle, shot, sign_in, sign_out
from tests.support.smtp import LocalSMTP

__all__ = ["PASSWORD", "go", "open_tab", "settle", "shot", "sign_in", "sign_out"]

COMMENT = "Please use a neutral title and add a call to action."
ACK_LABELS = [a.label for a in ACKNOWLEDGEMENTS.values()]


@pytest.fixture(scope="module")
def smtp() -> Iterator[LocalSMTP]:
    with LocalSMTP() as server:
        yield server


@pytest.fixture(scope="module")
def studio(tmp_path_factory, model_server, smtp) -> Iterator[StudioApp]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("studio-journey")
    app = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                          "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "5",
                          "STUDIO_APP_URL": "http://studio.example.test", **smtp.env()}).start()  # fmt: skip
    yield app
    app.stop()


def add_person(page: Page, name: str, display: str, role: str, email: str = "") -> None:
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
    form.get_by_label("E-mail (optional)", exact=True).fill(email)
    form.get_by_label("Initial password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_text(f"Added {name}.")).to_be_visible()
    settle(page)


def checked(page: Page, where: str) -> None:
    """The page has settled: screenshot it and run axe-core on it."""
    settle(page)
    page.wait_for_timeout(300)  # grids paint after their frame arrives
    shot(page, where)
    axe_clean(page, where)


def generate(page: Page, topic: str) -> None:
    page.get_by_label("Topic", exact=True).fill(topic)
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+"))).to_be_visible(timeout=30_000)
    settle(page)


def test_team_journey(studio, model_server, smtp, new_page):  # type: ignore[no-untyped-def]
    log_start = studio.log_size()
    page = new_page()

    # First start: only the first-admin form.
    page.goto(studio.url)
    expect(page.get_by_role("heading", name="Welcome to Content Studio")).to_be_visible()
    checked(page, "01-first-admin")
    page.get_by_label("User name", exact=True).fill("ada")
    page.get_by_label("Display name", exact=True).fill("Ada Admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create the first admin").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()

    # The landing page says what comes next, with a link to People.
    expect(page.get_by_text("Next step: add your team.")).to_be_visible()
    checked(page, "02-landing-next-step")
    page.get_by_role("link", name="Add your team on People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    settle(page)

    # A refused form keeps what was typed; then the team is added, with e-mail addresses.
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add person"))
    form.get_by_label("User name", exact=True).fill("mara")
    form.get_by_label("Display name", exact=True).fill("Mara Marketer")
    form.get_by_label("E-mail (optional)", exact=True).fill("mara@")
    form.get_by_label("Initial password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_text(re.compile("is not an e-mail address"))).to_be_visible()
    settle(page)
    expect(form.get_by_label("User name", exact=True)).to_have_value("mara")
    expect(form.get_by_label("Display name", exact=True)).to_have_value("Mara Marketer")
    expect(form.get_by_label("Initial password", exact=True)).to_have_value(PASSWORD)
    form.get_by_label("E-mail (optional)", exact=True).fill("mara@example.com")
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Added mara.")).to_be_visible()
    settle(page)
    expect(form.get_by_label("User name", exact=True)).to_have_value("")  # emptied once added
    add_person(page, "dana", "Dana Editor", "editor", "dana@example.com")
    add_person(page, "eve", "Eve Editor", "editor", "eve@example.com")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("mara@example.com")
    checked(page, "03-people")

    # Workspace settings: the site time zone, kept in the database.
    go(page, "Settings")
    expect(page.get_by_text('export OPENAI_API_KEY="sk-..."')).to_be_visible()
    box = page.locator(".st-key-workspace_studio_site_timezone_box")
    box.get_by_role("combobox", name="Site time zone").click()
    page.keyboard.type("Europe/Berlin")
    page.keyboard.press("Enter")
    box.get_by_role("button", name="Save site time zone").click()
    expect(page.get_by_text("Site time zone: saved (Europe/Berlin).")).to_be_visible()
    checked(page, "04-settings")
    sign_out(page)

    # The marketer drafts a post, submits it, withdraws it (nobody had started) and submits again.
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible()
    checked(page, "05-sign-in")
    sign_in(page, studio.url, "mara")
    expect(page.get_by_text("Next step: add your team.")).to_have_count(0)  # admins only
    generate(page, "How a chairman can plan a content calendar")
    go(page, "My drafts")
    marks = page.locator("mark.finding")
    expect(marks.first).to_be_visible()
    checked(page, "05-my-drafts")
    open_tab(page, "Review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Waiting for an editor to pick it up.")).to_be_visible()
    open_tab(page, "Review")
    page.get_by_role("button", name="Withdraw from review").click()
    expect(page.get_by_text(re.compile(r"Withdrawn: .* is a draft again"))).to_be_visible()
    settle(page)
    expect(page.get_by_text("Withdrawn from review: change it and submit it again when it is ready.")).to_be_visible()
    open_tab(page, "Review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    sign_out(page)

    # Dana (editor) opens the queue: the draft is picked in the table and open below; the checks
    # read as words. She gives it to Eve.
    sign_in(page, studio.url, "dana")
    go(page, "Review queue")
    expect(page.get_by_text("In review: 1")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).not_to_contain_text(re.compile(r"\b(warn|block|pass|unavailable)\b"))
    expect(page.get_by_role("heading", name=re.compile("chair", re.IGNORECASE))).to_be_visible()
    checked(page, "06-queue")
    open_tab(page, "Review")
    page.get_by_role("combobox", name="Assign to").click()
    page.keyboard.type("Eve")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text(re.compile(r"Eve Editor reviews .* now\."))).to_be_visible()
    settle(page)
    expect(page.get_by_text("Eve Editor is reviewing it.")).to_be_visible()
    sign_out(page)

    # Eve finds it in her inbox (and her e-mail), opens it from there and requests changes.
    mail = smtp.wait_for(lambda rcpt, m: rcpt == ["eve@example.com"])
    assert mail["Subject"].startswith("[Content Studio] Dana Editor assigned “")
    assert "http://studio.example.test/inbox" in mail.get_content()
    sign_in(page, studio.url, "eve")
    expect(menu_link(page, "Inbox · 1 new")).to_be_visible()
    go(page, re.compile("^Inbox"))
    expect(page.get_by_text("Assigned to you")).to_be_visible()
    expect(page.get_by_text("New", exact=True)).to_be_visible()  # unread, in words
    checked(page, "07-inbox-editor")
    page.get_by_role("button", name=re.compile(r"Open draft #\d+")).click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    settle(page)
    expect(menu_link(page, "Inbox")).to_be_visible()  # opening the draft read the entry
    open_tab(page, "Review")
    page.get_by_text("Request changes").click()
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(re.compile(r"Changes requested for .*\. The queue is empty"))).to_be_visible()
    settle(page)
    checked(page, "08-queue-empty")
    sign_out(page)

    # The marketer sees the request for changes on the draft itself, not only under Comments.
    mail = smtp.wait_for(lambda rcpt, m: rcpt == ["mara@example.com"])
    assert "Eve Editor requested changes to" in mail["Subject"] and COMMENT in mail.get_content()
    sign_in(page, studio.url, "mara")
    go(page, re.compile("^Inbox"))
    expect(page.get_by_text("Changes requested", exact=True)).to_be_visible()
    expect(page.get_by_text(f"“{COMMENT}”")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Open draft #\d+")).click()
    expect(page.get_by_role("heading", name="My drafts")).to_be_visible()
    settle(page)
    state = page.locator("[class*='st-key-review_state_']")
    expect(state).to_contain_text("Changes requested")
    expect(state).to_contain_text("Eve Editor requested changes: it is back with you to revise and resubmit.")
    expect(state).to_contain_text("Latest request for changes from Eve Editor")
    expect(state).to_contain_text(COMMENT)
    checked(page, "09-marketer-changes-requested")
    open_tab(page, "Edit")
    editor_box = page.get_by_label("Markdown", exact=True)
    editor_box.fill(editor_box.input_value().replace("chairman", "chair").replace("Chairman", "Chair")
                    + "\n\nBook a free planning session today.\n")
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_text(re.compile(r"Saved revision 2"))).to_be_visible()
    settle(page)
    open_tab(page, "Revisions")
    # The comparison follows the newest revision.
    expect(page.get_by_role("combobox", name="From")).to_have_value("1")
    expect(page.get_by_role("combobox", name="To")).to_have_value("2")
    open_tab(page, "Review")
    page.get_by_role("button", name="Resubmit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Eve Editor is reviewing it.")).to_be_visible()  # back to the same reviewer
    sign_out(page)

    # Eve approves from the queue; the queue then says it is empty; the timeline reads in words.
    sign_in(page, studio.url, "eve")
    expect(menu_link(page, "Inbox · 1 new")).to_be_visible()  # "resubmitted"
    go(page, "Review queue")
    open_tab(page, "Timeline")
    timeline = page.get_by_test_id("stTable").filter(has_text="When (UTC)")
    expect(timeline).to_contain_text("Changes requested → In review")
    expect(timeline).to_contain_text("Withdrawn from review")
    expect(timeline).to_contain_text("Reviewer assigned")
    open_tab(page, "Review")
    expect(page.get_by_text("What will ship")).to_be_visible()
    page.get_by_role("button", name="Record decision").click()  # nothing is chosen in advance
    expect(page.get_by_text("Choose a decision first")).to_be_visible()
    settle(page)
    open_tab(page, "Review")  # the refusal is a message above the draft; the tabs start again
    page.get_by_text("Approve", exact=True).first.click()
    page.get_by_label("Comment", exact=True).fill("Thanks, approved.")
    manual = page.get_by_text("I reviewed this manually")
    if manual.count():
        manual.click()
    for ack in ACK_LABELS:  # every category the checks warned about is ticked by the editor
        box = page.get_by_text(ack, exact=True)
        if box.count():
            box.first.click()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(re.compile(r"Approved .*\. The queue is empty: no other draft is waiting here\."))).to_be_visible()
    settle(page)

    # Export: the approved post as a WordPress CSV, downloaded and parsed.
    go(page, "Export")
    expect(page.get_by_text("Site time zone: Europe/Berlin (admins change it on Settings).")).to_be_visible()
    page.get_by_role("button", name="Select all 1").click()
    settle(page)
    expect(page.get_by_text("1 of 1 selected.", exact=False)).to_be_visible()
    export_button = page.get_by_role("button", name="Export 1 draft")
    expect(export_button).to_be_enabled(timeout=30_000)
    expect(page.get_by_text(re.compile(r"The first 1 of 1 row"))).to_be_visible()
    expect(page.get_by_text(re.compile("the file stays downloadable under Past exports"))).to_be_visible()
    checked(page, "10-export")
    export_button.click()
    done = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Export \d+ is done"))
    expect(done).to_be_visible(timeout=60_000)
    settle(page)
    expect(done).to_contain_text("1 draft is marked exported")
    expect(done).not_to_contain_text("SHA-256")  # the hash is under Details
    page.get_by_text("Details").click()
    expect(page.get_by_text(re.compile(r"SHA-256: [0-9a-f]{64}"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"The approved drafts were exported \(export \d+\); none is waiting now"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Download content-studio-"))).to_be_visible(timeout=60_000)
    checked(page, "11-exported")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download the file").click(timeout=60_000)
    data = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 1
    assert rows[0]["post_title"] and "<h2>" in rows[0]["post_content"]
    # Every field reflects the edited text, and the CMS prints the title: the body has no H1.
    assert not [k for k, v in rows[0].items() if "chairman" in v.lower()], rows[0]
    assert "<h1>" not in rows[0]["post_content"]
    assert "Book a free planning session today." in rows[0]["post_content"]
    assert rows[0]["post_author"] == "mara@example.com"  # the author's e-mail, not the display name
    with page.expect_download(timeout=60_000) as again_info:
        page.get_by_role("button", name=re.compile(r"^Download content-studio-wordpress-.*\.csv$")).click(timeout=60_000)
    assert Path(again_info.value.path()).read_bytes() == Path(download_info.value.path()).read_bytes()
    sign_out(page)

    # The marketer's inbox has the approval and the export.
    sign_in(page, studio.url, "mara")
    expect(menu_link(page, "Inbox · 2 new")).to_be_visible()
    go(page, re.compile("^Inbox"))
    expect(page.get_by_text("Exported", exact=True)).to_be_visible()
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("Everything is marked as read.")).to_be_visible()
    settle(page)
    expect(menu_link(page, "Inbox")).to_be_visible()
    sign_out(page)

    # The admin's audit trail filters by what happened, in words, and shows labels.
    sign_in(page, studio.url, "ada")
    go(page, "Audit trail")
    page.get_by_label("What happened").click()
    page.keyboard.type("Reviewer assigned")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_text("1 events; newest 500 shown.", exact=False)).to_be_visible()
    checked(page, "12-audit-trail")
    go(page, "Inbox")
    checked(page, "13-inbox-admin")

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(smtp.received()) < 5:
        time.sleep(0.1)
    problems = studio.log_problems(log_start)
    assert not problems, "the server log has problems:\n" + "\n".join(problems[:40])
