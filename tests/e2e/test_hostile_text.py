"""Hostile text from people and the model, shown in every place it appears, makes the browser
fetch nothing from anywhere but the studio itself.

A listener on another loopback address (127.0.0.2) stands for an outside server; the text
points remote images, raw HTML and data:/javascript: links at it. The test fails on any request
the page makes to a host other than the app's (each is recorded and blocked), on any hit the
listener receives, and on any live image or data:/javascript: link in the page. Places covered:
the stream right after generation, the draft as shown later, the brief table (topic, audience,
keywords), revision labels and the "Signed in as" line (display names), the incomplete-draft
warning and caption, and the error text an AI server sent.
"""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StudioApp
from tests.e2e.test_team_journey import PASSWORD, go, open_tab, settle, shot, sign_in

PIXEL = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


class Listener:
    """An "outside" server: records every request it gets and answers with a 1-pixel PNG."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(PIXEL)))
                self.end_headers()
                self.wfile.write(PIXEL)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.base = f"http://127.0.0.2:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def outside():  # type: ignore[no-untyped-def]
    listener = Listener()
    yield listener
    listener.stop()


# The page icon app.py asks Streamlit for (":material/edit_note:") is fetched from Google's font
# server; no text causes that request, and the favicon's own browser check (issue 14) covers it.
FAVICON = re.compile(r"^https://fonts\.gstatic\.com/s/i/short-term/release/materialsymbolsrounded/edit_note/")

PROPOSAL = ('{"title": "Tide tables", "slug": "tide-tables", "excerpt": "Tides.", "meta_description": "Tides.", '
            '"tags": ["tides"], "categories": ["Guides"]}')


def hostile(base: str) -> dict[str, str]:
    return {
        "display_name": f"Mara ![dn]({base}/px-displayname.png)",
        "topic": f"Tide tables ![t]({base}/px-topic.png) <img src={base}/px-topic-html.png>",
        "audience": f"sailors [x](data:text/html,<script>alert(1)</script>) ![a]({base}/px-audience.png)",
        "keywords": f"tides, ![k]({base}/px-keyword.png)",
        "reply": (
            f"# Tide tables\n\n![body]({base}/px-gen-body.png)\n\n<img src={base}/px-gen-html.png>\n\n"
            f"[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [js link](javascript:alert(1))\n\n"
            f"<iframe src={base}/px-gen-frame></iframe>\n\n![ref][pic]\n\n[pic]: {base}/px-gen-ref.png\n\n"
            + " ".join(f"Sentence {i} about the harbour and its tides." for i in range(40))
        ),
        "server_error": f"overloaded ![e]({base}/px-servererror.png) <img src={base}/px-servererror-html.png>",
    }


@pytest.fixture(scope="module")
def studio_app(tmp_path_factory, model_server, outside):  # type: ignore[no-untyped-def]
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope

    tmp = tmp_path_factory.mktemp("studio-hostile")
    engine = make_engine(f"sqlite:///{tmp / 'studio.db'}")
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name=hostile(outside.base)["display_name"])
    engine.dispose()
    app = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                          "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "5"}).start()
    yield app
    app.stop()


def quiet_model(server) -> None:  # type: ignore[no-untyped-def]
    """Wait until the model server has had no request for a second."""
    seen, still = -1, 0.0
    while still < 1.0:
        count = len(server.requests)
        still = still + 0.1 if count == seen else 0.0
        seen = count
        time.sleep(0.1)


def guard(page: Page, app_url: str) -> list[str]:
    """Block and record every request to a host that is not the app's."""
    own = urlsplit(app_url).netloc
    leaks: list[str] = []

    def check(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).netloc == own:
            route.continue_()
        else:
            leaks.append(url)
            route.abort()

    page.context.route("**/*", check)
    page.on("websocket", lambda ws: None if urlsplit(ws.url).netloc == own else leaks.append(ws.url))
    return leaks


