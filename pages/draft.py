"""Draft: the brief, the tone and temperature sliders, how to write it (one pass, in sections,
variants side by side), and the result streamed beside the brief."""

import streamlit as st

from studio import ui
from studio.drafting.brief import (
    AUDIENCE_MAX_CHARS,
    CONTENT_TYPES,
    DEFAULT_TEMPERATURE,
    FORMALITY,
    LANGUAGES,
    TEMPERATURE_HINT,
    TOPIC_MAX_CHARS,
    VOICES,
    WORDS_MAX,
    WORDS_MIN,
    Brief,
    BriefError,
    problem_text,
)
from studio.drafting.service import save_text
from studio.sources.service import list_sources
from studio.ui import actions, compose, routing
from studio.ui.critic_panel import changed_text, critic_choice, rounds_from, show_critic
from studio.ui.generation import current_choice, effective_settings
from studio.ui.grounding import voice_match_panel
from studio.ui.onboarding import show_next_step
from studio.voices.match import VoiceMatch
from studio.voices.service import list_voices
from studio.writing.outline import WRITING_MODES, writing_mode

routing.guard(__file__)

NO_VOICE = 0

user = ui.require_user()
st.title("New draft")
ui.show_flashes()
show_next_step(user)
voices = ui.call(list_voices, user)
sources = ui.call(list_sources, user)

choice, config_problem = current_choice()
if config_problem:
    ui.safe.message("error", config_problem)
elif choice is not None and choice.is_demo:
    st.info(f"**{ui.md_escape(choice.label)}.** Drafts are composed from your brief by a template, not written by AI. "
            "Set OPENAI_API_KEY or OPENAI_BASE_URL to use a model.", icon=":material/info:")
elif choice is not None:
    st.caption(f"Writing with **{ui.md_escape(choice.label)}**.")

BRIEF_KEYS = ("brief_type", "brief_topic", "brief_audience", "brief_keywords", "brief_tone", "brief_formality",
              "brief_temperature", "brief_words", "brief_language", "brief_mode", "brief_variant_temps",
              "brief_voice", "brief_sources", "brief_search_sources", "brief_critic")


def on_generate() -> None:
    """The Generate button's callback, at the start of the run it causes. A second click on the
    same brief while the first run streams stops that run (its draft is saved as interrupted):
    the second run then finishes that same draft rather than starting another."""
    brief = [st.session_state.get(k) for k in BRIEF_KEYS]
    if actions.repeated("generate", brief):
        # The first click's run was stopped before it began (its request is still waiting): keep
        # it; or while it streamed: finish its draft.
        if st.session_state.get("draft_action") != "generate":
            st.session_state["draft_action"] = "resume"
    else:
        st.session_state["draft_action"] = "generate"
        st.session_state.pop("generating", None)
    actions.remember("generate", brief)

