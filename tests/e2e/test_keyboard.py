"""The team's journey with the keyboard alone, in Chromium: Tab to reach a control, then type,
Enter, Space or the arrow keys. No mouse click, no `fill`: if a control cannot be reached or
used with the keyboard, this test fails naming it.

First admin → People (a marketer and an editor) → a draft written and submitted → the editor
takes it, approves it → export and download → the marketer opens it from the inbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StudioApp, axe_clean
from tests.e2e.helpers import PASSWORD, settle, shot

# What the focused element is, as a person with a screen reader hears it: role and name.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {role: '', name: ''};
  const role = el.getAttribute('role') || ({A: 'link', BUTTON: 'button', TEXTAREA: 'textbox',
      SELECT: 'combobox'}[el.tagName]) || (el.tagName === 'INPUT' ? ({checkbox: 'checkbox',
      radio: 'radio'}[el.type] || 'textbox') : el.tagName.toLowerCase());
  const shown = node => {  // text without what is hidden from assistive technology (icon ligatures)
    const copy = node.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach(n => n.remove());
    return copy.textContent || '';
  };
  let name = el.getAttribute('aria-label') || '';
  if (!name && el.labels && el.labels.length) name = shown(el.labels[0]);
  if (!name) name = shown(el) || el.value || '';
  return {role, name: name.trim().replace(/\\s+/g, ' ')};
}"""


def tab_to(page: Page, role: str, name: str | re.Pattern[str], *, limit: int = 120) -> None:
    """Press Tab until the control with this role and name has the focus (once the page has
    finished drawing, as a person waits for it)."""
    settle(page)
    # Wait for the control to be drawn (a page's first table in a process loads pandas first).
    expect(page.get_by_role(role, name=name, exact=True) if isinstance(name, str)  # type: ignore[arg-type]
           else page.get_by_role(role, name=name)).not_to_have_count(0, timeout=60_000)  # type: ignore[arg-type]
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        got = page.evaluate(FOCUSED)
        hit = name.search(got["name"]) if isinstance(name, re.Pattern) else got["name"] == name
        if got["role"] == role and hit:
            return
        passed.append(f"{got['role']}:{got['name'][:40]}")
    raise AssertionError(f"Tab never reached the {role} {name!r}; it passed: {passed}")


def press(page: Page, role: str, name: str | re.Pattern[str], key: str = "Enter") -> None:
    tab_to(page, role, name)
    page.keyboard.press(key)


def type_into(page: Page, name: str, text: str, role: str = "textbox") -> None:
    tab_to(page, role, name)
    page.keyboard.type(text)