def assert_nothing_live(page: Page, base: str) -> None:
    outside_host = urlsplit(base).netloc
    assert page.locator(f"img[src*='{outside_host}'], iframe[src*='{outside_host}']").count() == 0
    assert page.locator("a[href^='data:'], a[href^='javascript:'], a[href^='DATA:']").count() == 0
    assert page.locator(f"[style*='{outside_host}']").count() == 0


def test_hostile_text_is_shown_as_text_and_nothing_leaves_the_host(studio_app, model_server, outside, new_page):  # type: ignore[no-untyped-def]
    text = hostile(outside.base)
    page = new_page()
    leaks = guard(page, studio_app.url)
    sign_in(page, studio_app.url, "mara")
    # The display name, as typed, in the "Signed in as" line.
    expect(page.get_by_test_id("stSidebar").get_by_text("Mara ![dn](", exact=False)).to_be_visible()

    page.get_by_label("Topic", exact=True).fill(text["topic"])
    page.get_by_label("Audience", exact=True).fill(text["audience"])
    page.get_by_label("Keywords", exact=True).fill(text["keywords"])
    # The stream gets the hostile text; the proposal of the publishing fields, plain JSON.
    model_server.reply = lambda body: text["reply"] if body.get("stream") else PROPOSAL
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text(re.compile(r"Saved as draft #\d+ · fake-gpt"))).to_be_visible(timeout=30_000)
    settle(page)
    stream = page.locator(".st-key-draft_stream")
    expect(stream.get_by_role("heading", name="Tide tables")).to_be_visible()  # still Markdown, safely
    expect(stream).to_contain_text("[image: body]")
    expect(stream).to_contain_text("<img src=")  # raw HTML shown as text
    assert_nothing_live(page, outside.base)
    shot(page, "hostile-stream")

    # An AI server's error text on a regeneration (once the background proposal of the publishing
    # fields, one or two more requests, is done: the fault is for the stream). The draft keeps its
    # text; what had arrived is an attempt, restored below so the draft is incomplete by it.
    quiet_model(model_server)
    model_server.fail_next("error_event", after_chunks=3, message=text["server_error"])
    page.get_by_role("button", name="Regenerate with these settings").click()
    error = page.get_by_test_id("stAlertContentError").filter(has_text="overloaded")
    expect(error).to_be_visible(timeout=30_000)
    expect(error).to_contain_text("![e](")
    expect(page.get_by_text(re.compile(r"Draft #\d+ is unchanged: revision 1 is still its text"))).to_be_visible()
    settle(page)
    assert_nothing_live(page, outside.base)
    shot(page, "hostile-server-error")

    # The draft opened later: its text, the kept attempt with the error, restored: its warning,
    # the revisions' labels and the brief table.
    go(page, "My drafts")
    checked = page.locator(".checked-text").first  # the text rendered with its findings: escaped
    # An image as its words and its address (the address's IP is a finding: its mark's number follows it).
    host, port = urlsplit(outside.base).hostname, urlsplit(outside.base).port
    expect(checked).to_contain_text(re.compile(rf"body \(http://{re.escape(host)}(\[[\d, ]+\])?:{port}/px-gen-body\.png\)"))
    expect(checked).to_contain_text("<img src=")  # raw HTML shown as text
    open_tab(page, "How it was made")
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="overloaded").first).to_contain_text("![e](")
    page.get_by_role("button", name="Restore this as the current text").click()
    expect(page.get_by_text(re.compile(r"Restored the unfinished attempt as revision \d+"))).to_be_visible()
    settle(page)
    expect(page.get_by_text(re.compile(r"This draft is incomplete: .*overloaded"))).to_be_visible()
    open_tab(page, "Revisions")
    expect(page.get_by_text(re.compile(r"Revision \d+ · restored attempt · Mara !\[dn\]")).first).to_be_visible()
    shot(page, "hostile-revisions")
    open_tab(page, "How it was made")
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    page.wait_for_timeout(1500)  # anything lazily loaded would have been asked for by now
    assert_nothing_live(page, outside.base)
    shot(page, "hostile-draft-view")
    assert [url for url in leaks if not FAVICON.search(url)] == [], leaks
    assert outside.hits == [], outside.hits
