"""Sign in."""

import streamlit as st

from studio import ui
from studio.accounts.signin import sign_in
from studio.ui import actions, routing

routing.guard(__file__)

st.title("Sign in to Content Studio")
reason = st.session_state.pop("signed_out_reason", None)
if reason:
    ui.safe.message("info", reason)


def signed_in(values: dict) -> None:
    ui.sign_in_as(ui.call(sign_in, values["name"] or "", values["password"] or "", sleep=ui.pause))


with st.form("sign_in"):
    st.text_input("User name", key="signin_name")
    st.text_input("Password", type="password", key="signin_password")
    actions.form_submit("Sign in", key="sign_in_go", type="primary", action=signed_in,
                        fields={"name": "signin_name", "password": "signin_password"})
ui.show_flashes()
