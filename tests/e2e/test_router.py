"""No page runs without app.py's router, in Chromium: the first request of a fresh server process
for any page URL, and a tab left open across a restart.

Streamlit takes the `pages/` folder for old-style pages (each file a page, listed in the
sidebar, run directly) until st.navigation has run once in the process, so each cold case needs
its own server process: the app is restarted, same port and database, before each of them.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import StudioApp
from tests.e2e.helpers import PASSWORD, settle, shot

URLS = ["/draft", "/my_drafts", "/review_queue", "/export", "/voices", "/sources", "/settings", "/admin_users",
        "/audit_log", "/batches", "/calendar", "/dashboard", "/usage", "/setup", "/sign_in", "/"]  # fmt: skip

# The sidebar entries Streamlit makes from the files in pages/ (and app.py) while it takes the
# folder for old-style pages; the router's menu uses titles, never these.
FILE_LIST = ["app", "admin users", "audit log", "batches", "calendar", "dashboard", "draft", "export", "inbox",
             "my drafts", "prompts", "review queue", "settings", "setup", "sign in", "sources", "usage", "voices"]  # fmt: skip

FIRST_ADMIN_FORM = {
    "Welcome to Content Studio",
    "There are no accounts yet. Create the first admin; you can add marketers and editors afterwards.",
    "User name", "Display name", "Password", "Repeat password", "Create the first admin",
}  # fmt: skip
SIGN_IN_FORM = {"Sign in to Content Studio", "User name", "Password", "Sign in"}

MARKETER_PAGES = ["New draft", "My drafts", "Batches", "Calendar", "Inbox", "Brand voices", "Sources", "Settings"]
EDITOR_PAGES = ["Review queue", "Export", "Dashboard", "Calendar", "Inbox", "Brand voices", "Sources", "Settings",
                "Prompt versions"]
ADMIN_PAGES = ["New draft", "My drafts", "Batches", "Review queue", "Export", "Dashboard", "Calendar", "Inbox",
               "Brand voices", "Sources", "Settings", "Prompt versions", "People", "Usage & budgets",
               "Audit trail"]  # fmt: skip

# Records, from the first byte the browser renders, what was ever on screen: the texts in the
# main area, whether Streamlit's file list was shown and for how long, whether it was ever shown
# next to anything in the main area, exceptions and dialogs. `__studioSeen.mark()` starts a new
# record that leaves out what is already on screen (a tab that outlives its server keeps its last
# page until the new process answers).
OBSERVER = """
(() => {
  const FILES = new Set(FILE_LIST);
  const texts = root => root ? [...root.querySelectorAll(
      'h1, h2, h3, label, [data-testid^=stBaseButton], [data-testid=stMarkdownContainer], ' +
      '[data-testid=stAlert], [data-testid=stException]')]
      .map(e => e.innerText.trim()).filter(Boolean) : [];
  const navEntries = () => [...document.querySelectorAll('[data-testid=stSidebarNav] a')]
      .map(a => a.innerText.trim().split('\\n').pop().trim());
  const seen = window.__studioSeen = {
    main: [], dialogs: [], exceptions: 0, fileList: false, fileListBesideContent: false,
    fileListMs: 0, since: null, baseline: new Set(),
    mark() {
      this.main = []; this.dialogs = []; this.exceptions = 0; this.fileList = false;
      this.fileListBesideContent = false; this.fileListMs = 0; this.since = null;
      this.baseline = new Set(texts(document.querySelector('[data-testid=stMain]')));
    },
  };
  const record = () => {
    const main = texts(document.querySelector('[data-testid=stMain]'));
    for (const t of main) if (!seen.baseline.has(t) && !seen.main.includes(t)) seen.main.push(t);
    const fileList = navEntries().some(t => FILES.has(t));
    if (fileList) {
      seen.fileList = true;
      if (seen.since === null) seen.since = performance.now();
      if (main.length) seen.fileListBesideContent = true;
    } else if (seen.since !== null) {
      seen.fileListMs += performance.now() - seen.since; seen.since = null;
    }
    seen.exceptions += document.querySelectorAll('[data-testid=stException]').length;
    for (const d of document.querySelectorAll('[role=dialog]')) {
      const t = d.innerText.trim(); if (t && !seen.dialogs.includes(t)) seen.dialogs.push(t);
    }
  };
  new MutationObserver(record).observe(document, {subtree: true, childList: true, characterData: true});
})();
""".replace("FILE_LIST", repr(FILE_LIST).replace("'", '"'))


def watched(new_page) -> Page:  # type: ignore[no-untyped-def]
    page = new_page()
    page.context.add_init_script(OBSERVER)
    return page


def seen(page: Page) -> dict:
    return page.evaluate(
        "(() => { const s = window.__studioSeen; return {main: s.main, dialogs: s.dialogs, "
        "exceptions: s.exceptions, fileList: s.fileList, fileListMs: s.fileListMs, "
        "fileListBesideContent: s.fileListBesideContent}; })()"
    )


def expect_menu(page: Page, titles: list[str]) -> None:
    """The router's sidebar menu shows exactly these pages, in this order (waits for it)."""
    # A link's text starts with its icon's name (Material icons are ligatures), then the title.
    wanted = [re.compile(rf"{re.escape(t)}$") for t in titles]
    expect(page.get_by_test_id("stSidebar").get_by_role("link")).to_have_text(wanted, timeout=30_000)