def start(page: Page) -> None:
    """Tab order from the top of the page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Escape")


def sign_in(page: Page, url: str, name: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible()
    settle(page)
    type_into(page, "User name", name)
    type_into(page, "Password", PASSWORD)
    press(page, "button", "Sign in")
    expect(page.get_by_text(re.compile(r"Signed in as"))).to_be_visible()
    settle(page)


def sign_out(page: Page) -> None:
    start(page)
    press(page, "button", "Sign out")
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible()


def go(page: Page, name: str | re.Pattern[str], heading: str) -> None:
    start(page)
    press(page, "link", name)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    settle(page)


# The draft's own tab bar (its Edit tab holds another: Rendered, As WordPress will show it, …).
DRAFT_TABS = re.compile("^(Text and checks|Edit|Revise|Sections|Alternatives|Publishing|Review|Sources and claims|"
                        "Comments|Revisions|Timeline|How it was made)$")


def open_tab(page: Page, name: str) -> None:
    """Tabs as ARIA has them: Tab reaches the selected tab, the arrow keys move to the others."""
    start(page)
    tab_to(page, "tab", DRAFT_TABS)
    for _ in range(30):
        got = page.evaluate(FOCUSED)
        if got == {"role": "tab", "name": name}:
            break
        if got["role"] != "tab" or not DRAFT_TABS.match(got["name"]):
            # The rerun a tab change starts redrew the bar: Tab back to it, as a person would.
            start(page)
            tab_to(page, "tab", DRAFT_TABS)
            continue
        page.keyboard.press("ArrowRight")
        settle(page)  # the focused tab is the selected one, and choosing a tab reruns the page
    assert page.evaluate(FOCUSED) == {"role": "tab", "name": name}
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


@pytest.fixture(scope="module")
def studio(tmp_path_factory, model_server) -> Iterator[StudioApp]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("studio-keyboard")
    app = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                          "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "5"}).start()  # fmt: skip
    yield app
    app.stop()


def test_the_whole_journey_with_the_keyboard_alone(studio, new_page):  # type: ignore[no-untyped-def]
    log_start = studio.log_size()
    page = new_page()
    page.goto(studio.url)
    expect(page.get_by_role("heading", name="Welcome to Content Studio")).to_be_visible()
    settle(page)

    # The first admin.
    type_into(page, "User name", "ada")
    type_into(page, "Display name", "Ada Admin")
    type_into(page, "Password", PASSWORD)
    type_into(page, "Repeat password", PASSWORD)
    press(page, "button", "Create the first admin")
    expect(page.get_by_text("Next step: add your team.")).to_be_visible()
    settle(page)

    # People: a marketer (the default role) and an editor (roles chosen in the list by typing).
    press(page, "link", "Add your team on People")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    settle(page)
    type_into(page, "User name", "mara")
    type_into(page, "Display name", "Mara Marketer")
    type_into(page, "E-mail (optional)", "mara@example.com")
    type_into(page, "Initial password", PASSWORD)
    press(page, "button", "Add person")
    expect(page.get_by_text("Added mara.")).to_be_visible()
    settle(page)
    start(page)
    type_into(page, "User name", "dana")
    type_into(page, "Display name", "Dana Editor")
    type_into(page, "Initial password", PASSWORD)
    tab_to(page, "combobox", "Roles")
    page.keyboard.press("Backspace")  # takes "marketer" off
    page.keyboard.type("editor")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    press(page, "button", "Add person")
    expect(page.get_by_text("Added dana.")).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("Dana Editor")
    sign_out(page)

    # The marketer writes a draft and submits it.
    sign_in(page, studio.url, "mara")
    type_into(page, "Topic", "How small teams plan a content calendar")
    press(page, "button", "Generate")
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+"))).to_be_visible(timeout=30_000)
    settle(page)
    go(page, "My drafts", "My drafts")
    open_tab(page, "Review")
    press(page, "button", "Submit for review")
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    settle(page)
    sign_out(page)

    # The editor takes the draft from the queue and approves it.
    sign_in(page, studio.url, "dana")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    open_tab(page, "Review")
    press(page, "button", "Review this draft")
    expect(page.get_by_text(re.compile(r"You review .* now\."))).to_be_visible()
    settle(page)
    expect(page.get_by_text("You are reviewing it.")).to_be_visible()
    open_tab(page, "Review")
    press(page, "radio", "Approve", key="Space")  # nothing is chosen in advance
    if page.get_by_text("I reviewed this manually").count():
        press(page, "checkbox", "I reviewed this manually", key="Space")
    type_into(page, "Comment", "Good to go.")
    press(page, "button", "Record decision")
    expect(page.get_by_text(re.compile(r"Approved .*\. The queue is empty"))).to_be_visible()
    settle(page)

    # Export: select all, export, download.
    go(page, "Export", "Export")
    press(page, "button", "Select all 1")
    settle(page)
    expect(page.get_by_text("1 of 1 selected.", exact=False)).to_be_visible()
    press(page, "button", "Export 1 draft")
    expect(page.get_by_text(re.compile(r"Export \d+ is done"))).to_be_visible(timeout=60_000)
    settle(page)
    start(page)
    tab_to(page, "button", "Download the file")
    with page.expect_download(timeout=60_000) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
    shot(page, "kb-exported")
    sign_out(page)

    # The marketer opens the draft from the inbox.
    sign_in(page, studio.url, "mara")
    go(page, re.compile(r"^Inbox · 2 new$"), "Inbox")
    axe_clean(page, "inbox (keyboard journey)")
    press(page, "button", re.compile(r"^Open draft #\d+$"))
    expect(page.get_by_role("heading", name="My drafts")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Dana Editor approved it and it was exported", exact=False)).to_be_visible()

    problems = studio.log_problems(log_start)
    assert not problems, "the server log has problems:\n" + "\n".join(problems[:40])
