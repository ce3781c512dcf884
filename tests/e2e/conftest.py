"""Browser tests: the real app under `streamlit run`, driven by Playwright in Debian's Chromium.

Each test module gets its own app process on a free port, a temporary database and the tests'
local OpenAI-compatible server. A failing test leaves a screenshot and the page's HTML in
artifacts/e2e/.

Every page a test opens (`new_page`) is watched: a request to any host but this machine fails
the test (and cannot leave: Chromium resolves no other host). `axe_clean(page)` runs axe-core (installed from the npm registry into
tests/e2e/node_modules by `npm ci`, injected from that file) and fails on serious or critical
violations. The server log is written with each line's level, so `log_problems` finds
tracebacks, errors, warnings and deprecation notices.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.fake_openai import FakeOpenAI

# A page's first run in a process imports its modules; on a loaded 2-core machine an assertion
# may wait that long for what it expects.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# A log line that is a problem: a traceback, an error or a warning (the level is in every line,
# see StudioApp.start), or a deprecation notice however it is worded.
LOG_PROBLEM = re.compile(r"Traceback|\b(?:ERROR|WARNING|CRITICAL)\b|[A-Za-z]+(?:Error|Warning):"
                         r"|(?i:deprecat|will be removed)")
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Nothing but this machine resolves: a request to any other host fails at once, in the
    # browser, and `new_page` fails the test that made it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StudioApp:
    def __init__(self, tmp: Path, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "streamlit.log"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
        full_env.update(
            STUDIO_DATABASE_URL=f"sqlite:///{tmp / 'studio.db'}",
            STUDIO_SECRETS_FILE=str(tmp / "absent.toml"),
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
        )
        full_env.update(env)
        self.env = full_env
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    def start(self) -> StudioApp:
        self._log_file = self.log.open("a")  # a restart adds to the same log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
             "--logger.level", "info",
             "--logger.messageFormat", "%(asctime)s %(levelname)s %(name)s: %(message)s"],
            cwd=ROOT, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def running(self) -> StudioApp:
        """Started, unless it already runs."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        return self

    def restart(self) -> StudioApp:
        """A new server process on the same port and database, as after a deploy or a crash."""
        self.stop()
        return self.start()

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_problems(self, since: int = 0) -> list[str]:
        """The server log's lines (from byte `since` on) that report a traceback, an error, a
        warning or a deprecation."""
        if not self.log.exists():
            return []
        with self.log.open("rb") as f:
            f.seek(since)
            lines = f.read().decode("utf-8", "replace").splitlines()
        return [line for line in lines if LOG_PROBLEM.search(line)]


@pytest.fixture(scope="module")
def model_server() -> Iterator[FakeOpenAI]:
    # A small delay between chunks so streaming is visible to the browser.
    with FakeOpenAI(delay=0.01, chunk_chars=8, reply_words=220) as server:
        yield server


@pytest.fixture(scope="module")
def studio(tmp_path_factory, model_server) -> Iterator[StudioApp]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("studio-e2e")
    app = StudioApp(tmp, {"OPENAI_BASE_URL": model_server.base_url, "STUDIO_MODEL": "fake-gpt",
                          "STUDIO_MAX_RETRIES": "0", "STUDIO_REQUEST_TIMEOUT": "5"}).start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def new_page(browser, request, tmp_path):  # type: ignore[no-untyped-def]
    pages = []
    external: list[str] = []

    # Every request the pages make is seen here (listened to, not intercepted: interception
    # holds each request until the test's thread hands it on, which stalls a page that loads
    # its scripts while the test types).
    def seen(req):  # type: ignore[no-untyped-def]
        if not _local(req.url):
            external.append(f"{req.method} {req.url}")

    def make():  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.on("request", seen)
        page = context.new_page()
        page.set_default_timeout(20_000)
        pages.append(page)
        return page

    yield make
    if external:
        pytest.fail("The app made requests beyond its own server:\n" + "\n".join(sorted(set(external))),
                    pytrace=False)
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for i, page in enumerate(pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"{stem}-{i}.png"), full_page=True)
                (ARTIFACTS / f"{stem}-{i}.html").write_text(page.content())
            except Exception:  # noqa: BLE001 - the page may be gone; keep what we can
                pass
    for page in pages:
        page.context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/e2e`", pytrace=False)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


def axe_clean(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """Fail with the violations when axe-core finds a serious or critical one on this page."""
    found = axe_violations(page)
    assert not found, f"axe-core on {where}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found
    )
