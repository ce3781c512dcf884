"""Extraction, chunking, search tokens, BM25, citations and the address rules, without I/O."""

from __future__ import annotations

import io

import pytest

from studio.sources.chunking import MAX_CHARS, chunk_text, tokens
from studio.sources.citations import Cited, cited_passages, footnotes, labels_in, remove_citations
from studio.sources.extract import ExtractionError, extract, html_text
from studio.sources.fetch import UrlRefused, address_refusal, check_url
from studio.sources.index import Doc, search


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica (built by hand: objects, then the xref table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Launch notes"
    document.add_heading("Launch notes", level=1)
    document.add_paragraph("Acme Planner 3.0 launched on March 4, 2025.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Customers", "120"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_every_accepted_file_kind_gives_its_text():
    assert extract(b"# Title\n\nBody text.\n", filename="a.md").text == "# Title\n\nBody text.\n"
    assert extract("Caf\xe9 \u2014 ok".encode("cp1252", "replace"), filename="a.txt").text.startswith("Caf")
    pdf = extract(_pdf("Revenue grew 40 percent in 2024."), filename="report.pdf")
    assert "Revenue grew 40 percent in 2024." in pdf.text and pdf.kind == "pdf"
    word = extract(_docx(), filename="notes.docx")
    assert word.title == "Launch notes" and "# Launch notes" in word.text
    assert "launched on March 4, 2025." in word.text and "Customers | 120" in word.text
    page = html_text("<html><title>T</title><body><nav>Menu</nav><article><h2>News</h2><p>Hello <b>world</b>."
                     "</p><ul><li>one</li></ul></article><script>x()</script></body></html>")  # fmt: skip
    assert page.text == "## News\n\nHello world.\n\n- one" and page.title == "T"


def test_unreadable_files_are_refused_with_the_reason():
    with pytest.raises(ExtractionError, match="upload a .txt, .md, .pdf, .docx or .html file"):
        extract(b"...", filename="photo.jpg")
    with pytest.raises(ExtractionError, match="could not be read as PDF"):
        extract(b"%PDF-1.4 broken", filename="x.pdf")
    with pytest.raises(ExtractionError, match="has no text"):
        extract(b"   \n ", filename="empty.txt")


def test_chunks_are_the_sources_own_words_with_offsets():
    text = "\n\n".join(f"Paragraph {i}. " + "Planning matters for teams. " * 12 for i in range(6))
    chunks = chunk_text(text)
    assert len(chunks) >= 3
    assert all(text[c.start : c.end] == c.text and len(c.text) <= MAX_CHARS for c in chunks)
    long_one = "Sentence about budgets. " * 120
    assert all(len(c.text) <= MAX_CHARS for c in chunk_text(long_one))


def test_tokens_split_words_and_cjk_characters():
    assert tokens("Acme's planner, teams' plans") == ["acme", "planner", "teams", "plans"]
    assert tokens("我们的计划") == ["我", "们", "的", "计", "划", "我们", "们的", "的计", "计划"]


def test_bm25_ranks_the_passage_about_the_query_first_and_ignores_function_words():
    docs = [Doc(1, "Our bakery sells bread every morning."), Doc(2, "The planner syncs calendars for teams."),
            Doc(3, "Teams plan content calendars each quarter.")]  # fmt: skip
    hits = search(docs, "calendar planner for teams", 2)
    assert [h.id for h in hits] == [2, 3] and hits[0].how == "bm25"
    assert search(docs, "the and of", 3) == []


def test_citations_become_numbered_footnotes_or_are_removed():
    text = "Revenue grew 40% [S1]. Offices in 14 cities [S1, S3]. Invented [S9].\n"
    passages = {"S1": Cited("Fact sheet", "https://example.com/facts"), "S3": Cited("Sales note")}
    assert labels_in(text) == ["S1", "S3", "S9"]
    out = footnotes(text, passages, "de")
    assert out.startswith("Revenue grew 40%[[1]](https://example.com/facts). Offices in 14 cities[[1]](https://example.com/facts)[2].")
    assert "Invented." in out and "[S9]" not in out
    assert out.endswith("## Quellen\n\n1. [Fact sheet](https://example.com/facts)\n2. Sales note\n")
    assert remove_citations(text) == "Revenue grew 40%. Offices in 14 cities. Invented.\n"
    assert [c["id"] for c in cited_passages(text, [])] == ["S1", "S3", "S9"]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::1", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                                     "::ffff:127.0.0.1"])
def test_private_loopback_and_reserved_addresses_are_refused(address):
    assert address_refusal(address) is not None


def test_public_addresses_and_the_url_form():
    assert address_refusal("93.184.216.34") is None and address_refusal("2606:4700::1111") is None
    assert check_url(" https://example.com/a ") == "https://example.com/a"
    for bad in ("ftp://example.com/", "javascript:alert(1)", "http:///nohost", "example.com"):
        with pytest.raises(UrlRefused):
            check_url(bad)
