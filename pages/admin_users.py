"""People (admins): add, disable, re-enable, change roles and e-mail, reset passwords."""

import streamlit as st

from studio import ui
from studio.accounts.passwords import PASSWORD_MIN_LENGTH
from studio.accounts.permissions import ROLES
from studio.accounts.service import (
    add_person,
    disable_user,
    enable_user,
    people,
    reset_password,
    set_email,
    set_roles,
)
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("People")
ui.show_flashes()
# The add form starts empty again (new widgets) only once someone was added: a refusal keeps
# everything typed.
form_no = st.session_state.get("add_person_form", 0)


def run(fn, *args, success: str) -> bool:  # type: ignore[no-untyped-def]
    if ui.attempt(fn, user, *args) is not ui.REFUSED:
        ui.flash(success)
        return True
    return False


everyone = ui.call(people, user)

st.dataframe(
    [{"User name": p.name, "Name": p.label, "E-mail": p.email or "—", "Roles": ", ".join(p.roles),
      "Active": "Yes" if not p.disabled else "No, disabled", "Last sign-in": ui.friendly_time(p.last_login_at)}
     for p in everyone],
    hide_index=True, width="stretch", alt="People in this workspace",
)  # fmt: skip

st.subheader("Add a person")
with st.form(f"add_person_{form_no}"):
    # One row of columns per line, so the Tab order is the reading order.
    c1, c2 = st.columns(2)
    name = c1.text_input("User name", key=f"add_name_{form_no}")
    display = c2.text_input("Display name", key=f"add_display_{form_no}")
    c1, c2 = st.columns(2)
    email = c1.text_input("E-mail (optional)", key=f"add_email_{form_no}",
                          help="Exports name the author by it (WordPress post_author, HubSpot authorEmail), "
                               "and the inbox can e-mail them.")  # fmt: skip
    password = c2.text_input("Initial password", type="password", key=f"add_password_{form_no}",
                             help=f"At least {PASSWORD_MIN_LENGTH} characters; share it privately.")
    roles = st.multiselect("Roles", list(ROLES), default=["marketer"], key=f"add_roles_{form_no}")
    go = st.form_submit_button("Add person", type="primary")
if go and run(add_person, name, password, roles, display, email, success=f"Added {name.strip().lower()}."):
    st.session_state["add_person_form"] = form_no + 1
    st.rerun()

names = [p.name for p in everyone]
if names:
    st.subheader("Change someone")
    who = st.selectbox("Person", names, key="manage_who")
    current = next(p for p in everyone if p.name == who)
    c1, c2, c3 = st.columns(3)
    with c1.form("roles_form"):
        new_roles = st.multiselect("Roles", list(ROLES), default=list(current.roles), key=f"roles_{who}")
        if st.form_submit_button("Save roles") and run(set_roles, who, new_roles, success=f"Roles of {who} saved."):
            st.rerun()
    with c2.form("email_form"):
        new_email = st.text_input("E-mail", value=current.email, key=f"email_{who}",
                                  help="Leave empty to remove the address.")
        if st.form_submit_button("Save e-mail") and run(set_email, who, new_email, success=f"E-mail of {who} saved."):
            st.rerun()
    with c3.form("password_form", clear_on_submit=True):
        new_password = st.text_input("New password", type="password", key=f"pw_{who}")
        if st.form_submit_button("Reset password") and run(
            reset_password, who, new_password, success=f"Password of {who} reset."
        ):
            st.rerun()
    if current.disabled:
        if st.button(f"Re-enable {who}") and run(enable_user, who, success=f"{who} can sign in again."):
            st.rerun()
    elif st.button(f"Disable {who}", help="They cannot sign in; their drafts and history stay.") and run(
        disable_user, who, success=f"{who} is disabled."
    ):
        st.rerun()
