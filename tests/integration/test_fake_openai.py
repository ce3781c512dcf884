"""The fake OpenAI server, proven through the real `openai` and `langchain-openai` clients.

These tests also pin down which exception each fault produces in each client, which the
studio maps to user-facing messages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessageChunk
from langchain_openai import ChatOpenAI

from tests.support.fake_openai import FakeOpenAI, count_tokens, default_article

REPO_ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [
    {"role": "system", "content": "You are a marketing writer."},
    {"role": "user", "content": "Topic: remote work tips for small teams\nAudience: managers"},
]
REPLY = "Hello from the fake server. " * 5  # 140 chars -> 12 deltas of 12 chars


def client(server: FakeOpenAI, **kw) -> openai.OpenAI:
    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", 5.0)
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", **kw)


def chat_model(server: FakeOpenAI, **kw) -> ChatOpenAI:
    kw.setdefault("max_retries", 0)
    kw.setdefault("timeout", 5.0)
    return ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", **kw)


def stream_text(stream) -> tuple[str, list]:
    """Consume an openai stream; returns (text, chunks)."""
    chunks, text = [], []
    for chunk in stream:
        chunks.append(chunk)
        if chunk.choices and chunk.choices[0].delta.content:
            text.append(chunk.choices[0].delta.content)
    return "".join(text), chunks


# --------------------------------------------------------------------------------------
# Normal service
# --------------------------------------------------------------------------------------


def test_non_stream_text_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    resp = client(fake_openai).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert resp.object == "chat.completion"
    assert resp.model == "gpt-4o-mini"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].message.content == REPLY
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.completion_tokens == count_tokens(REPLY)
    assert resp.usage.prompt_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens

    (req,) = fake_openai.requests
    assert req.method == "POST" and req.endpoint == "/v1/chat/completions"
    assert req.body["messages"] == MESSAGES
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.api_key == "sk-test"
    assert not req.stream and req.fault is None


def test_default_reply_is_a_deterministic_markdown_article(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_words = 200
    c = client(fake_openai)
    first = c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    second = c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content

    assert first == second == default_article(MESSAGES[-1]["content"], 200)
    assert first.startswith("# Remote Work Tips For Small Teams\n")
    assert first.count("\n## ") >= 2
    assert 180 <= len(first.split()) <= 220

    fake_openai.reply_words = 600
    longer = c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    assert 560 <= len(longer.split()) <= 640


def test_reply_callable_gets_the_request_json(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = lambda body: f"{body['model']}:{len(body['messages'])}"
    resp = client(fake_openai).chat.completions.create(model="x-model", messages=MESSAGES)
    assert resp.choices[0].message.content == "x-model:2"


def test_stream_yields_whole_text_in_order_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    stream = client(fake_openai).chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, chunks = stream_text(stream)

    assert text == REPLY
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert content[0] == REPLY[:12] and len(content) == -(-len(REPLY) // 12)
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == count_tokens(REPLY)
    assert fake_openai.requests[0].stream


def test_stream_without_include_usage_has_no_usage_chunk(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply, fake_openai.chunk_chars = REPLY, 50
    stream = client(fake_openai).chat.completions.create(model="m", messages=MESSAGES, stream=True)
    text, chunks = stream_text(stream)
    assert text == REPLY
    assert all(c.usage is None and c.choices for c in chunks)
    assert len(chunks) == 1 + 3 + 1  # role, 3 content deltas, finish


def test_stop_and_max_tokens_are_honoured(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "one two three STOP four"
    c = client(fake_openai)
    resp = c.chat.completions.create(model="m", messages=MESSAGES, stop=["STOP"])
    assert resp.choices[0].message.content == "one two three "
    resp = c.chat.completions.create(model="m", messages=MESSAGES, max_tokens=2)
    assert resp.choices[0].message.content == "one two "
    assert resp.choices[0].finish_reason == "length"


def test_langchain_invoke_text_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    msg = chat_model(fake_openai).invoke("Write about remote work")
    assert msg.content == REPLY
    assert msg.usage_metadata["output_tokens"] == count_tokens(REPLY)
    assert msg.response_metadata["finish_reason"] == "stop"


def test_langchain_stream_text_in_order_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    chunks = list(chat_model(fake_openai, stream_usage=True).stream("Write about remote work"))

    assert "".join(c.content for c in chunks) == REPLY
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert isinstance(total, AIMessageChunk)
    assert total.usage_metadata["output_tokens"] == count_tokens(REPLY)
    assert total.usage_metadata["input_tokens"] > 0
    body = fake_openai.requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_temperature_presence_is_recorded(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "ok"
    chat_model(fake_openai).invoke("hi")
    chat_model(fake_openai, temperature=0.3).invoke("hi")
    client(fake_openai).chat.completions.create(model="m", messages=MESSAGES, temperature=0)

    without, with_lc, with_oa = fake_openai.chat_requests
    assert not without.temperature_sent
    assert with_lc.temperature_sent and with_lc.temperature == 0.3
    assert with_oa.temperature_sent and with_oa.temperature == 0


def test_async_client_stream(fake_openai: FakeOpenAI) -> None:
    import asyncio

    fake_openai.reply = REPLY

    async def run() -> str:
        async with openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="sk-test") as ac:
            stream = await ac.chat.completions.create(model="m", messages=MESSAGES, stream=True)
            return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    assert asyncio.run(run()) == REPLY


def test_first_token_delay_and_delay(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply, fake_openai.chunk_chars = "abcdef", 1
    fake_openai.first_token_delay, fake_openai.delay = 0.2, 0.03
    start = time.monotonic()
    stream = client(fake_openai).chat.completions.create(model="m", messages=MESSAGES, stream=True)
    arrivals = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic() - start)
    assert len(arrivals) == 6
    assert arrivals[0] >= 0.2
    assert arrivals[-1] - arrivals[0] >= 5 * 0.03 * 0.8


def test_moderations_and_models(fake_openai: FakeOpenAI) -> None:
    c = client(fake_openai)
    fake_openai.moderation_trigger = ["flagme", "hateful"]
    res = c.moderations.create(input=["a friendly post", "this is HATEFUL"])
    assert [r.flagged for r in res.results] == [False, True]
    assert res.results[1].categories.harassment is True
    assert res.results[1].category_scores.harassment > 0.9
    assert res.results[0].categories.hate is False
    assert c.moderations.create(input="flagme please").results[0].flagged

    assert [m.id for m in c.models.list()] == ["fake-gpt"]
    assert len(fake_openai.moderation_requests) == 2


def test_parallel_requests_are_all_recorded(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply, fake_openai.delay, fake_openai.chunk_chars = "x" * 40, 0.01, 4
    c = client(fake_openai)
    results: list[str] = []

    def work() -> None:
        stream = c.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        results.append(stream_text(stream)[0])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == ["x" * 40] * 8
    assert len(fake_openai.requests) == 8


# --------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_and_honoured(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "after the wait"
    fake_openai.fail_next("429", retry_after=0.4)
    start = time.monotonic()
    resp = client(fake_openai, max_retries=1).chat.completions.create(model="m", messages=MESSAGES)
    elapsed = time.monotonic() - start

    assert resp.choices[0].message.content == "after the wait"
    first, second = fake_openai.requests
    assert first.fault == "429" and second.fault is None
    assert 0.4 <= second.time - first.time < 1.5
    assert 0.4 <= elapsed < 1.5
    assert second.headers.get("x-stainless-retry-count") == "1"


def test_429_is_retried_by_langchain_too(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "ok"
    fake_openai.fail_next("429", retry_after=0.2)
    assert chat_model(fake_openai, max_retries=1).invoke("hi").content == "ok"
    assert [r.fault for r in fake_openai.requests] == ["429", None]


def test_429_without_retries_left(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("429", times=2, retry_after=0.1)
    with pytest.raises(openai.RateLimitError) as exc:
        client(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    assert exc.value.status_code == 429
    assert exc.value.response.headers["retry-after"] == "0.1"
    assert exc.value.body["code"] == "rate_limit_exceeded"

    with pytest.raises(openai.RateLimitError) as lc_exc:
        chat_model(fake_openai).invoke("hi")
    assert isinstance(lc_exc.value, ModelRateLimitError)


def test_500_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "recovered"
    fake_openai.fail_next("500")
    resp = client(fake_openai, max_retries=1).chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices[0].message.content == "recovered"
    assert [r.fault for r in fake_openai.requests] == ["500", None]


def test_500_errors_in_both_clients(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("500", times=2)
    with pytest.raises(openai.InternalServerError) as exc:
        client(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    assert exc.value.status_code == 500
    with pytest.raises(openai.InternalServerError) as lc_exc:
        chat_model(fake_openai).invoke("hi")
    assert isinstance(lc_exc.value, ModelAPIError)


def test_faults_apply_to_next_n_requests_then_service_resumes(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "fine"
    fake_openai.fail_next("500", times=2)
    fake_openai.fail_next("503")
    assert fake_openai.pending_faults == ["500", "500", "503"]
    c = client(fake_openai)
    statuses = []
    for _ in range(3):
        with pytest.raises(openai.InternalServerError) as exc:
            c.chat.completions.create(model="m", messages=MESSAGES)
        statuses.append(exc.value.status_code)
    assert statuses == [500, 500, 503]
    assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "fine"
    assert fake_openai.pending_faults == []


def test_fault_can_target_one_endpoint(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "fine"
    fake_openai.fail_next("500", endpoint="moderations")
    c = client(fake_openai)
    assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    with pytest.raises(openai.InternalServerError):
        c.moderations.create(input="text")


def test_401_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("401", times=3)
    with pytest.raises(openai.AuthenticationError) as exc:
        client(fake_openai, max_retries=2).chat.completions.create(model="m", messages=MESSAGES)
    assert exc.value.status_code == 401 and exc.value.body["code"] == "invalid_api_key"
    assert len(fake_openai.requests) == 1

    with pytest.raises(openai.AuthenticationError) as lc_exc:
        chat_model(fake_openai, max_retries=2).invoke("hi")
    assert isinstance(lc_exc.value, ModelAuthenticationError)
    assert len(fake_openai.requests) == 2


def test_require_key(fake_openai: FakeOpenAI) -> None:
    fake_openai.require_key = "sk-other"
    with pytest.raises(openai.AuthenticationError):
        client(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    fake_openai.require_key = "sk-test"
    assert client(fake_openai).chat.completions.create(model="m", messages=MESSAGES).choices


def test_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("timeout", times=2, seconds=3)
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client(fake_openai, timeout=0.5).chat.completions.create(model="m", messages=MESSAGES)
    with pytest.raises(openai.APITimeoutError) as lc_exc:
        list(chat_model(fake_openai, timeout=0.5).stream("hi"))
    assert isinstance(lc_exc.value, ModelTimeoutError)
    assert time.monotonic() - start < 2.0
    assert [r.fault for r in fake_openai.requests] == ["timeout", "timeout"]


def test_timeout_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "second try"
    fake_openai.fail_next("timeout", seconds=3)
    c = client(fake_openai, timeout=0.3, max_retries=1)
    assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "second try"
    assert len(fake_openai.requests) == 2


def test_timeout_mid_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    fake_openai.fail_next("timeout", seconds=3, after_chunks=2)
    received = []
    stream = client(fake_openai, timeout=0.5).chat.completions.create(
        model="m", messages=MESSAGES, stream=True
    )
    with pytest.raises(openai.APITimeoutError):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "".join(received) == REPLY[:24]


def test_drop_mid_stream_after_partial_text(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    fake_openai.fail_next("drop", after_chunks=3)
    received = []
    stream = client(fake_openai, max_retries=2).chat.completions.create(
        model="m", messages=MESSAGES, stream=True
    )
    with pytest.raises(openai.APIConnectionError) as exc:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert not isinstance(exc.value, openai.APITimeoutError)
    assert "".join(received) == REPLY[:36]
    assert len(fake_openai.requests) == 1  # a failure mid-body is never retried


def test_drop_mid_stream_in_langchain(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    fake_openai.fail_next("drop", after_chunks=2)
    received = []
    with pytest.raises(openai.APIConnectionError) as exc:
        for chunk in chat_model(fake_openai).stream("hi"):
            received.append(chunk.content)
    assert isinstance(exc.value, ModelConnectionError)
    assert "".join(received) == REPLY[:24]


def test_drop_without_response(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "ok"
    fake_openai.fail_next("drop")
    with pytest.raises(openai.APIConnectionError):
        client(fake_openai).chat.completions.create(model="m", messages=MESSAGES)
    # before any response, a dropped connection is retried by the client
    fake_openai.fail_next("drop")
    c = client(fake_openai, max_retries=1)
    assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "ok"


def test_malformed(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    fake_openai.fail_next("malformed", times=4)
    c, lc = client(fake_openai), chat_model(fake_openai)
    # Not an openai.OpenAIError: the clients let json.JSONDecodeError (a ValueError) through.
    with pytest.raises(json.JSONDecodeError):
        c.chat.completions.create(model="m", messages=MESSAGES)
    with pytest.raises(json.JSONDecodeError):
        lc.invoke("hi")

    received = []
    with pytest.raises(json.JSONDecodeError):
        for chunk in c.chat.completions.create(model="m", messages=MESSAGES, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "".join(received) == REPLY[:12]
    with pytest.raises(json.JSONDecodeError):
        list(lc.stream("hi"))


def test_error_event_mid_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = REPLY
    fake_openai.fail_next("error_event", message="overloaded")
    received = []
    with pytest.raises(openai.APIError, match="overloaded"):
        for chunk in client(fake_openai).chat.completions.create(model="m", messages=MESSAGES, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "".join(received) == REPLY[:24]


# --------------------------------------------------------------------------------------
# Lifecycle, reset, standalone
# --------------------------------------------------------------------------------------


def test_reset_and_prompt_stop() -> None:
    server = FakeOpenAI(reply_words=50).start()
    try:
        server.reply = "changed"
        server.fail_next("500")
        c = client(server, timeout=5)
        with pytest.raises(openai.InternalServerError):
            c.chat.completions.create(model="m", messages=MESSAGES)
        server.reset()
        assert server.requests == [] and server.pending_faults == [] and server.reply is None
        assert server.reply_words == 50

        # a handler asleep in a timeout fault does not hold stop() up
        server.fail_next("timeout", seconds=30)
        threading.Thread(
            target=lambda: pytest.raises(
                openai.APIConnectionError, c.chat.completions.create, model="m", messages=MESSAGES
            ),
            daemon=True,
        ).start()
        server.wait_for_requests(1)
    finally:
        start = time.monotonic()
        server.stop()
        assert time.monotonic() - start < 2
    assert not server.running


def test_standalone_cli_and_control_api() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_openai", "--port", "0", "--delay", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        root = base_url[: -len("/v1")]
        c = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0, timeout=5)
        article = c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
        assert article.startswith("# ")

        assert httpx.get(root + "/health").text == "ok"
        assert httpx.post(root + "/_fake/config", json={"reply": "configured"}).status_code == 200
        httpx.post(root + "/_fake/fail_next", json={"kind": "429", "retry_after": 0.1})
        with pytest.raises(openai.RateLimitError):
            c.chat.completions.create(model="m", messages=MESSAGES)
        assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == "configured"
        recorded = httpx.get(root + "/_fake/requests").json()
        assert [r["fault"] for r in recorded] == [None, "429", None]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
