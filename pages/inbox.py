"""Inbox: drafts assigned to me, decisions, exports and comments on my drafts."""

import streamlit as st

from studio import ui
from studio.ui import routing
from studio.ui.inbox_view import show_inbox

routing.guard(__file__)

user = ui.require_user()
st.title("Inbox")
ui.show_flashes()
show_inbox(user)
