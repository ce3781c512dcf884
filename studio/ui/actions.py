"""Form buttons that are safe to double-click: one action, nothing lost.

A click reruns the page's script; a second click while that run is still going stops it
wherever it is and starts another run with the form as the browser then had it. An action
taken in the script's body can so be cut off before it happens, and the second run sees an
emptied form ("The comment is empty."), or it happens twice.

Here the action runs in the button's callback instead, which Streamlit calls at the very start
of the run, before the script and before anything can stop it. A second submission of the same
form with the same values within `DOUBLE_CLICK_SECONDS` of the first one's end is that same click
again: it is not acted on twice. The outcome is shown as a flash message on the run that follows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from studio.errors import user_message

DOUBLE_CLICK_SECONDS = 5.0
_LAST = "_studio_last_action"

Action = Callable[[dict[str, Any]], "str | None"]


def _fingerprint(key: str, values: Any) -> str:
    # A digest, so a password typed into a form is not kept in the session a second time.
    return hashlib.sha256(f"{key}\0{values!r}".encode("utf-8", "backslashreplace")).hexdigest()


def repeated(key: str, values: Any) -> bool:
    """True when form ``key`` was just acted on with these same ``values`` (a double-click)."""
    last = st.session_state.get(_LAST)
    return bool(last) and last[0] == _fingerprint(key, values) and time.monotonic() - last[1] < DOUBLE_CLICK_SECONDS


def remember(key: str, values: Any) -> None:
    """Note that form ``key`` was acted on with ``values`` now (see `repeated`)."""
    st.session_state[_LAST] = (_fingerprint(key, values), time.monotonic())


def _flash(message: str, kind: str = "success") -> None:
    st.session_state.setdefault("_flash", []).append((kind, message))  # shown by ui.show_flashes


def _run(key: str, fields: Mapping[str, str], action: Action, clear: Sequence[str]) -> None:
    values = {name: st.session_state.get(widget) for name, widget in fields.items()}
    if repeated(key, values):
        for widget in clear:
            st.session_state[widget] = ""
        return
    try:
        said = action(values)
    except Exception as exc:  # noqa: BLE001 - refusals are shown; bugs propagate
        message = user_message(exc)
        if message is None:
            raise
        remember(key, values)
        _flash(message, "error")
        return
    remember(key, values)
    for widget in clear:
        st.session_state[widget] = ""
    if said:
        _flash(said)


def form_submit(
    label: str, *, key: str, fields: Mapping[str, str], action: Action, clear: Sequence[str] = (), **kwargs: Any
) -> bool:
    """A form's submit button whose ``action(values)`` runs once per submission. ``fields`` maps
    names to the widget keys whose values it gets; ``clear`` empties those widgets after a
    success. ``action`` returns the success message (or None) and raises refusals."""
    return st.form_submit_button(label, key=key, on_click=_run, args=(key, fields, action, tuple(clear)), **kwargs)


def button(label: str, *, key: str, action: Action, fields: Mapping[str, str] | None = None, **kwargs: Any) -> bool:
    """`form_submit` for a button outside a form."""
    return st.button(label, key=key, on_click=_run, args=(key, fields or {}, action, ()), **kwargs)
