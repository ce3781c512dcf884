"""Prompts, brief validation, parameter passing and the demo writer: no I/O."""

from __future__ import annotations

import pytest

from studio.config import Settings
from studio.drafting.brief import CONTENT_TYPES, FORMALITY, VOICES, Brief, BriefError
from studio.drafting.demo import DEMO_LABEL, DemoWriter
from studio.drafting.prompts import NEEDS_SOURCE, build_messages
from studio.drafting.providers import (
    ProviderConfigError,
    get_chat_model,
    model_accepts_temperature,
    resolve_provider,
)


def brief(**over) -> Brief:
    values = dict(content_type="blog", topic="Planning a content calendar", audience="small B2B teams",
                  keywords="editorial calendar, SEO", tone="friendly", formality=3, temperature=0.7,
                  target_words=500, language="en")
    values.update(over)
    return Brief.create(**values)


@pytest.mark.parametrize("content_type", list(CONTENT_TYPES))
def test_every_type_has_its_conventions_in_the_system_prompt(content_type):
    system, human = build_messages(brief(content_type=content_type))
    assert system.type == "system" and human.type == "human"
    text = system.content
    expected = {
        "blog": ["level-2 heading", "call to action", "introduction"],
        "news": ["lede", "inverted-pyramid", "Never invent quotes", NEEDS_SOURCE],
        "story": ["narrative arc", "turning point", "resolution"],
    }[content_type]
    for phrase in expected:
        assert phrase in text
    assert "Markdown" in text
    assert "Planning a content calendar" in human.content


@pytest.mark.parametrize("step", list(FORMALITY))
def test_formality_steps_reach_the_prompt_as_words(step):
    system, human = build_messages(brief(formality=step))
    label, description = FORMALITY[step]
    assert description in system.content
    assert f"{step}/5 ({label.lower()})" in human.content


def test_formality_steps_differ_from_each_other():
    systems = {build_messages(brief(formality=s))[0].content for s in FORMALITY}
    assert len(systems) == 5


@pytest.mark.parametrize("voice", list(VOICES))
def test_voice_reaches_the_prompt_as_a_description(voice):
    system, _ = build_messages(brief(tone=voice))
    assert VOICES[voice] in system.content
    # A description, not just the enum name.
    assert len(VOICES[voice].split()) > 5


def test_language_and_length_reach_the_prompt():
    system, _ = build_messages(brief(language="de", target_words=900))
    assert "Write in German" in system.content
    assert "about 900 words" in system.content


def test_braces_in_the_topic_are_text_not_template_fields():
    _, human = build_messages(brief(topic="Why {variables} and {{braces}} matter"))
    assert "Why {variables} and {{braces}} matter" in human.content


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("topic", "", "Topic is empty"),
        ("topic", "   \n\t ", "Topic is empty"),
        ("topic", "x" * 301, "limit is 300"),
        ("temperature", 2.5, "between 0.0 and 2.0"),
        ("temperature", -0.1, "between 0.0 and 2.0"),
        ("temperature", "hot", "between 0.0 and 2.0"),
        ("target_words", 20, "100–3000"),
        ("target_words", 99999, "100–3000"),
        ("content_type", "poem", "Unknown content type 'poem'"),
        ("tone", "angry", "Unknown voice"),
        ("formality", 7, "1 (very formal) to 5"),
        ("language", "xx", "Unsupported language"),
    ],
)
def test_bad_briefs_name_the_field(field, value, fragment):
    with pytest.raises(BriefError) as caught:
        brief(**{field: value})
    assert field in caught.value.problems
    assert fragment in caught.value.problems[field]


def test_several_problems_are_reported_together():
    with pytest.raises(BriefError) as caught:
        brief(topic="", temperature=3)
    assert set(caught.value.problems) == {"topic", "temperature"}


def test_control_characters_are_dropped_and_keywords_deduplicated():
    b = brief(topic="Launch day\x1b", keywords="SEO, seo , , planning")
    assert b.topic == "Launch day"
    assert b.keywords == ["SEO", "planning"]


@pytest.mark.parametrize("field,value", [("topic", "Launch\x00 day"), ("audience", "teams\udcff"),
                                         ("keywords", "SEO, pla\x00nning")])
def test_nul_and_bytes_that_are_not_utf8_are_refused_naming_the_field(field, value):
    with pytest.raises(BriefError) as caught:
        brief(**{field: value})
    assert set(caught.value.problems) == {field}
    assert caught.value.problems[field].startswith(field.capitalize() + " contains")


@pytest.mark.parametrize(
    "model,accepts",
    [("gpt-4o-mini", True), ("gpt-4.1", True), ("o1", False), ("o3-mini", False), ("o4-mini", False),
     ("gpt-5", False), ("gpt-5-mini", False), ("gpt-5-chat-latest", True), ("llama3.1", True),
     ("openai/o3", False), ("ollama-o1-lookalike", True)],
)
def test_reasoning_models_do_not_take_temperature(model, accepts):
    assert model_accepts_temperature(model) is accepts


