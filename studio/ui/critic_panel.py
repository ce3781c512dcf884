"""The New draft page's parts for the critic pass: the brief's choice, and what the pass did
(shown from the outcome's plain data; every text from the model or the draft is escaped)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio import ui
from studio.workspace.rules import CRITIC_MAX_ROUNDS, show_critic_rounds

WORKSPACE = "workspace"
CHOICES: list[Any] = [WORKSPACE, *range(CRITIC_MAX_ROUNDS + 1)]


def critic_choice(workspace_rounds: int, *, key: str) -> None:
    """The brief's "Critic pass" select box (one pass only)."""

    def label(value: Any) -> str:
        if value == WORKSPACE:
            return f"As the workspace says ({show_critic_rounds(workspace_rounds)})"
        return "Off" if value == 0 else f"At most {value} round{'s' if value != 1 else ''}"

    st.selectbox("Critic pass", CHOICES, key=key, format_func=label,
                 help="After writing in one pass, before you see the draft: the checks and a model critic score it "
                      "(on brief, repetition, unsupported claims, voice match, reading ease) and only the flagged "
                      "passages are rewritten, one revision per round, stopping when a round makes nothing better.")


def rounds_from(value: Any) -> int | None:
    return None if value in (None, WORKSPACE) else int(value)


def changed_text(outcome: dict[str, Any]) -> bool:
    critic = outcome.get("critic") or {}
    return any(r.get("kept") for r in critic.get("rounds") or [])


def show_critic(outcome: dict[str, Any]) -> None:
    critic = outcome.get("critic")
    if not critic:
        return
    if critic.get("error"):
        ui.safe.message("warning", critic["error"])
        return
    ui.safe.message("info", critic["summary"], icon=":material/rate_review:")
    if critic.get("notice"):
        st.caption(ui.md_escape(critic["notice"]))
    with st.expander("What the critic flagged", expanded=False):
        before, after = critic["before"], critic["after"]
        st.table([{"Rubric": name, "Before": _pct(before["scores"][name]), "After": _pct(after["scores"][name])}
                  for name in before["scores"]])  # fmt: skip
        for rnd in critic["rounds"]:
            kept = f"kept as revision {rnd['revision']}" if rnd["kept"] else "not kept"
            st.markdown(f"**Round {rnd['round']}** · {rnd['rewritten']} of {len(rnd['passages'])} passages "
                        f"rewritten · {kept}")  # fmt: skip
            for p in rnd["passages"]:
                st.markdown(f"- “{ui.md_escape(_short(p['text']))}”: {ui.md_escape('; '.join(p['notes']))}")


def _pct(value: float | None) -> str:
    return "not scored" if value is None else f"{round(value * 100)}%"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
