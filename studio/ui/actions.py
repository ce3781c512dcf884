"""Form buttons that are safe to double-click: one action, nothing lost.

A click reruns the page's script; a second click while that run is still going stops it
wherever it is and starts another run with the form as the browser then had it. An action
taken in the script's body can so be cut off before it happens, and the second run sees an
emptied form ("The comment is empty."), or it happens twice.

Here the action runs in the button's callback instead, which Streamlit calls at the start of the
run, before the script. A second submission of the same form with the same values within
`DOUBLE_CLICK_SECONDS` is that same click again: it is not acted on twice. Streamlit may stop a
run at any of its calls (session-state access included) when another click arrives, so the
submission is noted before the action, and an action makes no Streamlit call before its service
has committed (``ui.call`` makes none). The outcome is shown as a flash message on the next run.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from studio.errors import user_message

DOUBLE_CLICK_SECONDS = 5.0
Action = Callable[[dict[str, Any]], "str | None"]
_TOKEN = "_studio_actions_token"


@dataclass
class _Done:
    at: float
    said: str | None = None
    shown: bool = False


# What was acted on lately, per browser session and submission. A plain dict, not session state:
# Streamlit may stop a run at any session-state access, and this record must be written whatever
# happens after the action.
_done: dict[tuple[str, str], _Done] = {}
_done_lock = threading.Lock()


def _fingerprint(key: str, values: Any) -> str:
    # A digest, so a password typed into a form is not kept a second time.
    return hashlib.sha256(f"{key}\0{values!r}".encode("utf-8", "backslashreplace")).hexdigest()


def _session() -> str:
    """This browser session's own key (a token in its session state, made on first use)."""
    token = st.session_state.get(_TOKEN)
    if token is None:
        token = st.session_state[_TOKEN] = uuid.uuid4().hex
    return token


def _recent(key: str, values: Any) -> _Done | None:
    where, now = (_session(), _fingerprint(key, values)), time.monotonic()
    with _done_lock:
        for stale in [k for k, d in _done.items() if now - d.at > DOUBLE_CLICK_SECONDS]:
            del _done[stale]
        return _done.get(where)


def repeated(key: str, values: Any) -> bool:
    """True when form ``key`` was just acted on with these same ``values`` (a double-click)."""
    return _recent(key, values) is not None


def remember(key: str, values: Any) -> _Done:
    """Note that form ``key`` is acted on with ``values`` now (see `repeated`)."""
    where, done = (_session(), _fingerprint(key, values)), _Done(time.monotonic())
    with _done_lock:
        _done[where] = done
    return done


def _forget(key: str, values: Any) -> None:
    where = (_session(), _fingerprint(key, values))
    with _done_lock:
        _done.pop(where, None)


def _flash(message: str, kind: str = "success") -> None:
    st.session_state.setdefault("_flash", []).append((kind, message))  # shown by ui.show_flashes


def _run(key: str, fields: Mapping[str, str], action: Action, clear: Sequence[str]) -> None:
    values = {name: st.session_state.get(widget) for name, widget in fields.items()}
    earlier = _recent(key, values)
    if earlier is not None:  # the same click again: say what the first one did, once
        if earlier.said and not earlier.shown:
            _flash(earlier.said)
            earlier.shown = True
        for widget in clear:
            st.session_state[widget] = ""
        return
    # Noted before the action, outside session state: a second click stops this run at the next
    # Streamlit call (any session-state access counts), which may come after the action's
    # commit. The action makes no Streamlit call before its service has committed.
    done = remember(key, values)
    try:
        done.said = action(values)
    except Exception as exc:  # noqa: BLE001 - refusals are shown; bugs propagate
        message = user_message(exc)
        if message is None:
            raise
        _forget(key, values)  # nothing was done: the same values may be sent again
        _flash(message, "error")
        return
    for widget in clear:
        st.session_state[widget] = ""
    if done.said:
        _flash(done.said)
        done.shown = True


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


def said(_result: object, message: str) -> str:
    """An action's success message, for an action whose service returned ``_result``:
    ``action=lambda v: said(ui.call(service, ...), "Saved.")``."""
    return message