min_words = effective_settings().studio_longform_min_words
brief_column, output = st.columns([2, 3], gap="large")
with brief_column, st.form("brief_form"):
    # One column: beside the output, two would cut the fields' values short.
    left = right = st.container()
    with left:
        st.radio("Content type", list(CONTENT_TYPES), format_func=CONTENT_TYPES.get, key="brief_type", horizontal=True)
        st.text_area(
            "Topic",
            key="brief_topic",
            max_chars=TOPIC_MAX_CHARS,
            placeholder="e.g. How small teams can plan a content calendar",
            help=f"One or two sentences, up to {TOPIC_MAX_CHARS} characters.",
        )
        st.text_input("Audience", key="brief_audience", max_chars=AUDIENCE_MAX_CHARS, placeholder="e.g. marketing managers at B2B start-ups")
        st.text_input("Keywords", key="brief_keywords", placeholder="comma-separated, e.g. planning, editorial calendar, SEO")
        source_titles = {s.id: s.title for s in sources}
        st.multiselect("Sources", list(source_titles), format_func=lambda i: f"#{i} {source_titles[i]}",
                       key="brief_sources", placeholder="none: the writer states no facts it cannot cite",
                       help="The best passages of these sources go into the prompt with ids ([S1], [S2] …) "
                            "the writer cites. Add sources on the Sources page.")
        st.checkbox("Search all sources", key="brief_search_sources",
                    help="Instead of picking: the best passages from every source in the workspace.")
    with right:
        voice_names = {v.id: v.name + (" (default)" if v.is_default else "") for v in voices}
        default_voice = next((v.id for v in voices if v.is_default), NO_VOICE)
        options = [NO_VOICE, *voice_names]
        st.selectbox("Brand voice", options, index=options.index(default_voice), key="brief_voice",
                     format_func=lambda i: voice_names.get(i, "No brand voice (use the tone below)"),
                     help="The voice's description, rules and a few excerpts of its samples go into the prompt. "
                          "Editors make voices on the Brand voices page.")
        st.selectbox("Tone (without a brand voice)", list(VOICES), key="brief_tone", format_func=str.capitalize,
                     help="; ".join(VOICES.values()))
        st.select_slider("Formality", options=list(FORMALITY), value=3, key="brief_formality",
                         format_func=lambda step: FORMALITY[step][0])
        st.slider("Temperature", 0.0, 2.0, DEFAULT_TEMPERATURE, 0.05, key="brief_temperature", help=TEMPERATURE_HINT)
        st.caption("Low: focused and predictable. High: more varied, riskier.")
        if choice is not None and not choice.sends_temperature:
            st.caption(f":material/warning: {ui.md_escape(choice.notice)}")
        st.number_input("Target length (words)", WORDS_MIN, WORDS_MAX, 600, 50, key="brief_words")
        st.selectbox("Language", list(LANGUAGES), key="brief_language", format_func=LANGUAGES.get)
        critic_choice(effective_settings().studio_critic_rounds, key="brief_critic")
    st.radio("How to write it", list(WRITING_MODES), key="brief_mode",
             format_func=lambda m: WRITING_MODES[m].format(min_words=min_words),
             help="In sections: an outline you can edit first, then one section at a time, so long pieces stay "
                  "coherent. Variants: 2–4 versions at different temperatures, written at once, side by side.")
    st.text_input("Variant temperatures", value="0.3, 0.9, 1.3", key="brief_variant_temps",
                  help="2 to 4 temperatures between 0 and 2, for “Variants side by side”.")
    st.form_submit_button("Generate", type="primary", disabled=config_problem is not None, on_click=on_generate)


def brief_from_form() -> Brief:
    return Brief.create(
        content_type=st.session_state.get("brief_type"),
        topic=st.session_state.get("brief_topic"),
        audience=st.session_state.get("brief_audience"),
        keywords=st.session_state.get("brief_keywords"),
        tone=st.session_state.get("brief_tone"),
        formality=st.session_state.get("brief_formality"),
        temperature=st.session_state.get("brief_temperature"),
        target_words=st.session_state.get("brief_words"),
        language=st.session_state.get("brief_language"),
        voice_id=st.session_state.get("brief_voice") or None,
        use_default_voice=False,
        source_ids=st.session_state.get("brief_sources") or [],
        search_sources=bool(st.session_state.get("brief_search_sources")),
        critic_rounds=rounds_from(st.session_state.get("brief_critic")),
    )


def generate(draft_id: int | None, mode: str = "one") -> None:
    try:
        brief = brief_from_form()
    except BriefError as exc:
        for field, problem in exc.problems.items():
            st.error(problem_text(field, ui.md_escape(problem)))
        return
    if mode == "long":
        compose.start_long(brief, user)
    elif mode == "variants":
        compose.start_variants(brief, user, st.session_state.get("brief_variant_temps") or "")
    else:
        compose.one_pass(brief, user, draft_id)


