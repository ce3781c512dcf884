"""Prices (dated defaults, admin prices, local servers) and the budget policy."""

from __future__ import annotations

import contextvars

import pytest

from studio.usage import context as usage
from studio.usage import tokens
from studio.usage.policy import BudgetLine, money, refusal, warnings
from studio.usage.prices import DEFAULT_PRICES, PRICES_READ_ON, resolve


def test_defaults_cover_common_openai_models_with_the_date_they_were_read():
    for model in ("gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini", "o4-mini"):
        assert model in DEFAULT_PRICES
    price = resolve("gpt-4o-mini", "api.openai.com", {})
    assert (price.input_per_million, price.output_per_million, price.source) == (0.15, 0.60, "default")
    assert PRICES_READ_ON.isoformat() in price.label
    assert price.cost(1_000_000, 1_000_000) == pytest.approx(0.75)


def test_dated_model_names_take_their_family_price_and_the_longest_name_wins():
    assert resolve("gpt-4o-mini-2024-07-18", "api.openai.com", {}).model == "gpt-4o-mini"
    assert resolve("gpt-4o-2024-08-06", "api.openai.com", {}).model == "gpt-4o"
    assert resolve("some-new-model", "api.openai.com", {}) is None


def test_local_servers_cost_nothing_unless_an_admin_priced_the_model_for_any_server():
    assert resolve("gpt-4o", "localhost:11434", {}).cost(10**6, 10**6) == 0
    assert resolve("llama3.1", "localhost:11434", {"llama3.1": (1.0, 2.0, False)}).source == "local"
    priced = resolve("llama3.1", "localhost:11434", {"llama3.1": (1.0, 2.0, True)})
    assert (priced.source, priced.cost(10**6, 0)) == ("admin", 1.0)
    assert resolve("gpt-4o-mini", "api.openai.com", {"gpt-4o-mini": (9.0, 9.0, False)}).input_per_million == 9.0


def test_a_hard_budget_refuses_a_call_that_would_pass_it_naming_whose_and_what_is_left():
    lines = [BudgetLine("person", "Mara Marketer", 5.0, True, 4.90)]
    assert refusal(lines, 0.05) is None
    message = refusal(lines, 0.20)
    assert message.startswith("Not sent: Mara Marketer's monthly budget of $5.00 has $0.10 left")
    assert "about $0.20" in message
    workspace = [BudgetLine("workspace", "the workspace", 100.0, True, 100.0)]
    assert refusal(workspace, 0.001).startswith("Not sent: The workspace's monthly budget of $100.00 has $0.00 left")


def test_a_soft_budget_never_refuses_and_warns_from_eighty_percent():
    assert refusal([BudgetLine("person", "Mara", 1.0, False, 5.0)], 1.0) is None
    assert warnings([BudgetLine("person", "Mara", 10.0, False, 7.0)]) == []
    assert "85%" in warnings([BudgetLine("person", "Mara", 10.0, False, 8.5)])[0]
    assert "passed" in warnings([BudgetLine("person", "Mara", 10.0, False, 12.0)])[0]
    assert "used up" in warnings([BudgetLine("workspace", "the workspace", 10.0, True, 10.0)])[0]


def test_money_shows_small_amounts_to_the_tenth_of_a_cent():
    assert (money(0.0042), money(1234.5), money(0), money(None)) == ("$0.0042", "$1,234.50", "$0.00", "unknown")


def test_tokens_are_estimated_and_marked_when_no_tokenizer_is_on_this_machine(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty: nothing to count with
    tokens._encodings.clear()
    assert tokens.count("a" * 40, "gpt-4o") == (10, "estimated")
    assert tokens.count("hello", "llama3.1") == (2, "estimated")


def test_tokens_are_counted_with_tiktoken_when_its_encoding_is_there(monkeypatch):
    class Encoding:
        def encode(self, text, disallowed_special=()):  # type: ignore[no-untyped-def]
            return text.split()

    monkeypatch.setattr(tokens, "encoding_for", lambda model: Encoding())
    assert tokens.count("one two three", "gpt-4o") == (3, "counted")
    n, how = tokens.count_messages(["one two", "three"], "gpt-4o")
    assert (n, how) == (3 + 2 * tokens.TOKENS_PER_MESSAGE + tokens.TOKENS_PER_REPLY, "counted")


def test_the_feature_context_defaults_to_draft_and_nests():
    # In a fresh context: an earlier test in this thread may have left a person acting.
    contextvars.Context().run(_feature_context_defaults_and_nests)


def _feature_context_defaults_and_nests() -> None:
    assert usage.current().feature == "draft"
    with usage.acting(7), usage.feature("revise"):
        assert (usage.current().feature, usage.current().person_id) == ("revise", 7)
        with usage.feature("section"):
            assert usage.current().feature == "section"
        assert usage.current().feature == "revise"
    assert usage.current() == usage.CallContext()
    with pytest.raises(ValueError):
        usage.feature("nonsense")
