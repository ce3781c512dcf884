"""The inbox: its entry in the menu (with the number of unread entries) and its page."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.schemas import Person
from studio.inbox.mail import STATUS_LABELS
from studio.inbox.schemas import InboxItem
from studio.inbox.service import inbox, mark_draft_read, mark_read, set_email_notifications, unread_count
from studio.ui import tables

# The pages that open a draft read these (My drafts, the review queue).
MY_DRAFTS_OPEN_KEY = "open_draft_id"
QUEUE_OPEN_KEY = "queue_open_id"
QUEUE_PINNED_KEY = "queue_pinned"
PAGES = {"my_drafts": "pages/my_drafts.py", "review_queue": "pages/review_queue.py"}


def menu_title(user: Person) -> str:
    """"Inbox", or "Inbox · 3 new": the sidebar shows the count on the entry itself."""
    unread = ui.call(unread_count, user)
    return f"Inbox · {unread} new" if unread else "Inbox"


def _open(user: Person, item: InboxItem) -> None:
    ui.call(mark_draft_read, user, item.draft_id)
    if item.opens_in == "my_drafts":
        st.session_state[MY_DRAFTS_OPEN_KEY] = item.draft_id
        tables.select("my_drafts_table")
    else:
        st.session_state[QUEUE_OPEN_KEY] = item.draft_id
        st.session_state[QUEUE_PINNED_KEY] = item.draft_id
        tables.select("queue_table")
    st.switch_page(PAGES[item.opens_in or "my_drafts"])


def _entry(user: Person, item: InboxItem) -> None:
    with st.container(border=True, key=f"inbox_item_{item.id}"):
        # Unread is said in words (and bold), never by colour alone.
        state = ":blue-badge[New]" if not item.read else ":gray-badge[Read]"
        line = f"{state} **{ui.md_escape(item.label)}** · {ui.friendly_time(item.created_at)}"
        if item.email in STATUS_LABELS:
            line += f" · {STATUS_LABELS[item.email]}"
        st.markdown(line)
        if item.read:
            st.text(item.message)
        else:
            st.markdown(f"**{ui.md_escape(item.message)}**")
        if item.detail:
            st.text(f"“{item.detail}”")
        cols = st.columns([1, 1, 3])
        if item.opens_in and item.draft_id is not None:
            if cols[0].button(f"Open draft #{item.draft_id}", key=f"inbox_open_{item.id}"):
                _open(user, item)
        if not item.read and cols[1].button("Mark as read", key=f"inbox_read_{item.id}"):
            ui.call(mark_read, user, [item.id])
            st.rerun()


def _email_choice(user: Person, box) -> None:  # type: ignore[no-untyped-def]
    st.subheader("By e-mail")
    if not box.mail_configured:
        if can(user, "settings.manage"):
            st.caption("E-mail is off in this workspace. To send these by e-mail too, set STUDIO_SMTP_HOST "
                       "(and STUDIO_SMTP_PORT, STUDIO_SMTP_USERNAME, STUDIO_SMTP_PASSWORD, STUDIO_SMTP_FROM) "
                       "in the environment or .streamlit/secrets.toml, then restart the studio.")  # fmt: skip
        else:
            st.caption("E-mail is off in this workspace: your inbox is here in the app.")
        return
    if not box.email:
        st.caption("You have no e-mail address in the studio. An admin can add one on the People page.")
        return
    wanted = st.toggle(f"Also e-mail these to {box.email}", value=box.email_notifications, key="inbox_email_toggle")
    if wanted != box.email_notifications:
        ui.call(set_email_notifications, user, wanted)
        ui.flash(f"E-mail of your inbox is {'on' if wanted else 'off'}.")
        st.rerun()


def show_inbox(user: Person) -> None:
    box = ui.call(inbox, user)
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(f"{box.unread} new · {box.total} in all" if box.total else "Nothing yet.")
    if c2.button("Mark all as read", disabled=box.unread == 0, key="inbox_read_all"):
        ui.call(mark_read, user)
        ui.flash("Everything is marked as read.")
        st.rerun()
    if not box.items:
        st.info("Your inbox is empty. Drafts assigned to you, and decisions, exports and comments on your "
                "drafts, appear here.")  # fmt: skip
    for item in box.items:
        _entry(user, item)
    if box.total > len(box.items):
        st.caption(f"The newest {len(box.items)} are shown.")
    _email_choice(user, box)
