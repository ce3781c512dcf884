"""Content Studio: router only (page config, database, sign-in gate, pages by role)."""

from pathlib import Path

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.service import needs_first_admin
from studio.ui import routing
from studio.ui.inbox_view import menu_title
from studio.usage.context import acting

# A file of our own: a named icon would make the browser fetch it from a font host.
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"

st.set_page_config(page_title="Content Studio", page_icon=str(FAVICON), layout="wide")
ui.engine()

first_start = ui.call(needs_first_admin)

if first_start:
    page = st.navigation(
        routing.entry("pages/setup.py", title="Create the first admin", icon=":material/key:"), position="hidden"
    )
else:
    user = ui.current_user()
    if user is None:
        page = st.navigation(
            routing.entry("pages/sign_in.py", title="Sign in", icon=":material/key:"), position="hidden"
        )
    else:
        sections: dict[str, list] = {}
        if can(user, "draft.create"):
            sections["Write"] = [
                st.Page("pages/draft.py", title="New draft", icon=":material/edit_note:"),
                st.Page("pages/my_drafts.py", title="My drafts", icon=":material/description:"),
            ]
            if can(user, "batch.run"):
                sections["Write"].append(st.Page("pages/batches.py", title="Batches", icon=":material/table_view:"))
        review_pages = []
        if can(user, "draft.view_all"):
            review_pages.append(st.Page("pages/review_queue.py", title="Review queue", icon=":material/inbox:"))
        if can(user, "export.run"):
            review_pages.append(st.Page("pages/export.py", title="Export", icon=":material/upload_file:"))
        if can(user, "dashboard.view"):
            review_pages.append(st.Page("pages/dashboard.py", title="Dashboard", icon=":material/monitoring:"))
        if review_pages:
            sections["Review"] = review_pages
        sections["Plan"] = [st.Page("pages/calendar.py", title="Calendar", icon=":material/calendar_month:")]
        admin_pages = [
            st.Page("pages/inbox.py", title=menu_title(user), icon=":material/notifications:"),
            st.Page("pages/voices.py", title="Brand voices", icon=":material/record_voice_over:"),
            st.Page("pages/sources.py", title="Sources", icon=":material/library_books:"),
            st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
        ]
        if can(user, "prompts.manage"):
            admin_pages.append(st.Page("pages/prompts.py", title="Prompt versions", icon=":material/science:"))
        if can(user, "users.manage"):
            admin_pages.append(st.Page("pages/admin_users.py", title="People", icon=":material/group:"))
        if can(user, "usage.manage"):
            admin_pages.append(st.Page("pages/usage.py", title="Usage & budgets", icon=":material/payments:"))
        if can(user, "audit.view"):
            admin_pages.append(st.Page("pages/audit_log.py", title="Audit trail", icon=":material/history:"))
        sections["Workspace"] = admin_pages
        page = st.navigation(routing.with_home(sections), position="hidden")
        routing.menu(sections)
        with st.sidebar:
            st.divider()
            st.caption(f"Signed in as **{ui.md_escape(user.label)}** ({', '.join(sorted(user.roles))})")
            ui.budget_notice(user)
            if st.button("Sign out"):
                ui.sign_out(user)
                st.rerun()
ui.keep_session_cookie()
# Model calls the page makes are recorded for the person signed in (studio.usage).
with acting(user.id if not first_start and user is not None else None):
    routing.run(page)
