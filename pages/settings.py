"""Settings: the AI provider, its connection, and the checks' backends and thresholds."""

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.drafting.connection import check_connection
from studio.errors import user_message
from studio.ui import routing
from studio.ui.checks_settings import show_check_settings
from studio.ui.precision_view import show_check_precision
from studio.ui.generation import OVERRIDE_KEY, current_choice, effective_settings
from studio.ui.workspace_settings import show_api_key_help, show_workspace_settings
from studio.workspace.service import effective_settings as workspace_effective

routing.guard(__file__)

user = ui.require_user()
st.title("Settings")
base = ui.settings()

st.subheader("AI provider")
override = st.session_state.get(OVERRIDE_KEY) or {}
may_change = can(user, "settings.manage")
if not may_change:
    st.caption("Only admins can try another provider, model or server here.")
with st.form("provider_form"):
    provider = st.selectbox(
        "Provider",
        ["auto", "openai", "demo"],
        index=["auto", "openai", "demo"].index(override.get("studio_provider") or base.studio_provider),
        help="auto: OpenAI-compatible when a key or base URL is configured, otherwise the demo writer.",
        disabled=not may_change,
    )
    model = st.text_input("Model", value=override.get("studio_model") or base.studio_model, disabled=not may_change)
    base_url = st.text_input(
        "Base URL",
        value=override.get("openai_base_url") or base.openai_base_url or "",
        placeholder="empty for OpenAI; e.g. http://localhost:11434/v1 for Ollama",
        disabled=not may_change,
    )
    apply = st.form_submit_button("Use for this session", disabled=not may_change)
    st.caption("Changing the base URL stops the configured API key being sent: it belongs to the configured server.")
if apply and may_change:
    st.session_state[OVERRIDE_KEY] = {
        "studio_provider": provider,
        "studio_model": model.strip(),
        "openai_base_url": base_url.strip() or None,
    }
    ui.flash("Provider settings applied to this browser session.")
    st.rerun()
ui.show_flashes()
show_api_key_help(base.masked_key())

choice, problem = current_choice()
if problem:
    ui.safe.message("error", problem)
elif choice is not None:
    st.write(f"Drafts will be written with **{ui.md_escape(choice.label)}**.")
    if choice.notice:
        ui.safe.message("warning", choice.notice)
if st.button("Test connection"):
    if choice is not None and choice.is_demo:
        st.info("There is no model to test: the studio uses the demo writer, which is not AI. Set "
                "OPENAI_API_KEY or OPENAI_BASE_URL (see above) to connect a model.")
    else:
        try:
            with st.spinner("Asking the model for one word…"):
                ui.safe.message("success", check_connection(effective_settings()))
        except Exception as exc:  # noqa: BLE001
            message = user_message(exc)
            if message is None:
                raise
            ui.safe.message("error", message)

show_workspace_settings(user)
show_check_settings(ui.call(workspace_effective, base))
show_check_precision(user)
