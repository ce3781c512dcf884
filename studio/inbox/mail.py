"""The inbox by e-mail, through the workspace's SMTP settings (``STUDIO_SMTP_*``).

Entries marked ``pending`` are sent after the transaction that wrote them has committed, in a
background thread, so a slow mail server never holds up an approval and a rolled-back action
sends nothing. Each entry is claimed (``pending`` → ``sending``) by one sender before it is sent,
so two processes never send it twice. A failure is kept on the entry (``failed`` and the
server's answer) and logged as one line; ``python -m studio inbox send-mail`` tries again.
The SMTP password is read from the settings only; it is never stored, logged or shown.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from studio.config import Settings, get_settings
from studio.db import session_scope
from studio.models import Notification, User

_log = logging.getLogger(__name__)

STATUS_LABELS = {"pending": "e-mail waiting to be sent", "sending": "e-mail being sent", "sent": "e-mailed",
                 "failed": "e-mail failed"}  # fmt: skip
_SEND_LOCK = threading.Lock()  # one sender per process at a time
_AFTER_COMMIT = "studio_inbox_mail_hooked"
# Headers are not folded below SMTP's own limit: Python's folding of a subject with non-ASCII
# characters drops the space between two encoded words ("Spring planning" → "Springplanning").
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def mail_configured(settings: Settings | None = None) -> bool:
    return bool((settings or get_settings()).studio_smtp_host)


def compose(n: Notification, recipient: User, settings: Settings) -> EmailMessage:
    """One entry as a plain-text e-mail."""
    msg = EmailMessage(policy=_POLICY)
    msg["Subject"] = f"[Content Studio] {n.message}"
    msg["From"] = settings.studio_smtp_from
    msg["To"] = formataddr((recipient.label, recipient.email or ""))
    msg["Message-ID"] = make_msgid(domain="content-studio")
    lines = [f"Hello {recipient.label},", "", n.message]
    if n.detail:
        lines += ["", *(f"> {line}" for line in n.detail.splitlines())]
    if settings.studio_app_url:
        lines += ["", f"Open your inbox: {settings.studio_app_url.rstrip('/')}/inbox"]
    lines += ["", "You get these e-mails because of your Content Studio inbox. Turn them off on its Inbox page."]
    msg.set_content("\n".join(lines))
    return msg


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.studio_smtp_host or "", settings.studio_smtp_port, settings.studio_smtp_timeout
    if settings.studio_smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
        if settings.studio_smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
    if settings.studio_smtp_username:
        password = settings.studio_smtp_password.get_secret_value() if settings.studio_smtp_password else ""
        server.login(settings.studio_smtp_username, password)
    return server


def _states(retry_failed: bool) -> tuple[str, ...]:
    # "sending" left behind by a process that stopped half-way is retried with the failed ones.
    return ("pending", "failed", "sending") if retry_failed else ("pending",)


def _claim(session: Session, ids: Sequence[int], *, retry_failed: bool) -> list[int]:
    states = _states(retry_failed)
    claimed = []
    for i in ids:
        result = session.execute(
            update(Notification)
            .where(Notification.id == i, Notification.email_status.in_(states))
            .values(email_status="sending")
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            claimed.append(i)
    return claimed


def deliver_pending(engine: Engine, settings: Settings | None = None, *, retry_failed: bool = False,
                    limit: int = 200) -> tuple[int, int]:
    """Send the entries waiting for e-mail (and the failed or interrupted ones with ``retry_failed``).
    Returns (sent, failed)."""
    settings = settings or get_settings()
    if not mail_configured(settings):
        return 0, 0
    with _SEND_LOCK:
        with session_scope(engine) as session:
            states = _states(retry_failed)
            ids = list(session.scalars(
                select(Notification.id).where(Notification.email_status.in_(states))
                .order_by(Notification.id).limit(limit)
            ))  # fmt: skip
            ids = _claim(session, ids, retry_failed=retry_failed)
        if not ids:
            return 0, 0
        with session_scope(engine) as session:
            rows = session.execute(
                select(Notification, User).join(User, User.id == Notification.recipient_id)
                .where(Notification.id.in_(ids)).order_by(Notification.id)
            ).all()  # fmt: skip
            outcome: dict[int, tuple[str, str]] = {}
            try:
                server = _connect(settings)
            except (OSError, smtplib.SMTPException) as exc:
                _log.warning("E-mail not sent: could not reach the mail server %s:%s (%s)",
                             settings.studio_smtp_host, settings.studio_smtp_port, exc)  # fmt: skip
                outcome = {n.id: ("failed", f"Could not reach the mail server: {exc}") for n, _ in rows}
            else:
                with server:
                    for n, user in rows:
                        if not user.email:
                            outcome[n.id] = ("failed", "The person has no e-mail address.")
                            continue
                        try:
                            server.send_message(compose(n, user, settings))
                            outcome[n.id] = ("sent", "")
                        except (OSError, smtplib.SMTPException) as exc:
                            _log.warning("E-mail to %s not sent: %s", user.email, exc)
                            outcome[n.id] = ("failed", str(exc))
            for n, _ in rows:
                n.email_status, n.email_error = outcome.get(n.id, ("failed", "Not sent."))
    sent = sum(1 for status, _ in outcome.values() if status == "sent")
    return sent, len(outcome) - sent


_senders: list[threading.Thread] = []


def wait_for_delivery(timeout: float = 30.0) -> None:
    """Wait for the background senders started so far (a command-line run, before it exits)."""
    for thread in list(_senders):
        thread.join(timeout)
    _senders[:] = [t for t in _senders if t.is_alive()]


def _deliver_in_background(engine: Engine) -> None:
    try:
        deliver_pending(engine)
    except Exception as exc:  # noqa: BLE001 - a background sender must not take the app down
        _log.warning("E-mail delivery stopped: %s: %s", type(exc).__name__, exc)


def deliver_after_commit(session: Session) -> None:
    """Send this session's pending e-mails once it commits (nothing if it rolls back)."""
    if session.info.get(_AFTER_COMMIT):
        return
    session.info[_AFTER_COMMIT] = True
    engine = session.get_bind()

    def after_commit(_session: Session) -> None:
        _session.info.pop(_AFTER_COMMIT, None)
        thread = threading.Thread(target=_deliver_in_background, args=(engine,), name="studio-mail", daemon=True)
        _senders[:] = [t for t in _senders if t.is_alive()] + [thread]
        thread.start()

    def after_rollback(_session: Session, _transaction: object) -> None:
        _session.info.pop(_AFTER_COMMIT, None)

    event.listen(session, "after_commit", after_commit, once=True)
    event.listen(session, "after_soft_rollback", after_rollback, once=True)
