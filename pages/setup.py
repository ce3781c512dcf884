"""First start: create the first admin, and nothing else."""

import streamlit as st

from studio import ui
from studio.accounts.passwords import PASSWORD_MIN_LENGTH
from studio.accounts.service import first_admin
from studio.errors import InputError
from studio.ui import actions, routing

routing.guard(__file__)

st.title("Welcome to Content Studio")
st.write("There are no accounts yet. Create the first admin; you can add marketers and editors afterwards.")

def create(values: dict) -> str:
    if values["password"] != values["confirm"]:
        raise InputError("The two passwords differ. Type the same password twice.")
    # The service itself refuses once anyone exists.
    user = ui.call(first_admin, values["name"] or "", values["password"] or "", display_name=values["display"] or "")
    ui.sign_in_as(user)
    return f"Welcome, {user.label}. You are the admin."


with st.form("first_admin"):
    st.text_input("User name", key="setup_name", help="Letters, digits, dots, dashes and underscores.")
    st.text_input("Display name", key="setup_display")
    st.text_input("Password", type="password", key="setup_password", help=f"At least {PASSWORD_MIN_LENGTH} characters.")
    st.text_input("Repeat password", type="password", key="setup_confirm")
    actions.form_submit(
        "Create the first admin", key="first_admin_go", type="primary", action=create,
        fields={"name": "setup_name", "display": "setup_display", "password": "setup_password",
                "confirm": "setup_confirm"},
    )  # fmt: skip
ui.show_flashes()
