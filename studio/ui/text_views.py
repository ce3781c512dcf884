"""Small views the writing surfaces share: the diff, the live word count, the preview as the
export's HTML, and the Stop button."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from studio.content import render_html
from studio.review.diff import diff_revisions
from studio.ui import safe


# Read out by screen readers before a change, not shown (an aria-label is not allowed on ins/del).
_SAID = ('<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);'
         'white-space:nowrap">{}: </span>')


def diff_html(old: str, new: str) -> str:
    """A word-level diff as our own escaped HTML: insertions underlined, deletions struck through."""
    return ops_html(diff_revisions(old, new))


def ops_html(ops: list[tuple[str, str]]) -> str:
    parts = []
    for op, text in ops:
        t = html.escape(text)
        # Not by colour alone: underline and strike-through, and a sign read out before each change.
        if op == "insert":
            parts.append(f'<ins style="background:#bbf7d0;text-decoration:underline">{_SAID.format("added")}'
                         f'<span aria-hidden="true">+</span>{t}</ins>')
        elif op == "delete":
            parts.append(f'<del style="background:#fecaca;text-decoration:line-through">{_SAID.format("removed")}'
                         f'<span aria-hidden="true">−</span>{t}</del>')
        else:
            parts.append(t)
    return (
        '<div style="white-space:pre-wrap;border:1px solid #e5e7eb;border-radius:6px;padding:8px">'
        + "".join(parts)
        + "</div>"
    )


def diff_counts(old: str, new: str) -> tuple[int, int]:
    """Words added and removed."""
    added = removed = 0
    for op, text in diff_revisions(old, new):
        if op == "insert":
            added += len(text.split())
        elif op == "delete":
            removed += len(text.split())
    return added, removed


def word_count(text: str) -> int:
    return len((text or "").split())


def live_word_count(widget_key: str, text: str) -> None:
    """A word count under a text area that follows every keystroke.

    Streamlit sends a text area's value only when it loses focus, so the count is kept by a
    few lines of script in a component frame (same origin) that listen to the text area itself.
    Nothing from the text is put into the frame's HTML.
    """
    selector = json.dumps(f".st-key-{widget_key} textarea")
    st.iframe(
        f"""<div id="count" style="font:14px 'Source Sans Pro',sans-serif;color:#555">{word_count(text):,} words</div>
<script>
(function () {{
  const out = document.getElementById("count");
  function attach(tries) {{
    const area = window.parent.document.querySelector({selector});
    if (!area) {{ if (tries < 50) setTimeout(function () {{ attach(tries + 1); }}, 200); return; }}
    const update = function () {{
      const n = (area.value.match(/\\S+/g) || []).length;
      out.textContent = n.toLocaleString("en") + (n === 1 ? " word" : " words");
    }};
    area.addEventListener("input", update);
    update();
  }}
  attach(0);
}})();
</script>""",
        height=26,
    )


def preview(text: str, *, key: str) -> None:
    """The text rendered, and as WordPress will show it (the export's sanitised HTML)."""
    rendered, wordpress, source = st.tabs(["Rendered", "As WordPress will show it", "HTML sent to the CMS"])
    with rendered:
        safe.markdown(text, height=520, label="The text rendered")
    body = render_html(text)
    with wordpress:
        st.html(safe.scroller(
            '<div style="font-family:Georgia,serif;font-size:17px;line-height:1.6;color:#1e1e1e">'
            f"{safe.html_without_images(body)}</div>", height=520, label="The text as WordPress will show it",
        ))  # fmt: skip
    with source:
        st.code(body, language="html", wrap_lines=True)


def stop_button(key: str) -> Any:
    """Our own Stop: pressing it ends the running stream (the run keeps what arrived).

    Returns its slot: call ``.empty()`` on it when the stream has finished."""
    slot = st.empty()
    slot.button("Stop", key=key, icon=":material/stop_circle:", type="secondary",
                help="Stop writing. What has arrived is kept; the draft is marked incomplete.")
    return slot


def running(key: str) -> None:
    """Mark a run as streaming in this session (cleared by `finished` when it ends normally)."""
    st.session_state[f"_running_{key}"] = True


def finished(key: str) -> None:
    st.session_state.pop(f"_running_{key}", None)


def was_stopped(key: str, saved: Callable[[], bool], timeout: float = 10.0) -> bool:
    """True when the last run under `key` was cut short (Stop, or the page left mid-stream).

    A Stop press starts the next script run at once while the stopped one is still unwinding
    and saving in its own thread; this waits (briefly) until `saved()` says it has saved.
    """
    if not st.session_state.pop(f"_running_{key}", False):
        return False
    deadline = time.monotonic() + timeout
    while not saved() and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
