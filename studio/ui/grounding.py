"""The draft view's parts for brand voice, sources, claims and languages: the voice-match panel,
the claim ledger with the passages, the acknowledgements an approval needs, and localising."""

from __future__ import annotations

from typing import Any

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.grounding import Grounding
from studio.languages.catalog import language_name
from studio.languages.localise import localise
from studio.review.rules import status_label
from studio.ui import actions
from studio.ui.generation import effective_settings
from studio.voices.match import VoiceMatch

SUPPORT_ICONS = {"supported": ":material/check_circle:", "partly": ":material/help:", "unsupported": ":material/error:"}
SUPPORT_STYLE = {"supported": "green", "partly": "orange", "unsupported": "red"}


def voice_match_panel(match: VoiceMatch | None, voice_name: str | None, version: int | None, *, key: str) -> None:
    """The score, and every feature with the sentence that explains it."""
    if match is None:
        if voice_name is None:
            st.caption("No brand voice: written in the brief's tone preset.")
        return
    pct = round(match.score * 100)
    colour = "green" if pct >= 75 else "orange" if pct >= 55 else "red"
    st.markdown(f"**Voice match** :{colour}-badge[{pct}%] · brand voice “{ui.md_escape(voice_name or '')}”"
                + (f", version {version}" if version else ""))  # fmt: skip
    with st.expander("How the text compares with the voice, feature by feature", expanded=False):
        rows = [
            {"Feature": f.label, "Match": "—" if f.score is None else f"{round(f.score * 100)}%", "Why": f.explanation}
            for f in match.features
        ]
        st.dataframe(rows, hide_index=True, width="stretch", key=f"voice_match_{key}")
        st.caption("Features marked — could not be measured on this text and do not count.")


def languages_line(g: Grounding) -> None:
    parts = [f"Language: **{language_name(g.language)}**"]
    if g.detected.known:
        parts.append(f"reads as {g.detected.name} ({g.detected.confidence:.2f})")
    if g.localised_from is not None:
        parts.append(f"localised from #{g.localised_from.id} ({g.localised_from.language_label})")
    if g.localisations:
        parts.append("localised into " + ", ".join(f"#{d.id} {d.language_label} ({status_label(d.status).lower()})"
                                                  for d in g.localisations))  # fmt: skip
    st.caption(" · ".join(parts))


def claims_tab(g: Grounding) -> None:
    if g.passages:
        st.markdown(f"**Sources given to the writer** ({len(g.passages)} passages; the text cites "
                    f"{', '.join(g.cited) if g.cited else 'none of them'})")  # fmt: skip
        for p in g.passages:
            title = f"[{p.label}] {ui.md_escape(p.title)}" + ("  ·  cited" if p.label in g.cited else "")
            with st.expander(title, expanded=False):
                if p.url:
                    st.caption(ui.md_escape(p.url))
                st.text(p.text)
    else:
        st.caption("This draft was written without knowledge sources.")
    st.markdown("**Claim ledger**")
    if not g.claims:
        st.caption("No claims: the text states no figures, dates, quotations, studies or superlatives.")
        return
    counts = {k: sum(1 for c in g.claims if c.support == k) for k in ("supported", "partly", "unsupported")}
    st.caption(f"{counts['supported']} supported · {counts['partly']} partly supported · "
               f"{counts['unsupported']} unsupported")  # fmt: skip
    for c in g.claims:
        with st.container(border=True):
            st.markdown(f"{SUPPORT_ICONS[c.support]} :{SUPPORT_STYLE[c.support]}-badge[{c.support_label}] "
                        f"· {c.kind_label}" + (f" · {c.label} {ui.md_escape(c.source_title)}" if c.label else ""))  # fmt: skip
            st.text(c.text)
            if c.note:
                st.caption(ui.md_escape(c.note))
            if c.passage:
                with st.expander("The passage"):
                    st.text(c.passage)


ACK_FIELD = "ack_claim_"


def acknowledge_claims(g: Grounding, *, key: str) -> dict[str, str]:
    """Inside the decision form: a box per claim that is not fully supported. Returns the form's
    fields for them (`actions.form_submit`); `acknowledged` reads the ticked ids back."""
    if not g.open_claims:
        return {}
    st.markdown(f"**{len(g.open_claims)} claim(s) not fully supported by the sources.** Tick each one you "
                "checked; approving records them in the audit trail.")  # fmt: skip
    fields = {}
    for c in g.open_claims:
        widget = f"ack_claim_{key}_{c.id}"
        st.checkbox(f"{c.support_label}: “{ui.md_escape(c.text[:160])}”", key=widget)
        fields[f"{ACK_FIELD}{c.id}"] = widget
    return fields


def acknowledged(values: dict) -> list[int]:
    """The claims ticked in a submitted decision form (see `acknowledge_claims`)."""
    return [int(name[len(ACK_FIELD):]) for name, ticked in values.items() if name.startswith(ACK_FIELD) and ticked]


def localise_panel(user: Person, g: Grounding) -> None:
    if not g.can_localise:
        return
    st.markdown("**Localise**")
    st.caption("A linked draft in another language, written natively, keeping the voice's fixed terms and "
               "glossary. It goes through its own checks and review.")  # fmt: skip
    key = f"localise_to_{g.draft_id}"
    with st.form(f"localise_{g.draft_id}"):
        st.selectbox("Into", g.localise_to, format_func=language_name, key=key)
        # The model writes the new draft in the button's callback: a double-click localises once.
        actions.form_submit("Localise", key=f"localise_go_{g.draft_id}", type="primary", fields={"to": key},
                            action=lambda v, run=(ui.engine(), effective_settings()): _localised(user, g, v["to"], *run))


def _localised(user: Person, g: Grounding, target: str, engine: Any, settings: Any) -> str:
    done = localise(g.draft_id, user, target, engine=engine, settings=settings)
    reads = language_name(done.language_detected) if done.language_detected else "unknown"
    return (f"Draft #{done.draft_id} ({language_name(target)}) is ready: it reads as {reads} "
            f"({done.language_confidence:.2f}); checks: {done.verdict or '—'}. Find it in My drafts.")
