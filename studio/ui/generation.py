"""Provider choice for this browser session (the Settings page may override the defaults)."""

from __future__ import annotations

import streamlit as st

from studio.config import Settings, get_settings
from studio.drafting.providers import ProviderChoice, ProviderConfigError, resolve_provider, with_override

OVERRIDE_KEY = "provider_override"


def effective_settings() -> Settings:
    """Settings with this session's provider/model/base-URL choice applied (admins only)."""
    return with_override(get_settings(), st.session_state.get(OVERRIDE_KEY))


def current_choice() -> tuple[ProviderChoice | None, str | None]:
    try:
        return resolve_provider(effective_settings()), None
    except ProviderConfigError as exc:
        return None, str(exc)
