"""The pure rules of a training-data export: edit distance, material edits, redaction, rows."""

from __future__ import annotations

import json
import random

import pytest

from studio.feedback import rules


def _dp(a, b):
    """Textbook Levenshtein distance, to check the bit-parallel one against."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def test_edit_distance_counts_words_inserted_deleted_replaced():
    assert rules.edit_distance([], []) == 0
    assert rules.edit_distance("a b c".split(), []) == 3
    assert rules.edit_distance([], "a b".split()) == 2
    assert rules.edit_distance("the cat sat".split(), "the cat sat".split()) == 0
    assert rules.edit_distance("the cat sat".split(), "the dog sat".split()) == 1
    assert rules.edit_distance("the cat sat".split(), "the cat sat down".split()) == 1
    assert rules.edit_distance("kitten sitting".split(), "sitting kitten".split()) == 2


def test_edit_distance_agrees_with_the_textbook_algorithm_on_random_texts():
    rng = random.Random(18)
    vocabulary = "a b c d e f g".split()
    for _ in range(400):
        a = [rng.choice(vocabulary) for _ in range(rng.randint(0, 90))]
        b = [rng.choice(vocabulary) for _ in range(rng.randint(0, 90))]
        assert rules.edit_distance(a, b) == _dp(a, b), (a, b)


def test_edit_distance_of_long_drafts_is_exact():
    rng = random.Random(7)
    a = [f"w{rng.randint(0, 300)}" for _ in range(400)]
    b = list(a)
    for i in rng.sample(range(400), 40):
        b[i] = "changed"
    assert rules.edit_distance(a, b) == _dp(a, b) <= 40


def test_edit_size_ratio_is_over_the_longer_text():
    size = rules.edit_size("one two three four", "one two three four five six seven eight")
    assert size.distance == 4 and size.ratio == 0.5
    assert rules.edit_size("", "").ratio == 0.0


@pytest.mark.parametrize(
    ("given", "words", "ratio"),
    [("25", 25, None), ("0", 0, None), ("5%", None, 0.05), (" 12.5% ", None, 0.125), ("100%", None, 1.0)],
)
def test_min_edit_parses_words_or_a_share(given, words, ratio):
    parsed = rules.MinEdit.parse(given)
    assert parsed.words == words and parsed.ratio == ratio


@pytest.mark.parametrize("given", ["", "ten", "-3", "150%", "5 %x", "1.5"])
def test_min_edit_refuses_anything_else_with_a_sentence(given):
    with pytest.raises(rules.MinEditError, match="number of words"):
        rules.MinEdit.parse(given)


def test_a_change_counts_only_from_the_minimum_and_never_when_nothing_changed():
    small = rules.edit_size("a b c d e f g h i j", "a b c d e f g h i X")  # 1 of 10 words
    assert rules.MinEdit.parse("10%").met_by(small)
    assert not rules.MinEdit.parse("11%").met_by(small)
    assert rules.MinEdit.parse("1").met_by(small) and not rules.MinEdit.parse("2").met_by(small)
    same = rules.edit_size("a b", "a b")
    assert not rules.MinEdit.parse("0").met_by(same) and not rules.MinEdit.parse("0%").met_by(same)


def test_redact_replaces_the_email_and_phone_the_pii_check_finds():
    text = "Write to jane.doe@example.com or call +44 20 7946 0958 today. Version 1.2 ships."
    out, counts = rules.redact(text)
    assert out == "Write to [EMAIL] or call [PHONE] today. Version 1.2 ships."
    assert counts == {"email": 1, "phone": 1}


def test_redact_sees_through_invisible_characters():
    hidden = "Mail jane\u200b.doe@example.com now"
    out, counts = rules.redact(hidden)
    assert "example" not in out and counts == {"email": 1}
    assert out.startswith("Mail ") and out.endswith(" now")


def test_redact_leaves_text_without_personal_data_alone():
    text = "Plan the calendar in three steps; review every Friday."
    assert rules.redact(text) == (text, {})


def test_rows_have_the_documented_keys_and_roles():
    prompt = rules.Prompt(system="You write.", user="Brief: calendars")
    sft = rules.sft_row(prompt, "# Calendars")
    assert tuple(sft) == rules.SFT_KEYS
    assert [m["role"] for m in sft["messages"]] == ["system", "user", "assistant"]
    assert sft["messages"][2]["content"] == "# Calendars"
    dpo = rules.dpo_row(prompt, "good", "bad")
    assert tuple(dpo) == rules.DPO_KEYS
    assert [m["role"] for m in dpo["prompt"]] == ["system", "user"]
    assert dpo["chosen"] == [{"role": "assistant", "content": "good"}]
    assert dpo["rejected"] == [{"role": "assistant", "content": "bad"}]
    json.dumps(dpo)


def test_redact_row_cleans_every_message_and_counts():
    prompt = rules.Prompt(system="You write.", user="Audience: ann@example.org")
    row, counts = rules.redact_row(rules.dpo_row(prompt, "Call 202-555-0143.", "Mail ann@example.org."))
    assert row["prompt"][1]["content"] == "Audience: [EMAIL]"
    assert row["chosen"][0]["content"] == "Call [PHONE]."
    assert row["rejected"][0]["content"] == "Mail [EMAIL]."
    assert counts == {"email": 2, "phone": 1}
    assert rules.row_pii(row) == {}


def test_same_brief_ignores_case_and_spacing_only():
    assert rules.brief_key("Topic:  Calendars\nAudience: Teams") == rules.brief_key("topic: calendars audience: teams")
    assert rules.brief_key("Topic: Calendars") != rules.brief_key("Topic: Calendar")


def test_the_command_line_help_renders_with_the_contracts_flags(capsys):
    from studio.cli import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["feedback", "export", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    for flag in ("--format {sft,dpo}", "--out FILE", "--since DATE", "--type", "--redact-pii", "--as NAME",
                 "--min-edit-distance", "default 5%", "--provenance FILE"):
        assert flag in shown, flag
