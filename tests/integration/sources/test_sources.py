"""Knowledge sources: added from files, pasted text and URLs (within limits, never a private
address unless an admin allows it), searched with BM25 and embeddings, handed to the writer with
ids, cited, and turned into footnotes (or removed) on export."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.errors import InputError
from studio.sources.fetch import UrlRefused
from studio.sources.service import add_source, archive_source, list_sources, search_passages, source_detail
from tests.support.grounding import FACT_SHEET, cli, point_at

PAGE = b"""<html><head><title>Acme press release</title><script>var tracking = 1;</script></head>
<body><nav>Home | Products | Careers</nav><main><h1>Acme opens in Lisbon</h1>
<p>Acme opened its Lisbon office on 2 June 2025 with 40 people.</p><p>The office serves customers in Portugal.</p>
</main><footer>Cookie settings</footer></body></html>"""


class _Site(BaseHTTPRequestHandler):
    hits: list[str] = []
    delay = 0.0
    big = False

    def do_GET(self) -> None:  # noqa: N802
        _Site.hits.append(self.path)
        if self.path == "/redirect-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://example.com/file.txt")
            self.end_headers()
            return
        time.sleep(_Site.delay)
        body = b"x" * 2_000_000 if _Site.big else PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def site():
    _Site.hits, _Site.delay, _Site.big = [], 0.0, False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_on_this_machine_is_refused_by_default_and_nothing_is_fetched(engine, people, site):
    for url in (f"{site}/news", site.replace("127.0.0.1", "localhost") + "/news"):
        with pytest.raises(UrlRefused, match="this machine .loopback.*STUDIO_SOURCES_ALLOW_PRIVATE_URLS"):
            with session_scope(engine) as s:
                add_source(s, people.marketer, url=url)
    assert _Site.hits == []
    with pytest.raises(UrlRefused, match="Only http and https"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, url="file:///etc/passwd")
    with session_scope(engine) as s:
        assert list_sources(s, people.marketer) == []


def test_an_admin_can_allow_private_addresses_and_the_page_is_shown_as_extracted(engine, people, site, monkeypatch):
    from studio.config import reload_settings

    monkeypatch.setenv("STUDIO_SOURCES_ALLOW_PRIVATE_URLS", "true")
    settings = reload_settings()
    with session_scope(engine) as s:
        added = add_source(s, people.marketer, url=f"{site}/news", settings=settings)
    assert added.kind == "url" and added.url == f"{site}/news" and added.title == "Acme press release"
    assert "Acme opened its Lisbon office on 2 June 2025 with 40 people." in added.text
    assert "tracking" not in added.text and "Cookie settings" not in added.text and "Careers" not in added.text
    assert added.text.startswith("# Acme opens in Lisbon")
    with session_scope(engine) as s:
        assert source_detail(s, added.id, people.editor).text == added.text


def test_size_time_and_redirect_limits(engine, people, site, monkeypatch):
    from studio.config import reload_settings

    monkeypatch.setenv("STUDIO_SOURCES_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("STUDIO_SOURCES_MAX_BYTES", "100000")
    monkeypatch.setenv("STUDIO_SOURCES_FETCH_TIMEOUT", "0.5")
    settings = reload_settings()
    _Site.big = True
    with pytest.raises(UrlRefused, match="larger than the limit of 0.1 MB"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, url=f"{site}/big", settings=settings)
    _Site.big, _Site.delay = False, 1.5
    with pytest.raises(UrlRefused, match="took longer than 0.5 s"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, url=f"{site}/slow", settings=settings)
    _Site.delay = 0.0
    with pytest.raises(UrlRefused, match="Only http and https"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, url=f"{site}/redirect-ftp", settings=settings)


def test_files_and_pasted_text_become_sources_of_passages(engine, people):
    with session_scope(engine) as s:
        md = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
        pasted = add_source(s, people.editor, text="Acme Planner costs 12 euros per person per month. " * 3)
    assert md.title == "Acme Planner 3.0 fact sheet" and md.kind == "upload" and md.passages
    assert "".join(md.passages).replace("\n", "") in md.text.replace("\n", "") or md.passages[0] in md.text
    assert pasted.kind == "paste" and pasted.language == "en"
    with pytest.raises(InputError, match="too short to be a source"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, text="tiny")
    with pytest.raises(InputError, match="cannot read “logo.png”"):
        with session_scope(engine) as s:
            add_source(s, people.marketer, data=b"\x89PNG", filename="logo.png")
    with session_scope(engine) as s:
        assert [r.title for r in list_sources(s, people.marketer)][-1] == "Acme Planner 3.0 fact sheet"
        archive_source(s, md.id, people.marketer)
        assert [r.id for r in list_sources(s, people.marketer)] == [pasted.id]


def test_passages_and_their_ids_are_in_the_prompt_and_the_writer_cites_them(engine, people, fake_openai, monkeypatch):
    settings = point_at(fake_openai, monkeypatch)
    with session_scope(engine) as s:
        source = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
        add_source(s, people.marketer, text="Our cafeteria serves soup on Fridays and salad on Mondays. " * 2)
    fake_openai.reply = ("# Planning, faster\n\nIn a 2024 pilot with 120 customers, teams cut planning time by 40% "
                         "[S1]. Offline mode is included [S1].\n")  # fmt: skip
    run = DraftRun(Brief.create(content_type="blog", topic="How Acme Planner cut planning time", source_ids=[source.id]),
                   people.marketer, engine=engine, settings=settings)  # fmt: skip
    run.run()
    system = [r for r in fake_openai.chat_requests if r.stream][-1].json["messages"][0]["content"]
    assert "[S1] (Acme Planner 3.0 fact sheet): Acme Planner 3.0 fact sheet: Acme Planner 3.0 launched" in system
    assert "cite it right after the fact with its id in square brackets, e.g. [S2]" in system
    assert "write [NEEDS SOURCE] instead of inventing it" in system and "cafeteria" not in system
    assert run.outcome.citations == [{"id": "S1", "source_id": source.id, "title": "Acme Planner 3.0 fact sheet",
                                      "url": None, "text": run.outcome.citations[0]["text"]}]  # fmt: skip


def test_when_no_source_supports_the_brief_the_writer_is_told_to_write_needs_source(engine, people, fake_openai,
                                                                                   monkeypatch):
    settings = point_at(fake_openai, monkeypatch)
    with session_scope(engine) as s:
        add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
    run = DraftRun(Brief.create(content_type="news", topic="Volcanic eruption in Iceland", search_sources=True),
                   people.marketer, engine=engine, settings=settings)
    run.run()
    system = [r for r in fake_openai.chat_requests if r.stream][-1].json["messages"][0]["content"]
    assert "The workspace's sources have nothing on this brief" in system
    assert "write [NEEDS SOURCE] in its place" in system and "[S1]" not in system


def test_embeddings_add_semantic_search_next_to_bm25(engine, people, fake_openai, monkeypatch):
    settings = point_at(fake_openai, monkeypatch, STUDIO_EMBEDDINGS_MODEL="fake-embed")
    fake_openai.embedding_synonyms = [["automobile", "car", "vehicle"], ["cheap", "affordable", "inexpensive"]]
    with session_scope(engine) as s:
        car = add_source(s, people.marketer, text="The new automobile line is affordable for families. " * 2,
                         title="Cars", settings=settings)  # fmt: skip
        add_source(s, people.marketer, text="Our bakery sells bread and cakes every morning. " * 2, title="Bakery",
                   settings=settings)  # fmt: skip
    assert fake_openai.embedding_requests  # passages embedded when added
    with session_scope(engine) as s:
        found = search_passages(s, people.marketer, "inexpensive vehicle", settings=settings)
    assert [p.title for p in found][:1] == ["Cars"] and found[0].how == "semantic"
    monkeypatch.delenv("STUDIO_EMBEDDINGS_MODEL")
    from studio.config import reload_settings

    with session_scope(engine) as s:
        assert search_passages(s, people.marketer, "inexpensive vehicle", settings=reload_settings()) == []
    # The endpoint failing costs the semantic half only: BM25 still answers, and adding says why.
    settings = point_at(fake_openai, monkeypatch, STUDIO_EMBEDDINGS_MODEL="fake-embed")
    fake_openai.fail_next("500", times=3, endpoint="embeddings")
    with session_scope(engine) as s:
        added = add_source(s, people.marketer, text="Automobile safety ratings for 2025 models. " * 2,
                           settings=settings)  # fmt: skip
        assert "Semantic search is off for now" in added.note
        assert search_passages(s, people.marketer, "safety ratings", settings=settings)[0].source_id == added.id
    assert car.id


def test_cli_sources_add_and_generate_with_voice_and_source(db_url, people, tmp_path, fake_openai):
    facts = tmp_path / "facts.md"
    facts.write_text(FACT_SHEET, encoding="utf-8")
    out = cli(db_url, "sources", "add", str(facts), "--as", "mara", "--json")
    assert out.returncode == 0, out.stderr
    added = json.loads(out.stdout)
    assert {"id", "title", "chunks"} <= set(added) and added["chunks"] >= 1
    assert added["title"] == "Acme Planner 3.0 fact sheet"
    refused = cli(db_url, "sources", "add", "http://127.0.0.1:9/x", "--as", "mara")
    assert refused.returncode == 1 and "loopback" in refused.stderr
    samples = []
    for i, text in enumerate(["We plan. You ship. It's simple, fast, and fun. " * 5] * 3):
        path = tmp_path / f"s{i}.txt"
        path.write_text(text + f" Sample {i}.", encoding="utf-8")
        samples += ["--sample", str(path)]
    fake_openai.reply = lambda body: ("Write short sentences." if "senior brand editor" in body["messages"][0]["content"]
                                      else "# Faster planning\n\nTeams cut planning time by 40% [S1]. It's simple.\n")
    env = {"OPENAI_BASE_URL": fake_openai.base_url}
    assert cli(db_url, "voices", "add", "Acme", *samples, "--as", "dana", **env).returncode == 0
    gen = cli(db_url, "generate", "--type", "blog", "--topic", "Planning time", "--voice", "Acme", "--source",
              str(added["id"]), "--as", "mara", "--json", **env)  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    result = json.loads(gen.stdout)
    assert 0 <= result["voice_match"]["score"] <= 1 and result["voice_match"]["features"]
    assert result["citations"][0]["id"] == "S1" and result["citations"][0]["source_id"] == added["id"]
    missing = cli(db_url, "generate", "--type", "blog", "--topic", "x", "--source", "999", "--as", "mara", **env)
    assert missing.returncode == 1 and "Source 999 does not exist" in missing.stderr
