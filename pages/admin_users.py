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
from studio.ui import actions, routing

routing.guard(__file__)

user = ui.require_user()
st.title("People")
ui.show_flashes()
# The add form starts empty again (new widgets) only once someone was added: a refusal keeps
# everything typed.
form_no = st.session_state.get("add_person_form", 0)


def run(fn, *args, success: str) -> str:  # type: ignore[no-untyped-def]
    """For a button's action: the service with this admin, in its own session."""
    ui.call(fn, user, *args)
    return success


def add(values: dict) -> str:
    said = run(add_person, values["name"] or "", values["password"] or "", values["roles"] or [],
               values["display"] or "", values["email"] or "",
               success=f"Added {(values['name'] or '').strip().lower()}.")  # fmt: skip
    st.session_state["add_person_form"] = form_no + 1  # after the commit: a fresh, empty form
    return said


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
    c1.text_input("User name", key=f"add_name_{form_no}")
    c2.text_input("Display name", key=f"add_display_{form_no}")
    c1, c2 = st.columns(2)
    c1.text_input("E-mail (optional)", key=f"add_email_{form_no}",
                  help="Exports name the author by it (WordPress post_author, HubSpot authorEmail), "
                       "and the inbox can e-mail them.")  # fmt: skip
    c2.text_input("Initial password", type="password", key=f"add_password_{form_no}",
                  help=f"At least {PASSWORD_MIN_LENGTH} characters; share it privately.")
    st.multiselect("Roles", list(ROLES), default=["marketer"], key=f"add_roles_{form_no}")
    actions.form_submit(
        "Add person", key=f"add_person_go_{form_no}", type="primary",
        fields={"name": f"add_name_{form_no}", "display": f"add_display_{form_no}", "email": f"add_email_{form_no}",
                "roles": f"add_roles_{form_no}", "password": f"add_password_{form_no}"},
        action=add,
    )  # fmt: skip

names = [p.name for p in everyone]
if names:
    st.subheader("Change someone")
    who = st.selectbox("Person", names, key="manage_who")
    current = next(p for p in everyone if p.name == who)
    c1, c2, c3 = st.columns(3)
    with c1.form("roles_form"):
        st.multiselect("Roles", list(ROLES), default=list(current.roles), key=f"roles_{who}")
        actions.form_submit("Save roles", key=f"roles_go_{who}", fields={"roles": f"roles_{who}"},
                            action=lambda v: run(set_roles, who, v["roles"] or [], success=f"Roles of {who} saved."))
    with c2.form("email_form"):
        st.text_input("E-mail", value=current.email, key=f"email_{who}", help="Leave empty to remove the address.")
        actions.form_submit("Save e-mail", key=f"email_go_{who}", fields={"email": f"email_{who}"},
                            action=lambda v: run(set_email, who, v["email"] or "", success=f"E-mail of {who} saved."))
    with c3.form("password_form"):
        st.text_input("New password", type="password", key=f"pw_{who}")
        actions.form_submit(
            "Reset password", key=f"pw_go_{who}", fields={"password": f"pw_{who}"}, clear=[f"pw_{who}"],
            action=lambda v: run(reset_password, who, v["password"] or "", success=f"Password of {who} reset."),
        )  # fmt: skip
    if current.disabled:
        actions.button(f"Re-enable {ui.md_escape(who)}", key=f"enable_{who}",
                       action=lambda _v: run(enable_user, who, success=f"{who} can sign in again."))
    else:
        actions.button(f"Disable {ui.md_escape(who)}", key=f"disable_{who}",
                       help="They cannot sign in; their drafts and history stay.",
                       action=lambda _v: run(disable_user, who, success=f"{who} is disabled."))
