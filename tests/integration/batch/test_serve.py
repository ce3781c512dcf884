"""`make run` (`python -m studio serve`): the app and its embedded worker start together and stop
together, leaving no process behind, also when the launcher itself is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.workers import alive, children, free_port, worker_env

ROOT = Path(__file__).resolve().parents[3]


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = worker_env(STUDIO_DATABASE_URL=f"sqlite:///{tmp_path / 'studio.db'}",
                     STUDIO_SECRETS_FILE=str(tmp_path / "absent.toml"))  # fmt: skip
    subprocess.run([sys.executable, "-m", "studio", "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "serve", "--", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=(tmp_path / "serve.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                log = (tmp_path / "serve.log").read_text(errors="replace")
                if r.status == 200 and len(children(proc.pid)) == 2 and "Ctrl-C stops it" in log:
                    return proc, url
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError((tmp_path / "serve.log").read_text()[-3000:])


def commands(pids: set[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            pass
    return out


@pytest.mark.parametrize("how", ["ctrl-c", "sigkill"])
def test_serve_runs_the_app_and_a_worker_and_stops_both(tmp_path, how):
    proc, _url = start_serve(tmp_path)
    kids = children(proc.pid)
    cmds = commands(kids)
    assert any("streamlit run" in c for c in cmds) and any("studio worker" in c for c in cmds), cmds
    try:
        if how == "ctrl-c":
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
        else:
            proc.send_signal(signal.SIGKILL)  # the launcher gets no chance to clean up
            proc.wait(10)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and any(alive(k) for k in kids):
            time.sleep(0.2)
        assert not [k for k in kids if alive(k)], commands({k for k in kids if alive(k)})
    finally:
        for k in kids:
            if alive(k):
                os.kill(k, signal.SIGKILL)
    if how == "ctrl-c":
        assert "stopped." in (tmp_path / "serve.log").read_text()  # the worker stopped gracefully
