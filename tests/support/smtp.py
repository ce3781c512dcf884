"""A local SMTP server for tests (aiosmtpd on a free loopback port) that keeps every message.

    with LocalSMTP() as smtp:
        ... STUDIO_SMTP_HOST=smtp.host, STUDIO_SMTP_PORT=smtp.port, STUDIO_SMTP_SECURITY=none ...
        msg = smtp.wait_for(lambda m: m["To"].endswith("<mara@example.com>"))
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Keep:
    def __init__(self, sink: LocalSMTP) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class LocalSMTP:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self._controller = Controller(_Keep(self), hostname=self.host, port=self.port)

    def __enter__(self) -> LocalSMTP:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def env(self) -> dict[str, str]:
        """The studio's settings that send mail here."""
        return {"STUDIO_SMTP_HOST": self.host, "STUDIO_SMTP_PORT": str(self.port), "STUDIO_SMTP_SECURITY": "none",
                "STUDIO_SMTP_FROM": "Content Studio <studio@example.com>"}

    def received(self) -> list[tuple[list[str], EmailMessage]]:
        with self.lock:
            return list(self.messages)

    def wait_for(self, match: Callable[[list[str], EmailMessage], bool], timeout: float = 15.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpt, msg in self.received():
                if match(rcpt, msg):
                    return msg
            time.sleep(0.05)
        got = [(r, m["Subject"]) for r, m in self.received()]
        raise AssertionError(f"no matching e-mail within {timeout} s; received: {got}")
