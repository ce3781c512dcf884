"""Ctrl-C, SIGTERM and SIGHUP as one kind of interruption that never lands inside a save.

A command-line run installs `signals_as_interrupt()`: each of the three signals then raises
KeyboardInterrupt in the main thread, as Ctrl-C does, so a `kill` or a closed terminal stops a
run the same orderly way (the writer saves the brief and the text so far, then says so).

Code that must not be cut half-way (the writer's last save) runs inside `shielded()`: a signal
that arrives meanwhile is remembered and raised as KeyboardInterrupt when the block ends. Where
no handler is installed (the app: Streamlit owns the signals), `shielded()` changes nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s)

_lock = threading.Lock()
_pending: list[int] = []
_shield_depth = 0


class Interrupted(KeyboardInterrupt):
    """KeyboardInterrupt raised for a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _handler(signum: int, _frame: FrameType | None) -> None:
    with _lock:
        if _shield_depth:
            _pending.append(signum)
            return
    raise Interrupted(signum)


@contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """While the block runs (main thread only), SIGINT, SIGTERM and SIGHUP raise `Interrupted`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        with _lock:
            _pending.clear()


@contextmanager
def shielded() -> Iterator[None]:
    """Run the block to its end even if a signal arrives; raise it afterwards."""
    global _shield_depth
    with _lock:
        _shield_depth += 1
    try:
        yield
    finally:
        with _lock:
            _shield_depth -= 1
            raise_now = _pending[0] if _pending and not _shield_depth else None
            if raise_now is not None:
                _pending.clear()
    if raise_now is not None:
        raise Interrupted(raise_now)


def exit_status(exc: BaseException) -> int:
    """The shell's exit status for a run ended by ``exc`` (128 + the signal's number)."""
    return 128 + getattr(exc, "signum", signal.SIGINT)
