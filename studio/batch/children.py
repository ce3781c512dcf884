"""Child processes that go when their parent goes: the app and workers under `serve`, and the
processes of a worker pool (`worker --processes`)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from studio.config import PROJECT_ROOT

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # If the parent is killed outright (SIGKILL, OOM) it cannot stop its children; Linux sends
    # them SIGTERM then, which stops them as gracefully as if the parent had asked.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the parent's own handlers still stop the children
        pass


class Stopping:
    """Turned on by SIGINT or SIGTERM, which a parent catches instead of dying: its loop ends,
    and it stops its children itself."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.requested = True


def start(args: Sequence[str], *, own_group: bool = False) -> subprocess.Popen:
    """``python ARGS`` in the project directory. ``own_group``: the terminal's Ctrl-C reaches
    only the parent, which then stops the child itself (once)."""
    return subprocess.Popen([sys.executable, *args], cwd=PROJECT_ROOT, preexec_fn=_die_with_parent,
                            process_group=0 if own_group else None)  # fmt: skip


def stop(procs: Sequence[subprocess.Popen | None], sig: int, timeout: float) -> None:
    """Send ``sig`` to every child still running, wait up to ``timeout`` for all of them
    together, then kill what is left."""
    running = [p for p in procs if p is not None and p.poll() is None]
    for proc in running:
        proc.send_signal(sig)
    deadline = time.monotonic() + timeout
    for proc in running:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

