"""What the browser tests share: signing in, the menu, waiting for Streamlit, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery"
SHOTS = Path(os.environ.get("STUDIO_E2E_SHOTS", Path(__file__).resolve().parents[2] / "artifacts" / "screens"))


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a click started."""
    page.wait_for_timeout(150)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    # Elements of the last run fade while a rerun is on its way: wait until none is stale.
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=30_000)


def menu_link(page: Page, label: str | re.Pattern[str]) -> Locator:
    return page.get_by_test_id("stSidebar").get_by_role("link", name=label)


def go(page: Page, label: str | re.Pattern[str]) -> None:
    menu_link(page, label).click()
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
