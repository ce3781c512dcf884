"""Content Studio: router only (page config, database, sign-in gate, pages by role)."""

import streamlit as st

from studio import ui
from studio.auth import can, needs_first_admin

st.set_page_config(page_title="Content Studio", page_icon="✍️", layout="wide")
ui.engine()

with ui.db() as session:
    first_start = needs_first_admin(session)

if first_start:
    page = st.navigation([st.Page("pages/setup.py", title="Create the first admin", icon="🔑")])
else:
    user = ui.current_user()
    if user is None:
        page = st.navigation([st.Page("pages/sign_in.py", title="Sign in", icon="🔑")])
    else:
        write = []
        if can(user, "draft.create"):
            write += [
                st.Page("pages/draft.py", title="New draft", icon="✍️", default=True),
                st.Page("pages/my_drafts.py", title="My drafts", icon="📄"),
            ]
        sections = {"Write": write} if write else {}
        sections["Workspace"] = [st.Page("pages/settings.py", title="Settings", icon="⚙️", default=not write)]
        page = st.navigation(sections)
        with st.sidebar:
            st.caption(f"Signed in as **{user.label}** ({', '.join(sorted(user.roles))})")
            if st.button("Sign out"):
                ui.sign_out()
                st.rerun()
page.run()