def show_one_pass() -> None:
    outcome = st.session_state.get("last_outcome")
    if not outcome:
        st.caption("The draft appears here as it is written.")
        return
    streamed_now = st.session_state.pop("last_streamed", False)
    if outcome["error"] and outcome.get("kept_revision"):
        ui.safe.message("error", outcome["error"], icon=":material/warning:")
        st.info(
            f"Draft #{outcome['draft_id']} is unchanged: revision {outcome['kept_revision']} is still its text. "
            + ("What had arrived is kept as an unfinished attempt on the draft's “How it was made” tab "
               "(My drafts), where you can read or restore it." if outcome.get("attempt_id") else "")
        )  # fmt: skip
        if st.button("Retry", type="primary", key="retry_button"):
            st.session_state["draft_action"] = "retry"
            st.rerun()
    elif outcome["error"]:
        ui.safe.message("error", outcome["error"], icon=":material/warning:")
        kept = "the brief and the text so far are" if outcome["text"] else "the brief is"
        st.caption(f"Saved as draft #{outcome['draft_id']}, marked incomplete: {kept} kept.")
        if not streamed_now and outcome["text"]:
            with st.container(border=True):
                ui.safe.markdown(outcome["text"])
        if st.button("Retry", type="primary", key="retry_button"):
            st.session_state["draft_action"] = "retry"
            st.rerun()
    else:
        if not streamed_now or changed_text(outcome):
            if streamed_now:  # the text streamed above is as first written
                st.markdown("**After the critic pass:**")
            with st.container(border=True):
                ui.safe.markdown(outcome["text"])
        meta = [f"Saved as draft #{outcome['draft_id']}", ui.md_escape(outcome["provider_label"])]
        if outcome["temperature"] is not None:
            meta.append(f"temperature {outcome['temperature']}")
        else:
            meta.append("temperature not sent")
        if outcome.get("time_to_first_token_ms") is not None:
            meta.append(f"first words after {outcome['time_to_first_token_ms']:.0f} ms")
        st.success(" · ".join(meta))
        show_critic(outcome)
        if outcome.get("voice_match"):
            voice_match_panel(VoiceMatch.from_dict(outcome["voice_match"]), outcome.get("voice_name"), None,
                              key=f"new_{outcome['draft_id']}")
        if outcome.get("citations"):
            cited = ", ".join(f"{c['id']} {ui.md_escape(c['title']) if c['title'] else '(not a passage it was given)'}"
                              for c in outcome["citations"])
            st.caption(f"Cites: {cited}. The claim ledger is on the draft's “Sources and claims” tab.")
        with st.expander("Edit the text", expanded=False):
            with st.form("edit_after_generate"):
                st.text_area("Markdown", value=outcome["text"], height=400, key="edit_text_value")
                actions.form_submit("Save", key="edit_after_generate_save", fields={"text": "edit_text_value"},
                                    action=lambda v, outcome=outcome: save_edit(v, outcome))
        cols = st.columns(2)
        if cols[0].button("Regenerate with these settings", key="regenerate_button"):
            st.session_state["draft_action"] = "regenerate"
            st.rerun()
        cols[1].page_link("pages/my_drafts.py", label="Open in My drafts", icon=":material/description:")


def save_edit(values: dict, outcome: dict) -> str:
    saved = ui.call(save_text, outcome["draft_id"], user, values["text"] or "", outcome["version"])
    outcome.update(text=values["text"], version=saved.draft_version)
    return f"Saved as revision {saved.number} of draft #{outcome['draft_id']}."


action = st.session_state.pop("draft_action", None)
outcome = st.session_state.get("last_outcome")
with output:
    compose.after_stop()
    if action == "generate":
        mode = writing_mode(st.session_state.get("brief_mode", "auto"), int(st.session_state.get("brief_words") or 0),
                            min_words)
        st.session_state[compose.MODE_KEY] = mode
        generate(None, mode)
    elif action == "resume" and st.session_state.get("generating"):
        generate(st.session_state["generating"])  # one pass: the double click finishes the same draft
    elif action in ("retry", "regenerate") and outcome:
        generate(outcome["draft_id"])
    mode = st.session_state.get(compose.MODE_KEY, "one")
    if mode == "long":
        compose.show_long(user)
    elif mode == "variants":
        compose.show_variants(user)
    else:
        show_one_pass()
