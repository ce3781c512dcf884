"""A local, stdlib-only, OpenAI-compatible HTTP server for tests.

Tests must never touch the internet: they point the real ``openai`` / ``langchain-openai``
clients at this server (``base_url=server.base_url``) instead.

    with FakeOpenAI() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
        server.reply = "Hello"
        server.fail_next("429", retry_after=0.2)   # next request is rate limited
        ...
        assert server.chat_requests[-1].temperature_sent

Endpoints
    POST /v1/chat/completions   non-streaming JSON and streaming SSE (chat.completion.chunk)
    POST /v1/moderations        OpenAI moderation shape; flagged when a trigger word appears
    POST /v1/embeddings         OpenAI embeddings shape: deterministic bag-of-words vectors
                                (``embedding_dims`` wide); words in one ``embedding_synonyms``
                                group share a dimension, so "car" and "automobile" are close
                                while BM25 sees two different words
    GET  /v1/models[/{id}]      model list / one model
    GET  /health                "ok" (readiness probe for subprocess users)
    /_fake/...                  control API for a server running in another process
                                (see ``_handle_control``)

Faults (``fail_next(kind, times=1, **kw)``), queued, each consumed by one request:
    "429"        rate limit, ``Retry-After: retry_after`` (default 1 s; None = no header)
    "500"        server error (``status=`` for 502/503...); any other 3-digit code works too
    "401"        invalid API key error body
    "timeout"    read the request, send nothing for ``seconds`` (default 5), then close;
                 with ``after_chunks=N`` on a stream: send headers + N deltas, then stall
    "drop"       stream: headers + ``after_chunks`` deltas (default 3), then close the
                 connection without the terminating chunk / [DONE]; non-stream: close
                 without any response
    "malformed"  non-stream: 200 with an invalid JSON body; stream: ``after_chunks``
                 deltas (default 1), then a ``data:`` line that is not JSON
    "error_event" stream: ``after_chunks`` deltas (default 2), then an in-stream error event
                 (``data: {"error": {...}}``, ``message=``), as OpenAI sends when a model
                 fails part-way; non-stream: a 500
Every fault accepts ``endpoint="chat/completions"`` (or "moderations", "models") to only
apply to requests whose path ends with it, and ``match="text"`` to only apply to a request whose
body contains that text (e.g. the prompt of one section); by default a fault hits the next
request to any ``/v1`` endpoint.

Run standalone (browser tests, benchmarks):
    python -m tests.support.fake_openai --port 8765 [--delay 0.01]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAI", "RecordedRequest", "FAULT_KINDS", "count_tokens", "default_article"]

FAULT_KINDS = ("429", "500", "401", "timeout", "drop", "malformed", "error_event")

DEFAULT_MODEL = "fake-gpt"
MODERATION_MODEL = "omni-moderation-latest"
MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)

_DEFAULTS: dict[str, Any] = {
    "reply": None,
    "reply_mode": "article",
    "reply_words": 300,
    "chunk_chars": 12,
    "delay": 0.0,
    "first_token_delay": 0.0,
    "require_key": None,
    "model": DEFAULT_MODEL,
    "moderation_trigger": "flagme",
    "moderation_category": "harassment",
    "embedding_dims": 64,
    "embedding_synonyms": None,
}


# --------------------------------------------------------------------------------------
# Recorded requests
# --------------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request the server received (recorded before any fault is applied)."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when absent / not JSON
    raw: bytes = b""
    time: float = field(default_factory=time.time)
    fault: str | None = None  # the fault kind applied to this request, if any

    @property
    def json(self) -> Any:
        return self.body

    @property
    def endpoint(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def temperature_sent(self) -> bool:
        """True when the JSON body contained a ``temperature`` key (even ``null``)."""
        return isinstance(self.body, dict) and "temperature" in self.body

    @property
    def temperature(self) -> Any:
        return self.body.get("temperature") if isinstance(self.body, dict) else None

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and bool(self.body.get("stream"))

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


# --------------------------------------------------------------------------------------
# Helpers: tokens, messages, the default reply
# --------------------------------------------------------------------------------------


def count_tokens(text: str) -> int:
    """Deterministic stand-in for a tokenizer: one token per 4 characters (rounded up)."""
    return (len(text) + 3) // 4 if text else 0


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return str(content)


def _last_user_message(body: dict) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _content_text(message.get("content"))
    return ""


def _prompt_tokens(body: dict) -> int:
    total = 0
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            total += 4 + count_tokens(_content_text(message.get("content")))
    return total + 3 if total else 0


_FILLER = (
    "audience", "brand", "story", "teams", "growth", "insight", "message", "value", "clear",
    "simple", "practical", "customers", "plan", "results", "campaign", "voice", "trust",
    "quality", "readers", "channel", "measure", "launch", "idea", "the", "and", "with",
    "every", "better", "today", "focus", "helps", "builds", "shows", "your", "our", "for",
)
_SECTIONS = (
    "Why It Matters",
    "What You Need to Know",
    "How to Get Started",
    "Common Pitfalls",
    "Key Takeaways",
)


def _title_from(prompt: str) -> str:
    lines = [line.strip() for line in prompt.splitlines() if line.strip()]
    candidate = ""
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("topic", "title", "subject") and value.strip():
            candidate = value.strip()
            break
    if not candidate and lines:
        candidate = lines[0]
    words = [w for w in candidate.strip(" .!?:;#*-").split() if w][:10]
    if not words:
        return "Untitled Draft"
    return " ".join(w[:1].upper() + w[1:] for w in words)


def default_article(prompt: str, words: int = 300) -> str:
    """A deterministic Markdown article about ``prompt`` of roughly ``words`` words.

    ``# Title``, an intro paragraph, then 3-5 ``## `` sections. Same input, same output.
    """
    words = max(int(words), 1)
    seed = int(hashlib.sha256(f"{words}\x00{prompt}".encode()).hexdigest()[:16], 16)
    rng = random.Random(seed)
    topic_words = [w.strip(".,;:!?\"'()[]").lower() for w in prompt.split()]
    vocab = [w for w in topic_words if len(w) > 3 and w.isalpha()][:40] + list(_FILLER)

    title = _title_from(prompt)
    n_sections = 3 if words < 300 else 4 if words < 800 else 5
    sections = _SECTIONS[: n_sections - 1] + (_SECTIONS[-1],)
    header_words = 1 + len(title.split()) + sum(1 + len(s.split()) for s in sections)
    n_paragraphs = 1 + n_sections
    budget = max(words - header_words, n_paragraphs * 3)

    def paragraph(n: int) -> str:
        sentences, left = [], n
        while left > 0:
            k = min(left, rng.randint(7, 14))
            if 0 < left - k < 4:  # no tiny trailing sentence
                k = left
            ws = [rng.choice(vocab) for _ in range(k)]
            ws[0] = ws[0][:1].upper() + ws[0][1:]
            sentences.append(" ".join(ws) + ".")
            left -= k
        return " ".join(sentences)

    per, extra = divmod(budget, n_paragraphs)
    sizes = [per + (1 if i < extra else 0) for i in range(n_paragraphs)]
    out = [f"# {title}", "", paragraph(sizes[0])]
    for heading, size in zip(sections, sizes[1:]):
        out += ["", f"## {heading}", "", paragraph(size)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeOpenAI

    def handle_error(self, request, client_address):  # quiet on client disconnects
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class _Abort(Exception):
    """Raised inside the handler to stop processing and drop the connection."""


class FakeOpenAI:
    """An OpenAI-compatible server on a loopback port, in a daemon thread.

    Settings (plain attributes, read per request, safe to change while running):
        reply               None -> ``default_article(last user message, reply_words)``;
                            a str; or ``callable(request_json) -> str``
        reply_mode          "article": with no ``reply``, answer with ``default_article``;
                            "writer": answer the writing workspace's prompts (outline,
                            sections, summaries, revise turns ...) from the prompt
                            (``tests.support.fake_writer``)
        reply_words         size of the default article (default 300)
        chunk_chars         characters per streamed content delta (default 12; <=0: one delta)
        delay               seconds between streamed deltas (default 0); non-stream requests
                            take ``first_token_delay + delay * n_deltas`` in total as well
        first_token_delay   seconds before the first delta (after the response headers)
        require_key         None, or an API key: other bearer tokens get a 401
        model               model name echoed when the request has none; listed by /v1/models
        moderation_trigger  str or list of str; input containing one (case-insensitive) is
                            flagged by /v1/moderations
        moderation_category the category set to true when flagged (default "harassment")
        embedding_dims      width of /v1/embeddings vectors (default 64)
        embedding_synonyms  None, or a list of word groups (lists) that share one dimension
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **settings: Any) -> None:
        unknown = set(settings) - set(_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown FakeOpenAI settings: {sorted(unknown)}")
        self.host = host
        self.port = port
        self._initial = {**_DEFAULTS, **settings}
        self._apply_settings(self._initial)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        # Chat completions being answered now, and the most at once (concurrency limits).
        self.chats_in_flight = 0
        self.max_chats_in_flight = 0
        self._faults: list[tuple[str, dict[str, Any]]] = []
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- settings ---------------------------------------------------------------------

    reply: str | Callable[[dict], str] | None
    reply_mode: str
    reply_words: int
    chunk_chars: int
    delay: float
    first_token_delay: float
    require_key: str | None
    model: str
    moderation_trigger: str | Iterable[str] | None
    moderation_category: str
    embedding_dims: int
    embedding_synonyms: list[list[str]] | None

    def _apply_settings(self, settings: dict[str, Any]) -> None:
        for name, value in settings.items():
            setattr(self, name, value)

    # -- lifecycle --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def url(self) -> str:
        """``http://host:port`` (no ``/v1``)."""
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to the clients: ``http://127.0.0.1:PORT/v1``."""
        return self.url + "/v1"

    def start(self) -> FakeOpenAI:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.fake = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"FakeOpenAI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in delays / timeouts
        httpd.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # unblock keep-alive handlers waiting for the next request
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"<FakeOpenAI {where}>"

    # -- recorded requests ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot (copy) of every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint.endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint.endswith("/embeddings")]

    @property
    def moderation_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint.endswith("/moderations")]

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._lock:
            self.chats_in_flight += 1
            self.max_chats_in_flight = max(self.max_chats_in_flight, self.chats_in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.chats_in_flight -= 1

    @property
    def last_request(self) -> RecordedRequest | None:
        with self._lock:
            return self._requests[-1] if self._requests else None

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``n`` requests were received (or raise TimeoutError)."""
        deadline = time.monotonic() + timeout
        while True:
            reqs = self.requests
            if len(reqs) >= n:
                return reqs
            if time.monotonic() > deadline:
                raise TimeoutError(f"got {len(reqs)} requests, expected {n}")
            time.sleep(0.01)

    # -- faults -----------------------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1, **kw: Any) -> None:
        """Queue a fault for the next ``times`` matching requests (see module docstring)."""
        kind = str(kind)
        if kind not in FAULT_KINDS and not (kind.isdigit() and len(kind) == 3):
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        with self._lock:
            self._faults.extend((kind, dict(kw)) for _ in range(int(times)))

    @property
    def pending_faults(self) -> list[str]:
        with self._lock:
            return [kind for kind, _ in self._faults]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str, body: Any = None) -> tuple[str, dict[str, Any]] | None:
        text = json.dumps(body, ensure_ascii=False) if body is not None else ""
        with self._lock:
            for i, (kind, kw) in enumerate(self._faults):
                endpoint = kw.get("endpoint")
                if endpoint is not None and not path.rstrip("/").endswith(endpoint.strip("/")):
                    continue
                match = kw.get("match")
                if match is not None and match not in text:
                    continue
                return self._faults.pop(i)
        return None

    def reset(self) -> None:
        """Forget requests and pending faults, and restore the constructor's settings."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
        self._apply_settings(self._initial)

    # -- behaviour --------------------------------------------------------------------

    def _reply_text(self, body: dict) -> str:
        reply = self.reply
        if callable(reply):
            return str(reply(body))
        if reply is not None:
            return str(reply)
        if self.reply_mode == "writer":
            from tests.support.fake_writer import reply as writer_reply

            answer = writer_reply(body)
            if answer:
                return answer
            seed = f"{body.get('temperature')}\x00" if body.get("temperature") is not None else ""
            return default_article(seed + _last_user_message(body), self.reply_words)
        return default_article(_last_user_message(body), self.reply_words)

    def _sleep(self, seconds: float) -> None:
        if seconds and seconds > 0:
            self._stopping.wait(seconds)

    def embedding(self, text: str) -> list[float]:
        """A unit vector: each word (synonyms as one) adds 1 to its hashed dimension."""
        dims = max(int(self.embedding_dims or 64), 2)
        canon: dict[str, str] = {}
        for group in self.embedding_synonyms or []:
            words = [str(w).lower() for w in group]
            for w in words:
                canon[w] = words[0]
        vec = [0.0] * dims
        for word in re.findall(r"\w+", text.lower()):
            word = canon.get(word, word)
            vec[int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % dims] += 1.0
        norm = sum(v * v for v in vec) ** 0.5 or 1.0
        return [round(v / norm, 6) for v in vec]

    def _flagged(self, text: str) -> bool:
        triggers = self.moderation_trigger
        if not triggers:
            return False
        if isinstance(triggers, str):
            triggers = [triggers]
        lowered = text.lower()
        return any(t and t.lower() in lowered for t in triggers)


# --------------------------------------------------------------------------------------
# Request handler
# --------------------------------------------------------------------------------------


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    disable_nagle_algorithm = True  # small SSE writes must not wait for delayed ACKs
    server: _HTTPServer

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            with self.fake._lock:
                self.fake._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        pass

    # -- plumbing ---------------------------------------------------------------------

    def _read_body(self) -> tuple[bytes, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return raw, parsed

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_bytes(status, data, "application/json", headers)

    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _drop_connection(self) -> None:
        """Close the TCP connection abruptly (no response / no terminating chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Abort

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:24]}")
        self.end_headers()
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _write_event(self, payload: Any) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self._write_chunk(f"data: {text}\n\n".encode())

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- dispatch ---------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except _Abort:
            pass
        except (BrokenPipeError, ConnectionResetError):  # client went away
            self.close_connection = True

    def _route(self, method: str) -> None:
        self._stream_fault: tuple[str | None, dict[str, Any]] = (None, {})
        raw, body = self._read_body()
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/health":
            self._send_bytes(200, b"ok", "text/plain")
            return
        if path.startswith("/_fake"):
            self._handle_control(method, path, body)
            return

        fake = self.fake
        record = RecordedRequest(
            method=method,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
        )
        with fake._lock:
            fake._requests.append(record)

        if not path.startswith("/v1/"):
            self._send_json(404, _error_body(f"Unknown path {path}", "invalid_request_error", None))
            return

        if fake.require_key is not None and record.api_key != fake.require_key:
            self._send_401()
            return

        is_stream = path.endswith("/chat/completions") and record.stream
        fault = fake._take_fault(path, body)
        if fault is not None:
            record.fault = fault[0]
            if self._apply_fault(fault[0], fault[1], is_stream):
                return

        if method == "POST" and path == "/v1/chat/completions":
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                self._send_json(
                    400,
                    _error_body("'messages' is a required property", "invalid_request_error",
                                None, "messages"),
                )
            else:
                with fake._in_flight():
                    if is_stream:
                        self._chat_stream(body)
                    else:
                        self._chat(body)
        elif method == "POST" and path == "/v1/moderations":
            self._moderation(body if isinstance(body, dict) else {})
        elif method == "POST" and path == "/v1/embeddings":
            self._embeddings(body if isinstance(body, dict) else {})
        elif method == "GET" and path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [self._model_obj(fake.model)]})
        elif method == "GET" and path.startswith("/v1/models/"):
            self._send_json(200, self._model_obj(path[len("/v1/models/"):]))
        else:
            self._send_json(
                404,
                _error_body(f"Invalid URL ({method} {path})", "invalid_request_error", None),
            )

    @staticmethod
    def _model_obj(name: str) -> dict:
        return {"id": name, "object": "model", "created": 1700000000, "owned_by": "fake-openai"}

    # -- faults -----------------------------------------------------------------------

    def _send_401(self, message: str | None = None) -> None:
        self._send_json(
            401,
            _error_body(
                message
                or "Incorrect API key provided. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                "invalid_api_key",
            ),
        )

    def _apply_fault(self, kind: str, kw: dict[str, Any], is_stream: bool) -> bool:
        """Apply a fault. True if the request is fully handled; False to serve normally
        (stream faults that fire mid-stream are applied inside ``_chat_stream``)."""
        fake = self.fake
        if kind == "429":
            retry_after = kw.get("retry_after", 1)
            headers = {
                "x-ratelimit-limit-requests": "60",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{retry_after or 1}s",
            }
            if retry_after is not None:
                ra = float(retry_after)
                headers["Retry-After"] = str(int(ra)) if ra.is_integer() else str(ra)
            if kw.get("retry_after_ms") is not None:
                headers["retry-after-ms"] = str(kw["retry_after_ms"])
            self._send_json(
                429,
                _error_body(
                    kw.get("message", "Rate limit reached for requests. "
                           "Please try again in a moment."),
                    kw.get("type", "requests"),
                    kw.get("code", "rate_limit_exceeded"),
                ),
                headers,
            )
            return True
        if kind == "401":
            self._send_401(kw.get("message"))
            return True
        if kind.isdigit():  # "500" and any other status
            status = int(kw.get("status", kind))
            if status >= 500:
                default_msg = ("The server had an error while processing your request. "
                               "Sorry about that!")
                default_type = "server_error"
            else:
                default_msg, default_type = f"Error {status}", "invalid_request_error"
            self._send_json(
                status,
                _error_body(kw.get("message", default_msg), kw.get("type", default_type),
                            kw.get("code")),
                kw.get("headers"),
            )
            return True
        if kind == "timeout":
            if is_stream and kw.get("after_chunks") is not None:
                self._stream_fault = (kind, kw)
                return False
            fake._sleep(float(kw.get("seconds", 5.0)))
            self._drop_connection()
        if kind == "drop":
            if is_stream:
                self._stream_fault = (kind, kw)
                return False
            self._drop_connection()
        if kind == "error_event":
            if is_stream:
                self._stream_fault = (kind, kw)
                return False
            self._send_json(500, _error_body(kw.get("message", "The model failed."), "server_error", None))
            return True
        if kind == "malformed":
            if is_stream:
                self._stream_fault = (kind, kw)
                return False
            self._send_bytes(200, b'{"id": "chatcmpl-broken", "object": "chat.completion", '
                             b'"choices": [{"index": 0, "message": {', "application/json")
            return True
        raise AssertionError(kind)  # pragma: no cover - validated in fail_next

    # -- chat completions -------------------------------------------------------------

    def _completion_text(self, body: dict) -> tuple[str, str]:
        """The reply text after ``stop`` and ``max_tokens`` are applied, and finish_reason."""
        text = self.fake._reply_text(body)
        finish = "stop"
        stop = body.get("stop")
        if isinstance(stop, str):
            stop = [stop]
        if stop:
            cuts = [text.find(s) for s in stop if s and s in text]
            if cuts:
                text = text[: min(cuts)]
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and limit > 0 and count_tokens(text) > limit:
            text, finish = text[: limit * 4], "length"
        return text, finish

    def _usage(self, body: dict, text: str) -> dict:
        prompt, completion = _prompt_tokens(body), count_tokens(text)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def _pieces(self, text: str) -> list[str]:
        size = int(self.fake.chunk_chars or 0)
        if size <= 0 or not text:
            return [text] if text else []
        return [text[i : i + size] for i in range(0, len(text), size)]

    def _chat(self, body: dict) -> None:
        fake = self.fake
        text, finish = self._completion_text(body)
        fake._sleep(fake.first_token_delay)
        fake._sleep(fake.delay * max(len(self._pieces(text)) - 1, 0))
        self._send_json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model") or fake.model,
                "system_fingerprint": "fp_fake",
                "service_tier": "default",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": text,
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": finish,
                    }
                ],
                "usage": self._usage(body, text),
            },
        )

    def _chat_stream(self, body: dict) -> None:
        fake = self.fake
        fault_kind, fault_kw = self._stream_fault
        text, finish = self._completion_text(body)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        model = body.get("model") or fake.model

        def chunk(delta: dict, finish_reason: str | None = None) -> dict:
            out = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "service_tier": "default",
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
                ],
            }
            if include_usage:
                out["usage"] = None
            return out

        pieces = self._pieces(text)
        if fault_kind is not None:
            default_after = {"drop": 3, "malformed": 1, "error_event": 2}.get(fault_kind, 0)
            pieces = pieces[: int(fault_kw.get("after_chunks", default_after))]

        self._start_stream()
        fake._sleep(fake.first_token_delay)
        self._write_event(chunk({"role": "assistant", "content": "", "refusal": None}))
        for i, piece in enumerate(pieces):
            if i:
                fake._sleep(fake.delay)
            self._write_event(chunk({"content": piece}))

        if fault_kind is None:
            self._write_event(chunk({}, finish))
            if include_usage:
                usage_chunk = chunk({})
                usage_chunk["choices"] = []
                usage_chunk["usage"] = self._usage(body, text)
                self._write_event(usage_chunk)
            self._write_event("[DONE]")
            self._end_stream()
            return

        # a mid-stream fault fires here
        if fault_kind == "drop":
            self._drop_connection()
        if fault_kind == "timeout":
            fake._sleep(float(fault_kw.get("seconds", 5.0)))
            self._drop_connection()
        if fault_kind == "error_event":
            self._write_event(
                _error_body(fault_kw.get("message", "The model failed while generating."), "server_error", None)
            )
            self._end_stream()
        if fault_kind == "malformed":
            self._write_chunk(b'data: {"id": "chatcmpl-broken", "choices": [{"delta": \n\n')
            self._write_event("[DONE]")
            self._end_stream()

    # -- embeddings -------------------------------------------------------------------

    def _embeddings(self, body: dict) -> None:
        inp = body.get("input", "")
        texts = [str(x) for x in inp] if isinstance(inp, list) else [str(inp)]
        if not texts or body.get("model") in (None, ""):
            self._send_json(400, _error_body("'input' and 'model' are required", "invalid_request_error", None))
            return
        data = [{"object": "embedding", "index": i, "embedding": self.fake.embedding(t)} for i, t in enumerate(texts)]
        tokens = sum(count_tokens(t) for t in texts)
        self._send_json(200, {"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    # -- moderations ------------------------------------------------------------------

    def _moderation(self, body: dict) -> None:
        fake = self.fake
        inp = body.get("input", "")
        if isinstance(inp, list) and inp and all(isinstance(x, dict) for x in inp):
            texts = [_content_text(inp)]  # multimodal: one result for the whole input
        elif isinstance(inp, list):
            texts = [str(x) for x in inp]
        else:
            texts = [str(inp)]
        results = []
        for text in texts:
            flagged = fake._flagged(text)
            hit = fake.moderation_category
            results.append(
                {
                    "flagged": flagged,
                    "categories": {c: flagged and c == hit for c in MODERATION_CATEGORIES},
                    "category_scores": {
                        c: (0.97 if flagged and c == hit else 1e-5) for c in MODERATION_CATEGORIES
                    },
                    "category_applied_input_types": {c: ["text"] for c in MODERATION_CATEGORIES},
                }
            )
        self._send_json(
            200,
            {
                "id": f"modr-{uuid.uuid4().hex[:24]}",
                "model": body.get("model") or MODERATION_MODEL,
                "results": results,
            },
        )

    # -- control API (for a server in another process) --------------------------------

    _SETTABLE = frozenset(_DEFAULTS)

    def _handle_control(self, method: str, path: str, body: Any) -> None:
        """POST /_fake/fail_next {"kind": "429", "times": 1, ...kw}
        POST /_fake/reset
        POST /_fake/config {"reply": "...", "delay": 0.01, ...}  (reply must be a str/null)
        GET  /_fake/requests -> [{"method", "path", "headers", "body", "fault"}, ...]
        """
        fake = self.fake
        body = body if isinstance(body, dict) else {}
        try:
            if method == "POST" and path == "/_fake/fail_next":
                kw = dict(body)
                kind = str(kw.pop("kind"))
                times = int(kw.pop("times", 1))
                fake.fail_next(kind, times, **kw)
            elif method == "POST" and path == "/_fake/reset":
                fake.reset()
            elif method == "POST" and path == "/_fake/config":
                bad = set(body) - self._SETTABLE
                if bad:
                    raise ValueError(f"unknown settings {sorted(bad)}")
                fake._apply_settings(body)
            elif method == "GET" and path == "/_fake/requests":
                self._send_json(
                    200,
                    [
                        {"method": r.method, "path": r.path, "headers": r.headers,
                         "body": r.body, "fault": r.fault, "time": r.time}
                        for r in fake.requests
                    ],
                )
                return
            else:
                self._send_json(404, {"error": f"unknown control {method} {path}"})
                return
        except (KeyError, TypeError, ValueError) as exc:
            self._send_json(400, {"error": str(exc)})
            return
        self._send_json(200, {"ok": True})


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.fake_openai",
        description="Serve a fake OpenAI-compatible API on a loopback port until SIGTERM/SIGINT.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between stream deltas")
    parser.add_argument("--first-token-delay", type=float, default=0.0)
    parser.add_argument("--chunk-chars", type=int, default=12)
    parser.add_argument("--reply-words", type=int, default=300)
    parser.add_argument("--reply", default=None, help="fixed reply text (default: an article)")
    parser.add_argument("--reply-mode", default="article", choices=["article", "writer"])
    parser.add_argument("--require-key", default=None)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--moderation-trigger", default="flagme")
    args = parser.parse_args(argv)

    server = FakeOpenAI(
        args.host,
        args.port,
        delay=args.delay,
        first_token_delay=args.first_token_delay,
        chunk_chars=args.chunk_chars,
        reply_words=args.reply_words,
        reply=args.reply,
        reply_mode=args.reply_mode,
        require_key=args.require_key,
        model=args.model,
        moderation_trigger=args.moderation_trigger,
    )
    done = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    server.start()
    print(server.base_url, flush=True)
    try:
        while not done.wait(0.1):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