def menu(page: Page) -> list[str]:
    entries = page.get_by_test_id("stSidebar").get_by_role("link").all_inner_texts()
    return [e.strip().split("\n")[-1].strip() for e in entries]





def lands_on(page: Page, title: str) -> None:
    """The page's title shows (a cold process may take a moment to load a page's modules)."""
    expect(page.get_by_test_id("stMain").locator("h1")).to_have_text([title], timeout=30_000)
    settle(page)


def sign_in_here(page: Page, name: str) -> None:
    """Sign in on the form the tab shows (not at the root: the URL asked for matters)."""
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # After a restart the first sign-in loads every page's modules in the new process.
    expect(page.get_by_text(re.compile(r"Signed in as"))).to_be_visible(timeout=60_000)
    settle(page)


def only_the_form(page: Page, form: set[str], what: str) -> None:
    """Everything the tab ever showed in this record belongs to `form`; no file list beside it."""
    page.wait_for_timeout(500)  # a late rerun would show up here
    record = seen(page)
    print(f"{what}: Streamlit's file list {'shown' if record['fileList'] else 'not shown'}"
          f" for {record['fileListMs']:.0f} ms before the router's first message")
    assert set(record["main"]) <= form, f"{what}: more than the form was shown: {record['main']}"
    assert "Please sign in." not in record["main"]
    assert not record["fileListBesideContent"], f"{what}: the pages/ file list was shown with content"
    assert record["exceptions"] == 0 and not record["dialogs"], record
    assert menu(page) == [], f"{what}: a menu for someone not signed in: {menu(page)}"
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def cold_request(app: StudioApp, new_page, url: str, heading: str) -> Page:  # type: ignore[no-untyped-def]
    """`url` as the first request of a new server process; returns the tab once the form shows."""
    app.restart()
    page = watched(new_page)
    page.goto(app.url + url)
    # A cold process imports the page's modules first; on a loaded machine that takes a while.
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
    expect(page.get_by_label("User name", exact=True)).to_be_visible(timeout=30_000)
    settle(page)
    return page


def people_db(tmp) -> None:  # type: ignore[no-untyped-def]
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope

    engine = make_engine(f"sqlite:///{tmp / 'studio.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD, display_name="Ada Admin")
        add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name="Mara Marketer")
        add_user(s, admin, "dana", PASSWORD, ["editor"], display_name="Dana Editor")
    engine.dispose()


@pytest.fixture(scope="module")
def new_install(tmp_path_factory):  # type: ignore[no-untyped-def]
    app = StudioApp(tmp_path_factory.mktemp("router-new"), {})
    yield app
    app.stop()


