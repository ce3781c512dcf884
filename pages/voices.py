"""Brand voices: made from 3–10 samples, measured, described, with rules; one is the default."""

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.languages.catalog import LANGUAGE_LABELS
from studio.sources.extract import ExtractionError, extract
from studio.ui import routing
from studio.ui.voices import PROFILE_ROWS, pairs_text, parse_pairs, profile_table
from studio.voices.schemas import Sample
from studio.voices.service import (
    SAMPLES_MAX,
    SAMPLES_MIN,
    archive_voice,
    create_voice,
    list_voices,
    redescribe,
    set_default_voice,
    update_voice,
    voice_detail,
)

routing.guard(__file__)

user = ui.require_user()
may_manage = can(user, "voices.manage")
st.title("Brand voices")
st.caption(
    "A voice is measured from your own writing and applied to every draft written in it: its description, "
    "rules and a few short excerpts go into the prompt, its terms become check findings, and every draft "
    "gets a voice-match score."
)
ui.show_flashes()
rows = ui.call(list_voices, user)

if may_manage:
    with st.expander("Make a voice from samples", expanded=not rows):
        with st.form("voice_new"):
            name = st.text_input("Name", key="voice_new_name", placeholder="e.g. Acme blog")
            files = st.file_uploader(f"Samples: {SAMPLES_MIN} to {SAMPLES_MAX} texts", accept_multiple_files=True,
                                     type=["txt", "md", "docx", "html", "htm"], key="voice_new_files")
            pasted = st.text_area("…or paste samples, separated by a line with only ---", height=200,
                                  key="voice_new_pasted")
            c1, c2 = st.columns(2)
            avoid = c1.text_area("Words to avoid (one per line)", key="voice_new_avoid", height=100)
            prefer = c2.text_area("Preferred terms (one per line: users -> customers)", key="voice_new_prefer",
                                  height=100)
            keep = c1.text_area("Never translated (product and brand names, one per line)", key="voice_new_keep",
                                height=80)
            make_default = c2.checkbox("Make it the workspace's default voice", key="voice_new_default")
            create = st.form_submit_button("Measure and describe", type="primary")
        if create:
            samples, problems = [], []
            for f in files or []:
                try:
                    samples.append(Sample(f.name, extract(f.getvalue(), filename=f.name).text))
                except ExtractionError as exc:
                    problems.append(str(exc))
            for i, chunk in enumerate([c for c in pasted.split("\n---\n") if c.strip()], start=1):
                samples.append(Sample(f"Pasted sample {i}", chunk))
            prefer_map, bad = parse_pairs(prefer)
            problems += bad
            for problem in problems:
                st.error(problem)
            if not problems:
                with st.spinner("Measuring the samples and writing the description…"):
                    made = ui.attempt(create_voice, user, name, samples, make_default=make_default,
                                      rules={"avoid": avoid, "prefer": prefer_map, "keep": keep})  # fmt: skip
                if made:
                    ui.flash(f"Made the voice “{made.name}”. {made.note}")
                    st.session_state["open_voice_id"] = made.id
                    for key in ("voice_new_name", "voice_new_pasted", "voice_new_avoid", "voice_new_prefer",
                                "voice_new_keep", "voice_new_default"):
                        st.session_state.pop(key, None)
                    st.rerun()
else:
    st.caption("Editors and admins make and edit voices; everyone writes in them.")

if not rows:
    st.info("No brand voices yet." + (" Make one above from three or more of your own texts." if may_manage else ""))
    st.stop()
st.dataframe([{"#": r.id, "Voice": r.name, "Default": "yes" if r.is_default else "", "Language": r.language,
               "Version": r.version, "Samples": r.samples, "Changed": ui.friendly_time(r.updated_at)} for r in rows],
             hide_index=True, width="stretch")  # fmt: skip
ids = [r.id for r in rows]
names = {r.id: r.name for r in rows}
remembered = st.session_state.get("open_voice_id")
open_id = st.selectbox("Open voice", ids, index=ids.index(remembered) if remembered in ids else 0,
                       format_func=lambda i: names[i], key="open_voice_select")
st.session_state["open_voice_id"] = open_id
voice = ui.attempt(voice_detail, open_id, user)
if not voice:
    st.stop()

st.subheader(ui.md_escape(voice.name))
st.caption(f"Version {voice.version} · {LANGUAGE_LABELS.get(voice.language, voice.language)}"
           + (" · the workspace's default" if voice.is_default else "")
           + f" · samples: {', '.join(voice.sample_names)}")  # fmt: skip
