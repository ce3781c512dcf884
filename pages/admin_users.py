"""People (admins): add, disable, re-enable, change roles, reset passwords."""

import streamlit as st

from studio import ui
from studio.accounts.passwords import PASSWORD_MIN_LENGTH
from studio.accounts.permissions import ROLES
from studio.accounts.service import add_user, disable_user, enable_user, people, reset_password, set_roles
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("People")
ui.show_flashes()


def run(fn, *args, success: str) -> None:
    if ui.attempt(fn, user, *args) is not ui.REFUSED:
        ui.flash(success)
        st.rerun()


everyone = ui.call(people, user)

st.dataframe(
    [{"User name": p.name, "Name": p.label, "Roles": ", ".join(p.roles), "Active": not p.disabled,
      "Last sign-in": ui.friendly_time(p.last_login_at)}
     for p in everyone],
    hide_index=True, use_container_width=True,
)

st.subheader("Add a person")
with st.form("add_person", clear_on_submit=True):
    c1, c2 = st.columns(2)
    name = c1.text_input("User name", key="add_name")
    display = c2.text_input("Display name", key="add_display")
    roles = c1.multiselect("Roles", list(ROLES), default=["marketer"], key="add_roles")
    password = c2.text_input("Initial password", type="password", key="add_password",
                             help=f"At least {PASSWORD_MIN_LENGTH} characters; share it privately.")
    go = st.form_submit_button("Add person", type="primary")
if go:
    run(add_user, name, password, roles, display, success=f"Added {name}.")

names = [p.name for p in everyone]
if names:
    st.subheader("Change someone")
    who = st.selectbox("Person", names, key="manage_who")
    current = next(p for p in everyone if p.name == who)
    c1, c2 = st.columns(2)
    with c1.form("roles_form"):
        new_roles = st.multiselect("Roles", list(ROLES), default=list(current.roles), key=f"roles_{who}")
        if st.form_submit_button("Save roles"):
            run(set_roles, who, new_roles, success=f"Roles of {who} saved.")
    with c2.form("password_form", clear_on_submit=True):
        new_password = st.text_input("New password", type="password", key=f"pw_{who}")
        if st.form_submit_button("Reset password"):
            run(reset_password, who, new_password, success=f"Password of {who} reset.")
    if current.disabled:
        if st.button(f"Re-enable {who}"):
            run(enable_user, who, success=f"{who} can sign in again.")
    elif st.button(f"Disable {who}", help="They cannot sign in; their drafts and history stay."):
        run(disable_user, who, success=f"{who} is disabled.")