@pytest.fixture(scope="module")
def team(tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("router-team")
    people_db(tmp)
    app = StudioApp(tmp, {})
    yield app
    app.stop()


@pytest.fixture
def clean_log(request):  # type: ignore[no-untyped-def]
    """Fails the test when the server logged a traceback or an error while it ran."""
    names = [name for name in ("new_install", "team") if name in request.fixturenames]
    marks = [(app, app.log_size()) for app in map(request.getfixturevalue, names)]
    yield
    for app, since in marks:
        problems = app.log_problems(since)
        assert not problems, "server log:\n" + "\n".join(problems)


@pytest.mark.parametrize("url", URLS)
def test_a_new_install_shows_only_the_first_admin_form_whatever_the_first_request(
    new_install, new_page, clean_log, url
):  # type: ignore[no-untyped-def]
    page = cold_request(new_install, new_page, url, "Welcome to Content Studio")
    shot(page, f"router-new-install-{url.strip('/') or 'root'}")
    only_the_form(page, FIRST_ADMIN_FORM, url)


# Who signs in after asking for which URL, and what they must land on: the page asked for when
# their roles include it, their first page otherwise.
LANDINGS = {
    "/draft": ("mara", "New draft", MARKETER_PAGES),
    "/my_drafts": ("mara", "My drafts", MARKETER_PAGES),
    "/review_queue": ("dana", "Review queue", EDITOR_PAGES),
    "/export": ("dana", "Export", EDITOR_PAGES),
    "/voices": ("dana", "Brand voices", EDITOR_PAGES),
    "/sources": ("mara", "Sources", MARKETER_PAGES),
    "/settings": ("mara", "Settings", MARKETER_PAGES),
    "/admin_users": ("dana", "Review queue", EDITOR_PAGES),
    "/audit_log": ("mara", "New draft", MARKETER_PAGES),
    "/batches": ("mara", "Batches", MARKETER_PAGES),
    "/calendar": ("dana", "Calendar", EDITOR_PAGES),
    "/dashboard": ("mara", "New draft", MARKETER_PAGES),
    "/usage": ("dana", "Review queue", EDITOR_PAGES),
    "/setup": ("mara", "New draft", MARKETER_PAGES),
    "/sign_in": ("dana", "Review queue", EDITOR_PAGES),
    "/": ("ada", "New draft", ADMIN_PAGES),
}


@pytest.mark.parametrize("url", URLS)
def test_with_people_any_first_request_shows_only_the_sign_in_form_then_the_page_allowed(
    team, new_page, clean_log, url
):  # type: ignore[no-untyped-def]
    page = cold_request(team, new_page, url, "Sign in to Content Studio")
    shot(page, f"router-sign-in-{url.strip('/') or 'root'}")
    only_the_form(page, SIGN_IN_FORM, url)

    name, title, pages = LANDINGS[url]
    sign_in_here(page, name)
    lands_on(page, title)
    expect_menu(page, pages)
    assert not seen(page)["dialogs"]


LATER = [("/review_queue", "dana", "Review queue"), ("/audit_log", "mara", "New draft"),
         ("/export", "mara", "New draft"), ("/admin_users", "ada", "People")]  # fmt: skip


def test_a_page_url_opened_later_in_the_process_also_lands_where_allowed(
    team, new_page, clean_log
):  # type: ignore[no-untyped-def]
    team.running()
    first = watched(new_page)
    first.goto(team.url)  # whatever ran before, this process has routed a request now
    expect(first.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=60_000)

    for url, name, title in LATER:
        page = watched(new_page)
        page.goto(team.url + url)
        expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=60_000)
        settle(page)
        only_the_form(page, SIGN_IN_FORM, url)
        sign_in_here(page, name)
        lands_on(page, title)
        assert not seen(page)["dialogs"], url


def test_the_first_admin_created_after_asking_for_the_people_page_lands_on_it(
    tmp_path, new_page
):  # type: ignore[no-untyped-def]
    app = StudioApp(tmp_path, {})
    try:
        page = cold_request(app, new_page, "/admin_users", "Welcome to Content Studio")
        only_the_form(page, FIRST_ADMIN_FORM, "/admin_users")
        page.get_by_label("User name", exact=True).fill("ada")
        page.get_by_label("Display name", exact=True).fill("Ada Admin")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Create the first admin").click()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        settle(page)
        lands_on(page, "People")
        expect_menu(page, ADMIN_PAGES)
    finally:
        app.stop()
    assert not app.log_problems(), app.log_problems()


