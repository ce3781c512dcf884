"""studio.publishing.propose_fields: structured output → JSON text → derived, never raising."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from studio.content import cut_at_word
from studio.drafting.brief import Brief
from studio.drafting.demo import DemoWriter
from studio.drafting.field_proposals import first_json_object, propose_fields
from studio.publishing.fields import META_MAX, derive_fields, parse_terms

BRIEF = Brief.create(content_type="blog", topic="spring planning for small teams", keywords="planning, small teams")
BODY = (
    "# Spring planning for small teams\n\n"
    "Small teams win spring when they plan **early**, keep the plan [short](https://example.com) "
    "and review it every single week together, so that nobody is surprised by a deadline and every "
    "campaign has an owner who knows exactly what to do next.\n\n"
    "## Start early\n\nText.\n\n## Conclusion\n\nDone.\n"
)
GOOD = {
    "title": "Spring planning that small teams keep",
    "slug": "Spring Planning: Small Teams!",
    "excerpt": "How small teams plan spring campaigns early and keep them on track.",
    "meta_description": "A short guide for small teams: plan spring early, keep it short, review weekly.",
    "tags": ["planning", "Planning", "small teams", ""],
    "categories": ["Guides"],
}


class StructuredFake(GenericFakeChatModel):
    """A fake whose structured output returns ``structured`` (or raises it, if an exception)."""

    structured: Any = None
    calls: list[str] = []

    def with_structured_output(self, schema: Any, **kwargs: Any):  # type: ignore[override]
        assert kwargs.get("method") == "json_schema"
        self.calls.append("structured")

        def answer(_messages: Any) -> Any:
            if isinstance(self.structured, Exception):
                raise self.structured
            return schema(**self.structured) if isinstance(self.structured, dict) else self.structured

        return RunnableLambda(answer)


def test_structured_output_is_used_and_normalised():
    model = StructuredFake(messages=iter([]), structured=GOOD, calls=[])
    fields = propose_fields(model, BRIEF, BODY)
    assert fields.source == "model" and fields.note == ""
    assert fields.title == GOOD["title"]
    assert fields.slug == "spring-planning-small-teams"
    assert fields.tags == ("planning", "small teams") and fields.categories == ("Guides",)
    assert model.calls == ["structured"]


def test_a_server_without_json_schema_falls_back_to_json_in_text():
    reply = "Sure! Here you go:\n```json\n" + json.dumps(GOOD) + "\n```\nAnything else?"
    model = StructuredFake(
        messages=iter([AIMessage(reply)]),
        structured=ValueError("response_format json_schema is not supported"),
        calls=[],
    )
    fields = propose_fields(model, BRIEF, BODY)
    assert fields.source == "json_text"
    assert "structured output" in fields.note
    assert fields.title == GOOD["title"] and fields.meta_description == GOOD["meta_description"]


def test_plain_fake_models_have_no_structured_output_and_use_the_json_reply():
    # FakeListChatModel has no bind_tools: with_structured_output raises, the JSON path answers.
    model = FakeListChatModel(responses=['{"title": "From JSON", "tags": "a, b, a"}'])
    fields = propose_fields(model, BRIEF, BODY)
    assert fields.source == "json_text"
    assert fields.title == "From JSON" and fields.slug == "from-json" and fields.tags == ("a", "b")
    # what the model left out comes from the text
    assert fields.excerpt.startswith("Small teams win spring") and fields.categories == ("Blog",)


def test_unreadable_answers_end_in_derived_fields_with_a_note():
    model = FakeListChatModel(responses=["I'd rather write a poem about spring."])
    fields = propose_fields(model, BRIEF, BODY)
    assert fields.source == "derived"
    assert "derived from the text" in fields.note and "JSON reply failed" in fields.note
    assert fields.title == "Spring planning for small teams"


def test_a_model_that_raises_everywhere_still_gives_fields():
    class Broken(GenericFakeChatModel):
        def with_structured_output(self, *a: Any, **k: Any):  # type: ignore[override]
            raise RuntimeError("boom")

        def invoke(self, *a: Any, **k: Any):  # type: ignore[override]
            raise ConnectionError("server went away")

    fields = propose_fields(Broken(messages=iter([])), BRIEF, BODY)
    assert fields.source == "derived" and "ConnectionError" in fields.note


def test_the_demo_writer_gets_derived_fields_without_being_called():
    fields = propose_fields(DemoWriter(seed=1), BRIEF, BODY)
    assert fields.source == "derived" and "demo writer" in fields.note
    assert fields == replace(derive_fields(BRIEF, BODY), note=fields.note)


def test_derivation_from_markdown():
    fields = derive_fields(BRIEF, BODY)
    assert fields.title == "Spring planning for small teams"
    assert fields.slug == "spring-planning-for-small-teams"
    assert fields.excerpt.startswith("Small teams win spring when they plan early, keep the plan short and")
    assert "**" not in fields.excerpt and "https://" not in fields.excerpt
    assert len(fields.meta_description) <= META_MAX and fields.meta_description.endswith("…")
    assert not fields.meta_description[:-1].endswith(" ")
    assert fields.tags == ("planning", "small teams") and fields.categories == ("Blog",)
    no_keywords = Brief.create(content_type="news", topic="a new bridge opens")
    fields = derive_fields(no_keywords, "Just one paragraph, no heading.\n\nAnother one.\n")
    assert fields.title == "A new bridge opens" and fields.categories == ("News",)
    assert fields.tags == () and fields.excerpt == "Just one paragraph, no heading."
    # Like the export, the first heading of any level is the title; H2 sections become tags.
    fields = derive_fields(no_keywords, "Lede first.\n\n## Traffic\n\nx\n\n## Parking\n\ny\n")
    assert fields.title == "Traffic" and fields.tags == ("Traffic", "Parking")


def test_meta_is_cut_to_160_at_a_word_boundary_whatever_the_model_says():
    long_meta = " ".join(["word"] * 80)
    model = FakeListChatModel(responses=[json.dumps({**GOOD, "meta_description": long_meta})])
    fields = propose_fields(model, BRIEF, BODY)
    assert len(fields.meta_description) <= META_MAX
    assert fields.meta_description.endswith("word…")
    assert cut_at_word("short", 160) == "short"
    assert len(cut_at_word("x" * 500, 160)) == 160


def test_helpers():
    assert first_json_object('no json here') is None
    assert first_json_object('[1, 2] then {"a": "}"} after') == {"a": "}"}
    assert first_json_object('{broken {"ok": true}') == {"ok": True}
    assert parse_terms(" a, #b ,A,, c ") == ["a", "b", "c"]
    assert parse_terms(["x", " x ", "Y"]) == ["x", "Y"]
