"""The next step for a new workspace, shown where the first admin lands."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.schemas import Person
from studio.accounts.service import team_size


def show_next_step(user: Person) -> None:
    """"Add your team", with a link to People, while the admin is the only person here."""
    if not can(user, "users.manage") or ui.call(team_size, user) > 1:
        return
    with st.container(border=True, key="next_step_team"):
        st.markdown("**Next step: add your team.** You are the only person here. Add the marketers who "
                    "write and the editors who review on the People page; each gets a user name and a "
                    "first password from you.")  # fmt: skip
        st.page_link("pages/admin_users.py", label="Add your team on People", icon=":material/group_add:")
