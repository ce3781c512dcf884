"""Sign in."""

import streamlit as st

from studio import ui
from studio.accounts.signin import sign_in
from studio.ui import routing

routing.guard(__file__)

st.title("Sign in to Content Studio")
reason = st.session_state.pop("signed_out_reason", None)
if reason:
    st.info(reason)

with st.form("sign_in"):
    name = st.text_input("User name", key="signin_name")
    password = st.text_input("Password", type="password", key="signin_password")
    go = st.form_submit_button("Sign in", type="primary")

if go:
    user = ui.attempt(sign_in, name, password, sleep=ui.pause)
    if user:
        ui.sign_in_as(user)
        st.rerun()
