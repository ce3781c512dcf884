"""Settings page sections: the workspace settings admins change in the app (studio.workspace),
and where the API key goes."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.accounts.schemas import Person
from studio.workspace.rules import CRITIC_MAX_ROUNDS, show_critic_rounds, timezones
from studio.workspace.service import SettingView, reset_setting, set_setting, workspace_settings


def show_api_key_help(masked: str) -> None:
    """The key never comes from a form: say where it goes, with the lines to add."""
    st.markdown(f"**API key:** {ui.md_escape(masked)}")
    st.caption("The key is read only from the environment or from .streamlit/secrets.toml, never typed in "
               "here, and never stored in the database or the logs. Add one of these, then restart the studio:")
    st.code('export OPENAI_API_KEY="sk-..."', language=None)
    st.code('# .streamlit/secrets.toml\nOPENAI_API_KEY = "sk-..."', language=None)


def _source(view: SettingView) -> str:
    if view.from_database:
        who = f" by {view.updated_by}" if view.updated_by else ""
        return (f"Changed in the studio{ui.md_escape(who)}, {ui.friendly_time(view.updated_at)}. Until then it "
                f"came from {view.env}.")
    return f"From the environment ({view.env}); saving here keeps it in the database instead."


def _widget_key(view: SettingView) -> str:
    return f"workspace_{view.key}"


def _editor(user: Person, view: SettingView) -> None:
    key = _widget_key(view)
    with st.form(f"workspace_form_{view.key}"):
        if view.kind == "lines":
            raw = st.text_area(view.label, value="\n".join(view.value or []), key=key, help=view.help, height=120)
        elif view.kind == "rounds":
            choices = list(range(CRITIC_MAX_ROUNDS + 1))
            current = int(view.value or 0)
            raw = st.selectbox(view.label, choices, index=choices.index(current) if current in choices else 0, key=key,
                               help=view.help, format_func=lambda n: show_critic_rounds(n).capitalize())  # fmt: skip
        else:
            zones = timezones()
            current = view.value if view.value in zones else "UTC"
            raw = st.selectbox(view.label, zones, index=zones.index(current), key=key, help=view.help)
        save = st.form_submit_button(f"Save {view.label.lower()}")
    if save:
        saved = ui.attempt(set_setting, user, view.key, raw)
        if saved:
            ui.flash(f"{view.label}: saved ({ui.md_escape(saved.shown)}).")
            st.session_state.pop(key, None)
            st.rerun()
    if view.from_database and st.button(f"Use the environment's value for {view.label.lower()}",
                                        key=f"workspace_reset_{view.key}"):  # fmt: skip
        reset = ui.attempt(reset_setting, user, view.key)
        if reset:
            ui.flash(f"{view.label}: back to the environment's value ({ui.md_escape(reset.shown)}).")
            st.session_state.pop(key, None)
            st.rerun()


def show_workspace_settings(user: Person) -> None:
    st.subheader("Workspace")
    may_change = can(user, "settings.manage")
    st.caption("Admins change these here: they are kept in the database and every change is in the audit "
               "trail. A setting nobody has changed comes from its environment variable."
               + ("" if may_change else " Only admins can change them."))  # fmt: skip
    for view in ui.call(workspace_settings, user):
        with st.container(border=True, key=f"workspace_{view.key}_box"):
            if may_change:
                _editor(user, view)
            else:
                st.markdown(f"**{ui.md_escape(view.label)}:** {ui.md_escape(view.shown)}")
                st.caption(view.help)
            st.caption(_source(view))
