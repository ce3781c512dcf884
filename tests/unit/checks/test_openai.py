"""OpenAI moderation tier: category mapping, batching and failures (fake client, no I/O)."""

from types import SimpleNamespace

from openai.types import ModerationCreateResponse

from studio.checks import toxicity
from studio.checks.pipeline import check

CATS = [
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence",
    "violence/graphic",
]


def result(**scores):
    full = {c: 0.001 for c in CATS}
    full.update({k.replace("__", "/").replace("_", "-"): v for k, v in scores.items()})
    return {
        "flagged": any(v >= 0.5 for v in full.values()),
        "categories": {c: full[c] >= 0.5 for c in CATS},
        "category_scores": full,
        "category_applied_input_types": {c: ["text"] for c in CATS},
    }


class FakeClient:
    def __init__(self, scorer):
        self.calls = []
        self.moderations = SimpleNamespace(create=self.create)
        self.scorer = scorer

    def create(self, model, input):
        self.calls.append((model, list(input)))
        return ModerationCreateResponse.model_validate(
            {"id": "modr-1", "model": model, "results": [self.scorer(t) for t in input]}
        )


def test_openai_categories_are_mapped(make_settings, monkeypatch):
    def scorer(t):
        if "kill" in t:
            return result(harassment__threatening=0.93, violence=0.7)
        if "hate" in t:
            return result(hate=0.6)
        return result()

    client = FakeClient(scorer)
    monkeypatch.setattr(toxicity, "make_openai_client", lambda s: client)
    s = make_settings(studio_openai_moderation=True, openai_base_url="http://127.0.0.1:1/v1")
    text = "We love our users. I will kill you. We hate those people."
    r = check(text, s)
    st = {b.name: b.status for b in r.backends}
    assert st["openai-moderation"] == "ran" and st["profanity-check"] == "ran"
    got = sorted((f.text, f.label, f.severity, f.rule) for f in r.findings if f.rule.startswith("openai."))
    assert got == [
        ("I will kill you.", "threat", "block", "openai.threat"),
        ("We hate those people.", "identity_attack", "warn", "openai.identity_attack"),
    ]
    assert client.calls[0][0] == "omni-moderation-latest"
    assert client.calls[0][1] == ["We love our users.", "I will kill you.", "We hate those people."]
    assert r.verdict == "block"


def test_openai_batches_inputs(make_settings, monkeypatch):
    client = FakeClient(lambda t: result())
    monkeypatch.setattr(toxicity, "make_openai_client", lambda s: client)
    s = make_settings(studio_openai_moderation=True, openai_api_key="sk-test")
    check(" ".join(f"Sentence number {i}." for i in range(70)), s)
    assert [len(c[1]) for c in client.calls] == [32, 32, 6]


def test_openai_error_is_unavailable_not_a_crash(make_settings, monkeypatch):
    class Boom:
        moderations = SimpleNamespace(create=lambda **k: (_ for _ in ()).throw(ConnectionError("refused")))

    monkeypatch.setattr(toxicity, "make_openai_client", lambda s: Boom())
    s = make_settings(studio_openai_moderation=True, openai_api_key="sk-test")
    r = check("Hello there.", s)
    st = {b.name: b for b in r.backends}["openai-moderation"]
    assert st.status == "unavailable" and "refused" in st.reason
    assert r.verdict == "pass"  # profanity-check still ran


def test_real_client_is_built_from_settings(make_settings):
    s = make_settings(openai_api_key="sk-abc", openai_base_url="http://127.0.0.1:1/v1", studio_max_retries=0)
    c = toxicity.make_openai_client(s)
    assert str(c.base_url).startswith("http://127.0.0.1:1/v1")
    assert c.max_retries == 0
