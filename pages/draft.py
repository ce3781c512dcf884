"""Draft: the brief, the tone and temperature sliders, the streamed result."""

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
from studio.drafting.writer import DraftRun
from studio.errors import user_message
from studio.ui import actions, routing
from studio.ui.generation import current_choice, effective_settings
from studio.ui.onboarding import show_next_step

routing.guard(__file__)


user = ui.require_user()
st.title("New draft")
ui.show_flashes()
show_next_step(user)

choice, config_problem = current_choice()
if config_problem:
    ui.safe.message("error", config_problem)
elif choice is not None and choice.is_demo:
    st.info(f"**{ui.md_escape(choice.label)}.** Drafts are composed from your brief by a template, not written by AI. "
            "Set OPENAI_API_KEY or OPENAI_BASE_URL to use a model.", icon=":material/info:")
elif choice is not None:
    st.caption(f"Writing with **{ui.md_escape(choice.label)}**.")

BRIEF_KEYS = ("brief_type", "brief_topic", "brief_audience", "brief_keywords", "brief_tone", "brief_formality",
              "brief_temperature", "brief_words", "brief_language")


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


with st.form("brief_form"):
    left, right = st.columns([3, 2])
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
    with right:
        st.selectbox("Voice", list(VOICES), key="brief_tone", format_func=str.capitalize,
                     help="; ".join(VOICES.values()))
        st.select_slider("Formality", options=list(FORMALITY), value=3, key="brief_formality",
                         format_func=lambda step: FORMALITY[step][0])
        st.slider("Temperature", 0.0, 2.0, DEFAULT_TEMPERATURE, 0.05, key="brief_temperature", help=TEMPERATURE_HINT)
        st.caption("Low: focused and predictable. High: more varied, riskier.")
        if choice is not None and not choice.sends_temperature:
            st.caption(f":material/warning: {ui.md_escape(choice.notice)}")
        st.number_input("Target length (words)", WORDS_MIN, WORDS_MAX, 600, 50, key="brief_words")
        st.selectbox("Language", list(LANGUAGES), key="brief_language", format_func=LANGUAGES.get)
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
    )


def generate(draft_id: int | None) -> None:
    try:
        brief = brief_from_form()
    except BriefError as exc:
        for field, problem in exc.problems.items():
            st.error(problem_text(field, ui.md_escape(problem)))
        return
    try:
        run = DraftRun(brief, user, engine=ui.engine(), settings=effective_settings(), draft_id=draft_id)
        # The draft and its brief are saved before the first request (a refusal stops here).
        st.session_state["generating"] = run.start()
    except Exception as exc:  # noqa: BLE001
        message = user_message(exc)
        if message is None:
            raise
        ui.safe.message("error", message)
        return
    with st.container(border=True, key="draft_stream"):
        ui.safe.stream_markdown(run.stream())
    st.session_state.pop("generating", None)
    st.session_state["last_outcome"] = run.outcome.as_dict() | {"version": run.outcome.draft_version}
    st.session_state["last_streamed"] = True


def save_edit(values: dict, outcome: dict) -> str:
    saved = ui.call(save_text, outcome["draft_id"], user, values["text"] or "", outcome["version"])
    outcome.update(text=values["text"], version=saved.draft_version)
    return f"Saved as revision {saved.number} of draft #{outcome['draft_id']}."


action = st.session_state.pop("draft_action", None)
outcome = st.session_state.get("last_outcome")
if action == "generate":
    generate(None)
elif action == "resume" and st.session_state.get("generating"):
    generate(st.session_state["generating"])
elif action == "retry" and outcome:
    generate(outcome["draft_id"])
elif action == "regenerate" and outcome:
    generate(outcome["draft_id"])

outcome = st.session_state.get("last_outcome")
if outcome:
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
        if not streamed_now:
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
        with st.expander("Edit the text", expanded=False):
            with st.form("edit_after_generate"):
                st.text_area("Markdown", value=outcome["text"], height=400, key="edit_text_value")
                actions.form_submit("Save", key="edit_after_generate_save", fields={"text": "edit_text_value"},
                                    action=lambda v, outcome=outcome: save_edit(v, outcome))
        cols = st.columns([1, 1, 3])
        if cols[0].button("Regenerate with these settings", key="regenerate_button"):
            st.session_state["draft_action"] = "regenerate"
            st.rerun()
        cols[1].page_link("pages/my_drafts.py", label="Open in My drafts", icon=":material/description:")
