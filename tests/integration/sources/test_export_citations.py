"""Citations on export: numbered footnotes linking to the sources (WordPress, HubSpot, generic CSV),
or removed (JSON), per preset; `--citations` chooses for one export."""

from __future__ import annotations

import json

from studio.claims.service import ledger
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.export.service import read_back, run_export
from studio.review.service import approve, submit
from studio.sources.service import add_source
from tests.integration.sources.test_sources import site  # noqa: F401 - the local web site fixture
from tests.support.grounding import point_at

REPLY = ("# Acme opens in Lisbon\n\nAcme opened its Lisbon office on 2 June 2025 with 40 people [S1]. The office "
         "serves customers in Portugal [S1, S2].\n")  # fmt: skip


def _approved(engine, people, fake_openai, monkeypatch, site_url):  # type: ignore[no-untyped-def]
    settings = point_at(fake_openai, monkeypatch, STUDIO_SOURCES_ALLOW_PRIVATE_URLS="true")
    with session_scope(engine) as s:
        page = add_source(s, people.marketer, url=f"{site_url}/news", settings=settings)
        note = add_source(s, people.marketer, text="Acme serves customers in Portugal and Spain from Lisbon. " * 2,
                          title="Sales note", settings=settings)  # fmt: skip
    fake_openai.reply = lambda body: "{}" if "CMS publishing fields" in body["messages"][0]["content"] else REPLY
    run = DraftRun(Brief.create(content_type="blog", topic="Acme Lisbon office customers Portugal",
                                source_ids=[page.id, note.id]), people.marketer, engine=engine, settings=settings)
    run.run()
    run.wait_for_fields(10)
    with session_scope(engine) as s:
        version = submit(s, run.outcome.draft_id, people.marketer, None).version
        acks = [c.id for c in ledger(s, run.outcome.draft_id, people.editor) if c.support != "supported"]
    with session_scope(engine) as s:
        approve(s, run.outcome.draft_id, people.editor, version, manual_review_confirmed=True, acknowledged_claims=acks)
    return run.outcome.draft_id, f"{site_url}/news"


def test_wordpress_gets_footnotes_with_links_and_json_drops_the_marks(engine, people, fake_openai, monkeypatch, site):
    draft_id, url = _approved(engine, people, fake_openai, monkeypatch, site)
    with session_scope(engine) as s:
        _, file = run_export(s, people.editor, [draft_id], "wordpress")
    html = read_back(file.content, file.mimetype)[0]["post_content"]
    assert f'<a href="{url}"' in html and "[S1]" not in html and "[S2]" not in html
    assert "<h2>Sources</h2>" in html and "Acme press release" in html and "Sales note" in html
    assert "40 people" in html and "[1]" in html and "[2]" in html
    with session_scope(engine) as s:
        _, file = run_export(s, people.editor, [draft_id], "json", include_exported=True)
    row = json.loads(file.content)[0]
    assert "[S1]" not in row["body_markdown"] and "Sources" not in row["body_markdown"]
    assert "with 40 people. The office serves customers in Portugal." in row["body_markdown"]
    with session_scope(engine) as s:
        _, file = run_export(s, people.editor, [draft_id], "json", include_exported=True, citations="footnotes")
    row = json.loads(file.content)[0]
    assert f"[[1]]({url})" in row["body_markdown"] and "## Sources" in row["body_markdown"]
