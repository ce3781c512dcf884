"""First start: create the first admin, and nothing else."""

import streamlit as st

from studio import ui
from studio.accounts.passwords import PASSWORD_MIN_LENGTH
from studio.accounts.service import first_admin
from studio.ui import routing

routing.guard(__file__)

st.title("Welcome to Content Studio")
st.write("There are no accounts yet. Create the first admin; you can add marketers and editors afterwards.")

with st.form("first_admin"):
    name = st.text_input("User name", key="setup_name", help="Letters, digits, dots, dashes and underscores.")
    display = st.text_input("Display name", key="setup_display")
    password = st.text_input("Password", type="password", key="setup_password", help=f"At least {PASSWORD_MIN_LENGTH} characters.")
    confirm = st.text_input("Repeat password", type="password", key="setup_confirm")
    create = st.form_submit_button("Create the first admin", type="primary")

if create:
    if password != confirm:
        st.error("The two passwords differ. Type the same password twice.")
    else:
        # The service itself refuses once anyone exists.
        user = ui.attempt(first_admin, name, password, display_name=display)
        if user:
            ui.sign_in_as(user)
            ui.flash(f"Welcome, {user.label}. You are the admin.")
            st.rerun()
