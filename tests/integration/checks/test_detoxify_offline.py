"""Detoxify through its real loading code, offline, with a tiny checkpoint built here."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tiny_detoxify  # noqa: E402

from studio.checks import detoxify
from studio.checks.pipeline import check
from studio.checks.text import sentences as split_sentences
from studio.config import Settings  # noqa: E402

LABELS = {"toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No network at all: hub offline and any socket connect fails loudly."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")

    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    detoxify.clear_model_cache()
    yield
    detoxify.clear_model_cache()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_detoxify.build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tiny_short(tmp_path_factory):
    """Same weights, but a tokenizer limit of 16 tokens, to force sentence cutting."""
    return tiny_detoxify.build(tmp_path_factory.mktemp("tiny16"), model_max_length=16)


def settings_for(ckpt, cfg, **kw) -> Settings:
    return Settings(studio_detoxify_checkpoint=str(ckpt), studio_detoxify_config_dir=str(cfg), **kw)


def test_detoxify_runs_and_findings_point_at_the_toxic_sentence(tiny):
    ckpt, cfg = tiny
    text = "We love our customers. You are an idiot! Thanks everyone for the new release notes."
    report = check(text, settings_for(ckpt, cfg))

    status = {b.name: b for b in report.backends}
    assert status["detoxify"].status == "ran"
    assert status["profanity-check"].status == "skipped"
    tox = report.by_category("toxicity")
    assert {f.label for f in tox} == LABELS  # one finding per sentence + label over threshold
    for f in tox:
        assert (f.start, f.end) == (23, 40)
        assert f.text == "You are an idiot!" == text[f.start : f.end]
        assert f.score is not None and f.score > 0.9
        assert f.severity == "block"
        assert f.rule == f"detoxify.{f.label}"
    assert report.verdict == "block"


def test_clean_text_passes_and_must_not_flag_phrases_stay_clean(tiny):
    ckpt, cfg = tiny
    text = "This killer feature is crushing the quarter. Thanks everyone for the great launch today."
    report = check(text, settings_for(ckpt, cfg))
    assert report.by_category("toxicity") == []
    assert report.verdict == "pass"


def _count_batches(model, monkeypatch):
    """Record the size of every batch the network sees."""
    seen: list[int] = []
    real = model.net

    class Spy:
        def __call__(self, input_ids, attention_mask):
            seen.append(input_ids.shape[0])
            return real(input_ids=input_ids, attention_mask=attention_mask)

    monkeypatch.setattr(model, "net", Spy())
    return seen


def test_batching_scores_every_sentence_once_in_length_sorted_batches(tiny, monkeypatch):
    ckpt, cfg = tiny
    sentences = [
        "You are an idiot." if i % 7 == 3 else f"We love our customers in week {i}." for i in range(40)
    ]
    text = " ".join(sentences)
    settings = settings_for(ckpt, cfg)
    model = detoxify.load_detoxify(settings)
    seen = _count_batches(model, monkeypatch)
    findings = detoxify.run_detoxify(text, split_sentences(text), settings, batch_size=8)

    # 34 different clean sentences and one insult written six times: 35 texts, each scored once.
    assert seen == [8, 8, 8, 8, 3]
    flagged = sorted({(f.start, f.end) for f in findings})
    expected = []
    pos = 0
    for s in sentences:
        if "idiot" in s:
            expected.append((pos, pos + len(s)))
        pos += len(s) + 1
    assert flagged == expected
    assert all(text[a:b] == "You are an idiot." for a, b in flagged)


def test_a_new_revision_runs_the_model_only_on_sentences_it_has_not_scored(tiny, monkeypatch):
    ckpt, cfg = tiny
    settings = settings_for(ckpt, cfg)
    paragraphs = [" ".join(f"We love our customers in week {p * 10 + i}." for i in range(10)) for p in range(4)]
    text = "\n\n".join(paragraphs)
    model = detoxify.load_detoxify(settings)
    seen = _count_batches(model, monkeypatch)
    first = check(text, settings)
    assert sum(seen) == 40 and first.verdict == "pass"

    seen.clear()
    assert check(text, settings).to_dict()["findings"] == first.to_dict()["findings"]
    assert seen == []  # the same text again: every score from the cache

    edited = text.replace(paragraphs[2], "You are an idiot. Thanks everyone for the new release notes.")
    seen.clear()
    report = check(edited, settings)
    assert sum(seen) == 2  # only the edited paragraph's two new sentences
    assert [f.text for f in report.by_category("toxicity")][:1] == ["You are an idiot."]
    assert report.verdict == "block"


def test_int8_and_fp32_agree_on_the_tiny_model(tiny):
    ckpt, cfg = tiny
    text = "You are an idiot. We love our customers. Thanks everyone for the release notes."
    fp32 = check(text, settings_for(ckpt, cfg, studio_toxicity_precision="fp32"))
    int8 = check(text, settings_for(ckpt, cfg, studio_toxicity_precision="int8"))
    a = {(f.start, f.label): f.score for f in fp32.by_category("toxicity")}
    b = {(f.start, f.label): f.score for f in int8.by_category("toxicity")}
    assert a.keys() == b.keys() and a
    assert max(abs(a[k] - b[k]) for k in a) < 0.05
    reasons = {r: {b.name: b.reason for b in rep.backends}["detoxify"] for r, rep in (("fp32", fp32), ("int8", int8))}
    assert "fp32" in reasons["fp32"] and "int8" in reasons["int8"]


def test_threads_follow_the_setting(tiny):
    import torch

    ckpt, cfg = tiny
    before = torch.get_num_threads()
    try:
        check("We love our customers.", settings_for(ckpt, cfg, studio_toxicity_threads=1))
        assert torch.get_num_threads() == 1
        runtime = detoxify.Runtime.from_settings(settings_for(ckpt, cfg))
        assert runtime.threads == detoxify.cpu_count() and runtime.device == "cpu"
    finally:
        torch.set_num_threads(before)


def test_long_sentence_is_cut_under_the_token_limit(tiny_short):
    ckpt, cfg = tiny_short
    words = ["we", "love", "our", "customers", "and", "the", "team"] * 5
    long_sentence = " ".join(words) + " you idiot"
    text = "Release notes today. " + long_sentence + "."
    settings = settings_for(ckpt, cfg)
    model = detoxify.load_detoxify(settings)
    assert model.max_tokens == 16
    pieces = [p for s in split_sentences(text) for p in model.pieces(s)]
    assert len(pieces) > 2
    for p in pieces:
        assert text[p.start : p.end] == p.text
        n = len(model.model.tokenizer(p.text)["input_ids"])
        assert n <= 16, (p.text, n)
    report = check(text, settings)
    tox = report.by_category("toxicity")
    assert tox, "the piece with the insult must be flagged"
    spans = {(f.start, f.end) for f in tox}
    assert len(spans) == 1
    (a, b), = spans
    assert "idiot" in text[a:b]
    assert not text[a:b].startswith("Release")  # not the whole text, just the piece
    assert b - a < len(long_sentence)


def test_checkpoint_found_in_torch_hub_cache(tiny, tmp_path):
    import torch

    ckpt, cfg = tiny
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        dest = tmp_path / "hub" / "checkpoints" / detoxify.DETOXIFY_FILES["original"]
        settings = Settings(studio_toxicity_model="original", studio_detoxify_config_dir=str(cfg))
        assert check("You are an idiot.", settings).verdict == "block"  # via fallback
        assert {b.name: b.status for b in check("Hi.", settings).backends}["detoxify"] == "unavailable"
        dest.parent.mkdir(parents=True)
        shutil.copy(ckpt, dest)
        report = check("You are an idiot. We love our customers.", settings)
        assert {b.name: b.status for b in report.backends}["detoxify"] == "ran"
        assert {(f.start, f.end) for f in report.by_category("toxicity")} == {(0, 17)}
    finally:
        torch.hub.set_dir(old)


def test_model_is_loaded_once_and_cached(tiny, monkeypatch):
    import detoxify

    ckpt, cfg = tiny
    calls = []
    real = detoxify.Detoxify

    class Counting(real):
        def __init__(self, *a, **k):
            calls.append(k)
            super().__init__(*a, **k)

    monkeypatch.setattr(detoxify, "Detoxify", Counting)
    settings = settings_for(ckpt, cfg)
    check("We love our customers.", settings)
    check("You are an idiot.", settings)
    assert len(calls) == 1
    assert calls[0]["checkpoint"] == str(ckpt)
    assert calls[0]["huggingface_config_path"] == str(cfg)


def test_corrupt_checkpoint_falls_back_and_says_why(tiny, tmp_path):
    _, cfg = tiny
    bad = tmp_path / "broken-deadbeef.ckpt"
    bad.write_bytes(b"not a checkpoint")
    report = check("You are a fucking idiot.", settings_for(bad, cfg))
    status = {b.name: b for b in report.backends}
    assert status["detoxify"].status == "unavailable"
    assert "failed to load" in status["detoxify"].reason
    assert status["profanity-check"].status == "ran"
    assert "Detoxify did not run" in status["profanity-check"].reason
    assert report.verdict == "block"


def test_report_json_contract(tiny):
    ckpt, cfg = tiny
    report = check("You are an idiot. Email me at jo@example.com.", settings_for(ckpt, cfg))
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"verdict", "backends", "findings"}
    for b in data["backends"]:
        assert set(b) >= {"name", "status", "reason"}
    for f in data["findings"]:
        assert set(f) >= {"category", "label", "start", "end", "text", "severity", "score", "suggestions", "rule"}
    assert {f["category"] for f in data["findings"]} == {"toxicity", "pii"}
