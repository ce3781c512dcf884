"""Browser: a marketer uploads a spreadsheet, sees the bad rows named, starts the batch and
watches it finish on `python -m studio serve` (the app with its embedded worker, as `make run`)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, ROOT, free_port
from tests.support.fake_openai import FakeOpenAI
from tests.support.workers import worker_env

PASSWORD = "correct horse battery"
PLAN = (
    "type,topic,voice,temperature,words,publish_date\n"
    "blog,How small teams plan a content calendar,friendly,0.7,200,2026-12-01\n"
    "news,Three integrations ship today,professional,0.3,150,2026-12-02 14:00\n"
    "blog,,witty,0.9,200,2026-12-03\n"
    "story,A customer story about onboarding,empathetic,0.8,200,2026-12-04\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("batches-e2e")
    with FakeOpenAI(delay=0.02, chunk_chars=10, reply_words=150) as model:
        env = worker_env(STUDIO_DATABASE_URL=f"sqlite:///{tmp / 'studio.db'}", STUDIO_SECRETS_FILE=str(tmp / "absent.toml"),
                         OPENAI_BASE_URL=model.base_url, STUDIO_MODEL="fake-gpt")  # fmt: skip
        for args in (["users", "add", "ada", "--role", "admin", "--password-stdin"],
                     ["users", "add", "mara", "--role", "marketer", "--password-stdin", "--as", "ada"]):  # fmt: skip
            subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, env=env, input=PASSWORD, text=True,
                           check=True, capture_output=True)  # fmt: skip
        port = free_port()
        log = (tmp / "serve.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio", "serve", "--", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        try:
            yield url
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
            log.close()


def test_upload_preview_bad_rows_start_and_follow_a_batch_to_its_drafts(served, new_page, tmp_path):
    page = new_page()
    page.set_default_timeout(30_000)
    page.goto(served)
    page.get_by_label("User name", exact=True).fill("mara")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Batches").click()
    expect(page.get_by_role("heading", name="Batches")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Template (CSV)").click()
    assert download.value.suggested_filename == "briefs-template.csv"
    assert Path(download.value.path()).read_bytes().decode("utf-8-sig").startswith("type,topic,audience")

    plan = tmp_path / "december.csv"
    plan.write_text(PLAN)
    page.locator("input[type=file]").set_input_files(str(plan))
    expect(page.get_by_text("3 row(s) ready · 1 with problems")).to_be_visible()
    expect(page.get_by_text("1 row(s) will not be written until they are fixed:")).to_be_visible()
    expect(page.get_by_text("Row 4: Topic: Topic is empty.")).to_be_visible()
    expect(page.get_by_text("Estimated cost:")).to_be_visible()
    page.get_by_role("button", name="Start batch (3 rows)").click()
    expect(page.get_by_text("Batch 1 started: 3 row(s) queued.")).to_be_visible()  # and the list opens
    expect(page.get_by_text("3 of 3 rows ended · 3 done")).to_be_visible(timeout=120_000)
    # The batch list names its new status too, not the one it had when the batch started.
    picker = page.locator("[data-testid=stSelectbox]", has=page.get_by_text("Batch", exact=True)).locator("input")
    expect(picker).to_have_value(re.compile(r"^#1 · december\.csv · Finished · 3 rows"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "batch-finished.png"), full_page=True)
    # Selecting a row opens its draft below the list.
    page.get_by_label("Open the draft of row").click()
    page.get_by_role("option", name="Row 2:").click()
    expect(page.get_by_role("heading", name="How Small Teams Plan A Content Calendar").first).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "batch-draft-open.png"), full_page=True)
