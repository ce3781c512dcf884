"""LLM faults as a person sees them in the browser: a clear message, a retry, nothing lost."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StudioApp
from tests.e2e.helpers import PASSWORD, settle, shot, sign_in

TOPIC = "Opening hours for the spring season"

FAULTS = [
    # (kind, options, what the person must read)
    ("429", {"retry_after": 0.1, "times": 1}, "limiting requests"),
    ("500", {"times": 1}, "HTTP 500"),
    ("timeout", {"seconds": 6, "times": 1}, "did not answer in time"),
    ("drop", {"after_chunks": 25}, "connection to the AI server dropped"),
    ("401", {}, "rejected the API key"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, model_server):  # type: ignore[no-untyped-def]
    """The app with a marketer already set up, talking to the local model server."""
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope

    tmp = tmp_path_factory.mktemp("studio-faults")
    engine = make_engine(f"sqlite:///{tmp / 'studio.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name="Mara Marketer")
    engine.dispose()
    app = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                          "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "3"}).start()
    yield app
    app.stop()


def fill_brief(page: Page) -> None:
    page.get_by_label("Topic", exact=True).fill(TOPIC)
    page.get_by_label("Audience", exact=True).fill("shop visitors")
    page.get_by_label("Keywords", exact=True).fill("hours, parking")


@pytest.mark.parametrize("kind,options,message", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_explained_and_retry_recovers(seeded, model_server, new_page, kind, options, message):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, seeded.url, "mara")
    fill_brief(page)
    model_server.clear_faults()
    model_server.fail_next(kind, endpoint="chat/completions", **options)
    page.get_by_role("button", name="Generate").click()

    error = page.get_by_test_id("stAlertContentError").filter(has_text=message)
    expect(error).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+, marked incomplete"))).to_be_visible()
    # The run goes on after the message (its last save and checks): until it ends, the form the
    # run before drew can still be on the page beside the new one.
    settle(page)
    # The brief is still there, as typed.
    expect(page.get_by_label("Topic", exact=True)).to_have_value(TOPIC)
    expect(page.get_by_label("Keywords", exact=True)).to_have_value("hours, parking")
    if kind == "drop":
        # The text that arrived before the cut is shown and kept.
        expect(page.get_by_text(re.compile(r"the brief and the text so far are kept"))).to_be_visible()
        assert len(page.locator(".st-key-draft_stream").inner_text()) > 20
    shot(page, f"fault-{kind}")

    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=30_000)
    settle(page)
    expect(error).to_have_count(0)
