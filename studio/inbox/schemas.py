"""What the Inbox page reads: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    label: str  # the kind as a person reads it: "Changes requested"
    created_at: datetime
    draft_id: int | None
    message: str
    detail: str
    read: bool
    # Where the draft opens for this person: "my_drafts" (their own), "review_queue" (editors),
    # or None (the draft is not theirs to open).
    opens_in: str | None
    email: str | None  # None, "pending", "sent", "failed" (as the person reads it: see mail.STATUS_LABELS)


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem] = field(default_factory=list)
    unread: int = 0
    total: int = 0
    email: str | None = None  # the person's address, if they have one
    email_notifications: bool = True  # the person's own choice
    mail_configured: bool = False  # the workspace has SMTP settings
