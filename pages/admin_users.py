"""People (admins): add, disable, re-enable, change roles, reset passwords."""

import streamlit as st

from studio import ui
from studio.accounts.passwords import PASSWORD_MIN_LENGTH
from studio.accounts.permissions import ROLES
from studio.accounts.service import add_user, disable_user, enable_user, people, reset_password, set_roles
from studio.ui import actions, routing

routing.guard(__file__)

user = ui.require_user()
st.title("People")
ui.show_flashes()


def run(fn, *args, success: str) -> str:
    """For a button's action: the service with this admin, in its own session."""
    ui.call(fn, user, *args)
    return success


everyone = ui.call(people, user)

st.dataframe(
    [{"User name": p.name, "Name": p.label, "Roles": ", ".join(p.roles), "Active": not p.disabled,
      "Last sign-in": ui.friendly_time(p.last_login_at)}
     for p in everyone],
    hide_index=True, use_container_width=True,
)

st.subheader("Add a person")
with st.form("add_person"):
    c1, c2 = st.columns(2)
    c1.text_input("User name", key="add_name")
    c2.text_input("Display name", key="add_display")
    c1.multiselect("Roles", list(ROLES), default=["marketer"], key="add_roles")
    c2.text_input("Initial password", type="password", key="add_password",
                  help=f"At least {PASSWORD_MIN_LENGTH} characters; share it privately.")
    actions.form_submit(
        "Add person", key="add_person_go", type="primary",
        fields={"name": "add_name", "display": "add_display", "roles": "add_roles", "password": "add_password"},
        clear=["add_name", "add_display", "add_password"],
        action=lambda v: run(add_user, v["name"] or "", v["password"] or "", v["roles"] or [], v["display"] or "",
                             success=f"Added {(v['name'] or '').strip()}."),
    )  # fmt: skip

names = [p.name for p in everyone]
if names:
    st.subheader("Change someone")
    who = st.selectbox("Person", names, key="manage_who")
    current = next(p for p in everyone if p.name == who)
    c1, c2 = st.columns(2)
    with c1.form("roles_form"):
        st.multiselect("Roles", list(ROLES), default=list(current.roles), key=f"roles_{who}")
        actions.form_submit("Save roles", key=f"roles_go_{who}", fields={"roles": f"roles_{who}"},
                            action=lambda v: run(set_roles, who, v["roles"] or [], success=f"Roles of {who} saved."))
    with c2.form("password_form"):
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