def test_temperature_is_passed_to_the_openai_chat_model():
    settings = Settings(openai_api_key="sk-test", studio_model="gpt-4o-mini")
    choice = resolve_provider(settings)
    chat = get_chat_model(settings, choice, temperature=1.3)
    assert chat.temperature == 1.3
    assert "temperature" in chat._default_params and chat._default_params["temperature"] == 1.3


def test_temperature_is_omitted_for_reasoning_models_and_the_ui_is_told():
    settings = Settings(openai_api_key="sk-test", studio_model="o3-mini")
    choice = resolve_provider(settings)
    assert not choice.sends_temperature
    assert "does not accept a temperature" in choice.notice
    chat = get_chat_model(settings, choice, temperature=1.3)
    assert chat._default_params.get("temperature") is None


def test_auto_provider_is_demo_without_key_or_server():
    choice = resolve_provider(Settings())
    assert choice.is_demo and choice.label == DEMO_LABEL


def test_auto_provider_uses_a_local_server_without_key():
    choice = resolve_provider(Settings(openai_base_url="http://localhost:11434/v1", studio_model="llama3.1"))
    assert choice.provider == "openai" and choice.label == "llama3.1 via localhost:11434"


def test_openai_without_key_or_base_url_names_the_fix():
    with pytest.raises(ProviderConfigError, match="OPENAI_API_KEY"):
        resolve_provider(Settings(), provider="openai")


def test_a_base_url_that_is_not_a_url_is_refused():
    with pytest.raises(ProviderConfigError, match="not a web address"):
        resolve_provider(Settings(openai_base_url="localhost:11434"), provider="openai")


def test_key_is_masked():
    s = Settings(openai_api_key="sk-abcdefghijklmnop1234")
    assert s.masked_key() == "sk-…1234"
    assert "abcdefghijklmnop" not in repr(s)


def _demo_text(b: Brief, seed: int | None, temperature: float | None = None) -> str:
    writer = DemoWriter(seed=seed, temperature=b.temperature if temperature is None else temperature)
    return "".join(chunk.content for chunk in writer.stream(build_messages(b)))


def test_demo_writer_same_seed_same_text():
    b = brief()
    assert _demo_text(b, 7) == _demo_text(b, 7)


def test_demo_writer_streams_the_same_text_it_generates():
    b = brief()
    writer = DemoWriter(seed=3, temperature=0.7)
    streamed = [c.content for c in writer.stream(build_messages(b))]
    assert len(streamed) > 10
    assert "".join(streamed) == writer.invoke(build_messages(b)).content


def test_demo_writer_temperature_varies_the_choices():
    b = brief()
    at_zero = {_demo_text(b, s, 0.0) for s in range(6)}
    at_two = {_demo_text(b, s, 2.0) for s in range(6)}
    assert len(at_zero) == 1
    assert len(at_two) > 1


def test_demo_blog_has_sections_from_keywords_and_a_call_to_action():
    text = _demo_text(brief(keywords="editorial calendar, SEO"), 1)
    assert text.startswith("# ")
    assert "## Editorial calendar" in text and "## SEO" in text
    assert "## Conclusion" in text


def test_demo_news_marks_missing_facts_and_invents_no_quotes():
    text = _demo_text(brief(content_type="news"), 1)
    assert NEEDS_SOURCE in text
    assert '"' not in text


def test_demo_story_has_an_arc():
    text = _demo_text(brief(content_type="story", keywords="teamwork"), 1)
    assert text.startswith("# ")
    assert "turning point" in text.lower() and "***" in text


def test_a_changed_base_url_never_receives_the_configured_key():
    from studio.drafting.providers import with_override

    configured = Settings(openai_api_key="sk-secret-key-1234", openai_base_url="https://api.example-llm.test/v1")
    moved = with_override(configured, {"openai_base_url": "http://attacker.test/v1", "studio_model": "m"})
    assert moved.openai_api_key is None and moved.studio_model == "m"
    same = with_override(configured, {"openai_base_url": "https://api.example-llm.test/v1", "studio_model": "m"})
    assert same.openai_api_key.get_secret_value() == "sk-secret-key-1234"
    assert with_override(configured, {"openai_api_key": "sk-injected"}) is configured


def test_a_problem_names_its_field_once():
    from studio.drafting.brief import BriefError, problem_text

    try:
        Brief.create(content_type="blog", topic="  ", tone="grumpy")
    except BriefError as exc:
        shown = {f: problem_text(f, p) for f, p in exc.problems.items()}
    assert shown["topic"].startswith("Topic is empty.") and "Topic: Topic" not in shown["topic"]
    assert shown["tone"].startswith("**Voice:** Unknown voice")