@pytest.mark.parametrize("name,path,title", [("dana", "review_queue", "Review queue"), ("mara", "draft", "New draft")])
def test_a_bookmark_of_ones_first_page_opens_it_under_its_own_url(
    team, new_page, clean_log, name, path, title
):  # type: ignore[no-untyped-def]
    # Signing in at the root shows the person's first page.
    team.restart()
    page = watched(new_page)
    page.goto(team.url)
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=60_000)
    sign_in_here(page, name)
    lands_on(page, title)
    # That URL, opened again later (a bookmark; the session cookie signs the person in), is the
    # page itself: no "page not found".
    deadline = time.monotonic() + 20
    while not any(c["name"] == "studio_session" for c in page.context.cookies()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert any(c["name"] == "studio_session" for c in page.context.cookies())
    page.goto(f"{team.url}/{path}")
    lands_on(page, title)
    page.wait_for_timeout(500)
    assert not seen(page)["dialogs"], seen(page)["dialogs"]
    assert urlsplit(page.url).path.strip("/") == path


TITLES = {"draft": "New draft", "my_drafts": "My drafts", "review_queue": "Review queue",
          "export": "Export", "settings": "Settings", "admin_users": "People",
          "audit_log": "Audit trail"}  # fmt: skip


def after_restart(app: StudioApp, page: Page, target, what: str) -> None:  # type: ignore[no-untyped-def]
    """Restart the server under the open tab and click `target` in it: the router answers.

    A tab that reconnects while its last run had not quite finished reruns by itself; then
    that rerun, not the click, is the tab's first request to the new process.
    """
    status = page.get_by_test_id("stStatusWidget")
    app.stop()
    expect(status).to_contain_text(re.compile("connecting", re.IGNORECASE), timeout=30_000)
    app.start()
    expect(status).to_have_count(0, timeout=60_000)  # the tab is connected to the new process
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=30_000)
    page.evaluate("window.__studioSeen.mark()")
    try:
        target.click(timeout=3_000)
    except PlaywrightTimeoutError:
        print(f"{what}: the tab reran by itself on reconnecting")
    expect(page.get_by_role("heading", name="Sign in to Content Studio")).to_be_visible(timeout=60_000)
    settle(page)
    shot(page, f"router-after-restart-{what}")
    page.wait_for_timeout(500)
    record = seen(page)
    assert set(record["main"]) <= SIGN_IN_FORM, f"{what}: {record['main']}"
    assert "Please sign in." not in record["main"]
    assert record["exceptions"] == 0 and not record["dialogs"], record
    assert menu(page) == [], f"{what}: {menu(page)}"
    # A reconnecting tab may keep an empty sidebar panel from the page it showed; nothing in it.
    expect(page.get_by_test_id("stSidebar").get_by_role("link")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_tab_open_across_a_restart_reaches_pages_only_through_the_router(
    team, new_page, clean_log
):  # type: ignore[no-untyped-def]
    team.restart()
    page = watched(new_page)
    page.goto(team.url)
    sign_in_here(page, "dana")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Export").click()
    lands_on(page, "Export")

    # Sessions do not survive a restart: the next click, here on another page's link, shows the
    # sign-in form under that page's URL; signing in lands on the page of that URL.
    settings_link = page.get_by_test_id("stSidebar").get_by_role("link", name="Settings")
    after_restart(team, page, settings_link, "link")
    asked = urlsplit(page.url).path.strip("/")
    assert asked in {"settings", "export"}, page.url
    sign_in_here(page, "dana")
    lands_on(page, TITLES[asked])
    expect_menu(page, EDITOR_PAGES)

    # The same for a widget of the page the tab shows.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Settings").click()
    lands_on(page, "Settings")
    after_restart(team, page, page.get_by_role("button", name="Test connection"), "widget")
    assert urlsplit(page.url).path.strip("/") == "settings"
    sign_in_here(page, "dana")
    lands_on(page, "Settings")
    expect_menu(page, EDITOR_PAGES)