left, right = st.columns([3, 2])
with left:
    rules = voice.rules
    with st.form(f"voice_edit_{voice.id}_{voice.version}"):
        description = st.text_area("Description (what the writer is told)", value=voice.description, height=180,
                                   disabled=not may_manage)
        c1, c2, c3 = st.columns(3)
        spelling = c1.selectbox("Spelling", [None, "us", "uk"], index=[None, "us", "uk"].index(rules.get("spelling")),
                                format_func=lambda v: {None: "Not set", "us": "US", "uk": "UK"}[v], disabled=not may_manage)
        oxford = c2.selectbox("Oxford comma", [None, True, False], index=[None, True, False].index(rules.get("oxford_comma")),
                              format_func=lambda v: {None: "Not set", True: "Yes", False: "No"}[v], disabled=not may_manage)
        headline = c3.selectbox("Headline case", [None, "title", "sentence"],
                                index=[None, "title", "sentence"].index(rules.get("headline_case")),
                                format_func=lambda v: {None: "Not set", "title": "Title Case", "sentence": "Sentence case"}[v],
                                disabled=not may_manage)  # fmt: skip
        c4, c5 = st.columns(2)
        avoid = c4.text_area("Words to avoid", value="\n".join(rules.get("avoid") or []), disabled=not may_manage)
        prefer = c5.text_area("Preferred terms (users -> customers)", value=pairs_text(rules.get("prefer") or {}),
                              disabled=not may_manage)
        keep = c4.text_area("Never translated", value="\n".join(rules.get("keep") or []), disabled=not may_manage)
        glossary = c5.text_area("Glossary (de: dashboard -> Übersicht)",
                                value="\n".join(f"{lang}: {k} -> {v}" for lang, table in (rules.get("glossary") or {}).items()
                                                for k, v in table.items()),
                                disabled=not may_manage)  # fmt: skip
        excerpts = st.text_area("Excerpts shown to the writer (one per paragraph)", value="\n\n".join(voice.excerpts),
                                height=160, disabled=not may_manage)
        save = st.form_submit_button("Save as a new version", type="primary", disabled=not may_manage)
    if save and may_manage:
        prefer_map, bad = parse_pairs(prefer)
        glossary_map: dict[str, dict[str, str]] = {}
        for line in glossary.splitlines():
            lang, sep, pair = line.partition(":")
            if not line.strip():
                continue
            got, problems = parse_pairs(pair)
            if not sep or problems or not got:
                bad.append(f"Glossary line “{line.strip()}”: write it as LANG: term -> translation.")
                continue
            glossary_map.setdefault(lang.strip(), {}).update(got)
        for problem in bad:
            st.error(problem)
        if not bad:
            saved = ui.attempt(update_voice, user, voice.id, expected_version=voice.version, description=description,
                               excerpts=[e for e in excerpts.split("\n\n")],
                               rules={"avoid": avoid, "prefer": prefer_map, "keep": keep, "spelling": spelling,
                                      "oxford_comma": oxford, "headline_case": headline, "glossary": glossary_map})  # fmt: skip
            if saved:
                ui.flash(f"Saved “{saved.name}” as version {saved.version}.")
                st.rerun()
    if may_manage:
        b1, b2, b3 = st.columns([2, 1, 1])
        if b1.button("New description from the model", key=f"voice_redescribe_{voice.id}"):
            with st.spinner("Writing the description…"):
                done = ui.attempt(redescribe, user, voice.id)
            if done:
                ui.flash(f"New description (version {done.version}). {done.note}")
                st.rerun()
        if not voice.is_default and b2.button("Make default", key=f"voice_default_{voice.id}"):
            if ui.attempt(set_default_voice, user, voice.id) is not ui.REFUSED:
                ui.flash(f"“{voice.name}” is now the default voice.")
                st.rerun()
        if b3.button("Archive", key=f"voice_archive_{voice.id}",
                     help="Out of the pickers; drafts written in it keep their version."):
            if ui.attempt(archive_voice, user, voice.id) is not ui.REFUSED:
                ui.flash(f"Archived “{voice.name}”.")
                st.session_state.pop("open_voice_id", None)
                st.rerun()
with right:
    st.markdown("**Measured from the samples**")
    st.dataframe(profile_table(voice.profile), hide_index=True, width="stretch",
                 column_config={"Feature": st.column_config.TextColumn(width="medium")})
    words = ", ".join(w["word"] for w in voice.profile.get("go_to_words") or []) or "—"
    phrases = "; ".join(p["phrase"] for p in voice.profile.get("go_to_phrases") or []) or "—"
    st.markdown("**Go-to words** (far more frequent than in general English)")
    st.text(words)
    st.markdown("**Go-to phrases**")
    st.text(phrases)
    st.caption(f"{len(PROFILE_ROWS)} measured features; the voice-match score compares a draft with them.")
