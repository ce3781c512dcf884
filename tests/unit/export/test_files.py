"""studio.export: presets, CSV/JSON round trips, the sanitiser, formula cells, slugs, titles."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pass
from studio import content
from studio.content import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    clean_text,
    cms_body_html,
    neutralise,
    render_html,
    sanitize_html,
    title_from_markdown,
)
from studio.export import presets, writing
from studio.export.files import export_bytes
from studio.export.presets import GENERIC, HUBSPOT, JSON_PRESET, PRESETS, WORDPRESS
from studio.export.rows import ExportError, ExportRow, row_from_values
from studio.export.slugs import unique_slugs
from studio.models import Draft, Revision, User

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


def body_for(preset, markdown: str, title: str) -> str:
    """The body cell a preset writes: CMS presets start after the title heading."""
    html = render_html(markdown)
    return cms_body_html(html, title) if preset.name in ("wordpress", "hubspot") else html


def make_row(i: int = 1, **kw) -> ExportRow:
    values = dict(
        draft_id=i,
        revision_number=2,
        title=f"Post {i}",
        slug="",
        body_markdown=f"# Post {i}\n\nHello **world**.\n",
        excerpt="Short summary",
        meta_description="Meta text",
        tags=("growth", "email"),
        categories=("News",),
        author_name="Ana Souza",
        author_email="ana@example.com",
        publish_date=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc),
        publish_status="publish",
        language="en",
        content_type="blog",
    )
    values.update(kw)
    return ExportRow(**values)


def read_both(content: bytes) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The CSV read back with pandas and with the csv module, as lists of dicts of strings."""
    frame = pd.read_csv(
        io.BytesIO(content), dtype=str, keep_default_na=False, na_filter=False,
        encoding="utf-8-sig",
    )  # fmt: skip
    by_pandas = frame.to_dict("records")
    text = content.decode("utf-8-sig")
    by_csv = list(csv.DictReader(io.StringIO(text, newline="")))
    return by_pandas, by_csv


# --------------------------------------------------------------------------------------------
# Golden columns and formats
# --------------------------------------------------------------------------------------------

WORDPRESS_COLUMNS = [
    "post_title", "post_content", "post_excerpt", "post_name", "post_status", "post_date",
    "post_date_gmt", "post_author", "post_category", "tags_input", "_yoast_wpseo_metadesc",
    "featured_image", "featured_image_alt",
]  # fmt: skip
HUBSPOT_COLUMNS = [
    "name", "slug", "postBody", "postSummary", "metaDescription", "publishDate", "language",
    "tags", "authorEmail",
]  # fmt: skip
GENERIC_COLUMNS = [
    "draft_id", "revision_number", "title", "slug", "excerpt", "meta_description", "tags",
    "categories", "author_name", "author_email", "publish_date", "publish_status", "language",
    "content_type", "body_markdown", "body_html", "featured_image_url", "featured_image_alt",
]  # fmt: skip


@pytest.mark.parametrize(
    ("preset", "columns"),
    [(WORDPRESS, WORDPRESS_COLUMNS), (HUBSPOT, HUBSPOT_COLUMNS), (GENERIC, GENERIC_COLUMNS)],
)
def test_csv_presets_have_golden_columns(preset, columns):
    f = export_bytes([make_row()], preset, now=NOW)
    header = f.content.split(b"\r\n", 1)[0].decode()
    assert header.split(",") == columns
    assert f.mimetype == "text/csv; charset=utf-8"
    assert f.filename_suggestion == f"content-studio-{preset.name}-20250601-120000-1.csv"
    assert f.row_count == 1 and f.preset == preset.name
    assert not f.content.startswith(b"\xef\xbb\xbf")


def test_generic_adds_disclosure_column_only_when_the_workspace_sets_one():
    f = export_bytes([make_row()], GENERIC, disclosure="Written with AI assistance.")
    (row,), _ = read_both(f.content)
    assert list(row) == GENERIC_COLUMNS + ["ai_disclosure"]
    assert row["ai_disclosure"] == "Written with AI assistance."
    assert list(read_both(export_bytes([make_row()], GENERIC, disclosure="  ").content)[0][0]) == (
        GENERIC_COLUMNS
    )


def test_wordpress_values_and_formats():
    row = make_row(
        title="Hello", slug="My Custom Slug", tags=("a", "b, c"), categories=("News", "Q|A"),
        publish_date=datetime(2025, 3, 1, 9, 30, 5, tzinfo=timezone.utc),
        publish_status="future",
    )  # fmt: skip
    f = export_bytes([row], WORDPRESS, site_timezone=ZoneInfo("Europe/Berlin"))
    (got,), _ = read_both(f.content)
    assert got["post_title"] == "Hello"
    # The theme prints the title as the page's H1: the body starts after the title heading.
    assert got["post_content"] == cms_body_html(render_html(row.body_markdown), row.title)
    assert got["post_content"].startswith("<p>Hello <strong>world</strong>.</p>")
    assert "<h1>" not in got["post_content"]
    assert got["post_name"] == "my-custom-slug"
    assert got["post_status"] == "future"
    assert got["post_date"] == "2025-03-01 10:30:05"  # site local time (CET)
    assert got["post_date_gmt"] == "2025-03-01 09:30:05"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", got["post_date"])
    assert got["post_author"] == "ana@example.com"
    assert got["post_category"] == "News|Q A"
    assert got["tags_input"] == "a,b c"
    assert got["_yoast_wpseo_metadesc"] == "Meta text"


def test_wordpress_author_falls_back_to_name_and_date_may_be_empty():
    f = export_bytes([make_row(author_email="", publish_date=None, publish_status="draft")], WORDPRESS)
    (got,), _ = read_both(f.content)
    assert got["post_author"] == "Ana Souza"
    assert got["post_date"] == got["post_date_gmt"] == ""


def test_hubspot_values_and_formats():
    berlin = datetime(2025, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    f = export_bytes([make_row(publish_date=berlin, language="de")], HUBSPOT)
    (got,), _ = read_both(f.content)
    assert got["publishDate"] == "2025-07-01T08:00:00+02:00"
    assert datetime.fromisoformat(got["publishDate"]) == berlin
    assert got["postBody"] == cms_body_html(render_html(make_row().body_markdown), "Post 1")
    assert "<h1>" not in got["postBody"]
    assert (got["name"], got["slug"], got["language"]) == ("Post 1", "post-1", "de")
    assert (got["postSummary"], got["metaDescription"]) == ("Short summary", "Meta text")
    assert (got["tags"], got["authorEmail"]) == ("growth,email", "ana@example.com")


def test_json_has_generic_fields_typed():
    rows = [make_row(1, title="中文 标题 😀"), make_row(2, publish_date=None)]
    f = export_bytes(rows, JSON_PRESET, disclosure="AI assisted", now=NOW)
    assert f.mimetype == "application/json" and f.filename_suggestion.endswith(".json")
    assert "中文 标题 😀".encode() in f.content  # ensure_ascii=False
    data = json.loads(f.content.decode("utf-8"))
    assert [list(d) for d in data] == [GENERIC_COLUMNS + ["ai_disclosure"]] * 2
    first, second = data
    assert first["draft_id"] == 1 and first["revision_number"] == 2
    assert first["tags"] == ["growth", "email"] and first["categories"] == ["News"]
    assert first["publish_date"] == "2025-03-01T09:30:00+00:00" and second["publish_date"] is None
    assert first["body_html"] == render_html(rows[0].body_markdown)
    assert first["body_markdown"] == rows[0].body_markdown


def test_json_keeps_formula_like_values_raw_and_refuses_spreadsheet_options():
    f = export_bytes([make_row(title="=SUM(A1)")], JSON_PRESET)
    assert json.loads(f.content)[0]["title"] == "=SUM(A1)"
    with pytest.raises(ExportError):
        export_bytes([make_row()], JSON_PRESET, mode="spreadsheet")
    with pytest.raises(ExportError):
        export_bytes([make_row()], JSON_PRESET, bom=True)


def test_presets_are_declarative_tables():
    assert set(PRESETS) == {"wordpress", "hubspot", "generic", "json"}
    for preset in PRESETS.values():
        assert preset.body_columns <= set(preset.columns)
        with pytest.raises(TypeError):
            preset.columns["x"] = lambda item: ""  # read-only mapping
    assert export_bytes([make_row()], "hubspot").preset == "hubspot"
    with pytest.raises(ExportError, match="Unknown preset"):
        export_bytes([make_row()], "drupal")


# --------------------------------------------------------------------------------------------
# CSV round trips: pandas and csv agree, for every script and every awkward character
# --------------------------------------------------------------------------------------------

AWKWARD = [
    "中文标题：内容营销的未来",
    "Emoji 🚀🔥 launch 👩🏽‍💻 day",
    "مرحبا بالعالم — تسويق المحتوى",
    "שלום עולם, שיווק תוכן",
    'He said "hello", then left',
    "comma, separated, values",
    "line one\nline two\n\nline four",
    "mixed עברית and English, \"quoted\" 😀\nnext",
    "  leading and trailing spaces  ",
    "'already quoted",
]


@pytest.mark.parametrize("preset", [WORDPRESS, HUBSPOT, GENERIC])
@pytest.mark.parametrize("bom", [False, True])
def test_round_trip_pandas_and_csv_agree(preset, bom):
    rows = [
        make_row(
            i + 1, title=text, excerpt=text, meta_description=text, author_name=text,
            tags=(text.replace("\n", " "),), categories=("Über", "新闻"),
            body_markdown=f"# {text.splitlines()[0]}\n\n{text}\n\n| a | b |\n|---|---|\n| {i} | x |\n",
        )  # fmt: skip
        for i, text in enumerate(AWKWARD)
    ]
    f = export_bytes(rows, preset, bom=bom)
    assert f.content.startswith(b"\xef\xbb\xbf") == bom
    by_pandas, by_csv = read_both(f.content)
    assert by_pandas == by_csv
    assert len(by_pandas) == len(rows)
    title_col = {"wordpress": "post_title", "hubspot": "name", "generic": "title"}[preset.name]
    body_col = sorted(preset.body_columns)[0]
    for row, got in zip(rows, by_pandas):
        assert got[title_col] == row.title  # none of these starts with a trigger
        assert got[body_col] == body_for(preset, row.body_markdown, row.title)
        assert "\n" in got[body_col]  # newlines inside the HTML are kept
    # Records end with CRLF (header + one per row); the newlines inside cells stay LF.
    assert f.content.endswith(b"\r\n")
    assert f.content.count(b"\r\n") == len(rows) + 1
    assert f.content.count(b"\r") == len(rows) + 1


def test_cell_text_is_cleaned_of_controls_surrogates_and_cr():
    assert clean_text("a\x00b\x07c\x1bd\x7fe") == "abcde"
    assert clean_text("tab\there\nnew") == "tab\there\nnew"
    assert clean_text("x\r\ny\rz") == "x\ny\nz"
    assert clean_text("bad \ud800 surrogate") == "bad \ufffd surrogate"
    s = "unchanged é 中文 😀"
    assert clean_text(s) is s


def test_large_export_writes_header_once_across_chunks():
    rows = [make_row(i) for i in range(1, writing.CHUNK_ROWS * 2 + 7)]
    f = export_bytes(rows, WORDPRESS, mode="spreadsheet")
    assert f.content.count(b"post_title,post_content") == 1
    assert f.content.count(b"\xef\xbb\xbf") == 1
    by_pandas, by_csv = read_both(f.content)
    assert by_pandas == by_csv and len(by_pandas) == len(rows) == f.row_count
    assert [r["post_name"] for r in by_pandas] == list(f.slugs)


def test_checksum_is_sha256_of_content():
    import hashlib

    f = export_bytes([make_row()], WORDPRESS)
    assert f.sha256 == hashlib.sha256(f.content).hexdigest()
    assert export_bytes([make_row()], WORDPRESS, now=NOW).content == f.content  # deterministic


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_nothing_to_export_is_an_error_not_an_empty_file():
    for preset in PRESETS.values():
        with pytest.raises(ExportError, match="^Nothing to export: no approved drafts match.$"):
            export_bytes([], preset)
        with pytest.raises(ExportError, match="Nothing to export"):
            export_bytes(iter(()), preset)


def test_row_validation_names_the_draft():
    with pytest.raises(ExportError, match="Draft 9 has no title"):
        make_row(9, title="  \x01 ")
    with pytest.raises(ExportError, match="Draft 9 .*publish status 'pending'"):
        make_row(9, publish_status="pending")
    with pytest.raises(ExportError, match="Draft 9 .*without a time zone"):
        make_row(9, publish_date=datetime(2025, 1, 1))
    with pytest.raises(ExportError, match="Draft 9 .*scheduled .* no publish date"):
        make_row(9, publish_status="future", publish_date=None)
    with pytest.raises(ExportError, match="Draft 3 is in the export twice"):
        export_bytes([make_row(3), make_row(3)], WORDPRESS)


def _draft(body: str, title: str = "", **kw) -> tuple[Draft, Revision]:
    author = User(name="ana", display_name="Ana Souza", password_hash="x")
    draft = Draft(
        id=kw.pop("id", 7), content_type="blog", topic="Spring launch", title=title, slug="",
        excerpt="Ex", meta_description="Meta", tags=["a"], categories=["News"],
        publish_date=None, publish_status="draft", language="fr", author=author, **kw,
    )  # fmt: skip
    revision = Revision(number=3, body=body, reason="edited")
    draft.current_revision = revision
    return draft, revision


def _row(draft: Draft, revision: Revision, **kw) -> ExportRow:
    return row_from_values(draft, revision_number=revision.number, body=revision.body, **kw)


def test_a_row_carries_the_drafts_fields():
    draft, revision = _draft("Body", title="Le titre")
    row = _row(draft, revision, author_name=draft.author.label, author_email="ana@example.com")
    assert (row.draft_id, row.revision_number, row.title) == (7, 3, "Le titre")
    assert (row.author_name, row.author_email, row.language) == ("Ana Souza", "ana@example.com", "fr")
    assert (row.tags, row.categories, row.content_type) == (("a",), ("News",), "blog")


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("# The **big** `launch`\n\nText", "The big launch"),
        ("Intro paragraph\n\n## Second level first\n\n# Later h1", "Second level first"),
        ("Setext title\n============\n\nText", "Setext title"),
        ("```\n# not a heading\n```\n\n### Real one ###", "Real one"),
        ("#   Spaces   and  [a link](https://x.example)  ", "Spaces and a link"),
    ],
)
def test_missing_title_is_taken_from_the_first_heading(body, title):
    assert title_from_markdown(body) == title
    assert _row(*_draft(body)).title == title


def test_missing_title_without_heading_is_refused_naming_the_draft():
    with pytest.raises(ExportError, match=r"Draft 42 \('Spring launch'\) has no title"):
        _row(*_draft("Just text, no heading.\n\n```\n# code\n```", id=42))


# --------------------------------------------------------------------------------------------
# Sanitiser
# --------------------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<IMG SRC="javascript:alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<td style="text-align:left;background:url(javascript:alert(1))">x</td>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="#" onclick="alert(1)">x</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<details open ontoggle="alert(1)">',
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    '<img src=x:alert(alt) onerror=eval(src) alt=0>',
]
MARKDOWN_PAYLOADS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x73;cript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x](vbscript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <img src=x onerror=alert(1)>",
    "- <svg onload=alert(1)>",
    "| a |\n|---|\n| <iframe src=x> |",
]
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src"):
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r}")
            if name == "style" and not re.fullmatch(r"text-align:\s*(left|right|center);?", value):
                self.problems.append(f"style={value!r}")
            if name == "rel" and value != "noopener noreferrer":
                self.problems.append(f"rel={value!r}")

    handle_startendtag = handle_starttag


def problems_in(output: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    lowered = output.lower()
    found = inspector.problems
    for needle in ("<script", "<iframe", "<svg", "<style", "<object", "<embed"):
        # Escaped text (&lt;script&gt;) is harmless; a live tag or URL is not.
        if needle in lowered:
            found.append(f"raw {needle}")
    return found


def test_at_least_twenty_payloads():
    assert len(XSS_PAYLOADS) >= 20 and len(MARKDOWN_PAYLOADS) >= 10


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitiser_removes_raw_html_payloads(payload):
    assert problems_in(sanitize_html(payload)) == []
    # Through the Markdown path too, alone and inside normal content.
    assert problems_in(render_html(payload)) == []
    assert problems_in(render_html(f"# Title\n\nSome text {payload} more\n\n{payload}\n")) == []


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_payloads_do_not_survive(payload):
    out = render_html(payload)
    assert problems_in(out) == []
    assert problems_in(sanitize_html(out)) == []


def test_raw_html_in_markdown_is_shown_as_text():
    out = render_html("Hello <b onclick=x>bold</b> <script>alert(1)</script>")
    assert out == (
        "<p>Hello &lt;b onclick=x&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


def test_normal_formatting_survives():
    md = (
        "# Heading one\n\n## Heading two\n\n### Three\n\n"
        "A paragraph with **bold**, *em*, `code` and [a link](https://example.com/a?b=1&c=2 "
        '"Title").\n\n'
        "- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n"
        "```python\nprint('hi')\n```\n\n---\n\n"
        "![alt text](https://example.com/i.png)\n\n"
        "| Name | Value |\n|:-----|------:|\n| a | 1 |\n"
    )
    out = render_html(md)
    for fragment in [
        "<h1>Heading one</h1>", "<h2>Heading two</h2>", "<h3>Three</h3>",
        "<strong>bold</strong>", "<em>em</em>", "<code>code</code>",
        '<a href="https://example.com/a?b=1&amp;c=2" title="Title" rel="noopener noreferrer">'
        "a link</a>",
        "<ul>\n<li>one</li>", '<ol start="3">\n<li>three</li>', "<blockquote>\n<p>quoted</p>",
        "<pre><code>print('hi')\n</code></pre>", "<hr />" if "<hr />" in out else "<hr>",
        '<img src="https://example.com/i.png" alt="alt text"',
        "<table>", "<thead>", '<th style="text-align:left">Name</th>',
        '<td style="text-align:right">1</td>', "</tbody>",
    ]:  # fmt: skip
        assert fragment in out, fragment
    assert problems_in(out) == []


def test_relative_and_mailto_links_are_kept():
    out = render_html("[about](/about) [mail](mailto:hi@example.com) [top](#top)")
    assert 'href="/about"' in out and 'href="mailto:hi@example.com"' in out
    assert 'href="#top"' in out


def test_fast_renderer_matches_markdown_it_py():
    """markdown-it-pyrs must render what markdown-it-py renders (html off, tables on)."""
    pytest.importorskip("markdown_it_pyrs")
    from markdown_it import MarkdownIt

    from bench.bench_export import build_rows

    reference = MarkdownIt("commonmark", {"html": False}).enable("table")
    corpus = [r.body_markdown for r in build_rows(40)] + XSS_PAYLOADS + MARKDOWN_PAYLOADS
    corpus += [
        "Setext\n===\n\nA *b* **c** ***d*** `e` <https://auto.example> \\*esc\\* &amp; &copy;",
        "1. a\n   - nested\n     > quote\n\n2) b\n\n    indented code\n",
        "[ref][r]\n\n[r]: https://example.com 'T'\n\nline  \nbreak\\\nhard",
        "| a | b |\n| - | :-: |\n| `x|y` | \\| |\n| only one |",
    ]
    assert content.RENDERER == "markdown-it-pyrs"
    for md in corpus:
        assert content.render_markdown(md) == reference.render(md), md


# --------------------------------------------------------------------------------------------
# Formula cells
# --------------------------------------------------------------------------------------------

FORMULAS = [
    "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-10% this week", "@SUM(A1:A2)",
    "\tindented", "=cmd|' /C calc'!A0",
]  # fmt: skip


@pytest.mark.parametrize("value", FORMULAS)
def test_cms_mode_neutralises_every_non_body_cell(value):
    row = make_row(
        title=value, excerpt=value, meta_description=value, author_name=value, author_email="",
        tags=(value,), categories=(value,), language=value, body_markdown=value,
    )  # fmt: skip
    for preset in (WORDPRESS, HUBSPOT, GENERIC):
        (got,), _ = read_both(export_bytes([row], preset).content)
        for column, cell in got.items():
            if column in preset.body_columns:
                assert cell == body_for(preset, value, row.title)  # byte for byte
                assert cell.startswith("<")
            elif cell:
                assert not cell.startswith(content.FORMULA_TRIGGERS), (preset.name, column, cell)
        title_col = {"wordpress": "post_title", "hubspot": "name", "generic": "title"}
        assert got[title_col[preset.name]] == "'" + value


def test_cms_mode_leaves_html_body_untouched_even_with_leading_triggers_inside():
    md = "=1+1\n\n- list\n\n@mention"
    (got,), _ = read_both(export_bytes([make_row(body_markdown=md)], GENERIC).content)
    assert got["body_html"] == render_html(md) == "<p>=1+1</p>\n<ul>\n<li>list</li>\n</ul>\n<p>@mention</p>\n"
    assert got["body_markdown"] == "'" + md  # the Markdown body is not the HTML body


def test_neutralise_modes():
    for trigger in ["=", "+", "-", "@", "\t", "\r"]:
        assert neutralise(trigger + "x") == "'" + trigger + "x"
        assert neutralise(trigger + "x", "spreadsheet") == "'" + trigger + "x"
    for safe in ["", "plain", "<p>x</p>", "'=quoted", "2025-01-01", "a=b"]:
        assert neutralise(safe) == safe and neutralise(safe, "spreadsheet") == safe
    # Spreadsheet mode also looks past leading whitespace and at fullwidth forms.
    for sneaky in [" =1+1", "\n=1+1", "\u00a0@x", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x"]:
        assert neutralise(sneaky) == sneaky
        assert neutralise(sneaky, "spreadsheet") == "'" + sneaky


def test_spreadsheet_mode_neutralises_body_columns_and_adds_bom():
    md = "- first item\n- second"
    row = make_row(title=" =1+1", body_markdown=md)
    f = export_bytes([row], GENERIC, mode="spreadsheet")
    assert f.content.startswith(b"\xef\xbb\xbf")
    (got,), _ = read_both(f.content)
    assert got["title"] == "' =1+1"
    assert got["body_markdown"] == "'" + md
    assert got["body_html"] == render_html(md)  # HTML starts with "<": nothing to neutralise
    assert not export_bytes([row], GENERIC, mode="spreadsheet", bom=False).content.startswith(
        b"\xef\xbb\xbf"
    )
    with pytest.raises(ExportError, match="Unknown mode"):
        export_bytes([row], GENERIC, mode="excel")


# --------------------------------------------------------------------------------------------
# Slugs
# --------------------------------------------------------------------------------------------


def test_slugs_are_unique_within_the_export_and_against_earlier_exports():
    rows = [make_row(i, title="Hello World") for i in range(1, 5)]
    assert unique_slugs(rows) == ["hello-world", "hello-world-2", "hello-world-3", "hello-world-4"]
    assert unique_slugs(rows, {"hello-world", "hello-world-3"}) == [
        "hello-world-2", "hello-world-4", "hello-world-5", "hello-world-6",
    ]  # fmt: skip
    f = export_bytes(rows, HUBSPOT, taken_slugs=["Hello-World"])
    assert f.slugs == ("hello-world-2", "hello-world-3", "hello-world-4", "hello-world-5")
    assert [r["slug"] for r in read_both(f.content)[0]] == list(f.slugs)


def test_a_reexported_draft_keeps_its_own_slug():
    rows = [make_row(1, title="Hello World"), make_row(2, title="Hello World")]
    assert unique_slugs(rows, {"hello-world": 1}) == ["hello-world", "hello-world-2"]
    assert unique_slugs(rows, {"hello-world": 2}) == ["hello-world-2", "hello-world"]


def test_slug_sources_and_fallbacks():
    rows = [
        make_row(1, title="Ignored", slug="Custom Slug!"),
        make_row(2, title="内容营销 Café"),
        make_row(3, title="🚀🔥"),
        make_row(4, title="x " * 300),
        make_row(5, title="Ünïcödé—dash", slug="  "),
    ]
    slugs = unique_slugs(rows)
    assert slugs[:3] == ["custom-slug", "nei-rong-ying-xiao-cafe", "post-3"]
    assert len(slugs[3]) <= content.SLUG_MAX_LENGTH and slugs[3].startswith("x-x")
    assert slugs[4] == "unicode-dash"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)


# --------------------------------------------------------------------------------------------
# Properties: any text in any field never crashes and round-trips through CSV
# --------------------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
TEXT_FIELDS = ("title", "slug", "excerpt", "meta_description", "author_name", "author_email",
               "language", "content_type")  # fmt: skip


@st.composite
def any_rows(draw):
    rows = []
    for i in range(draw(st.integers(1, 3))):
        values = {name: draw(ANY_TEXT) for name in TEXT_FIELDS}
        values["body_markdown"] = draw(st.text(st.characters(codec=None, exclude_categories=()), max_size=300))
        values["tags"] = tuple(draw(st.lists(ANY_TEXT, max_size=3)))
        values["categories"] = tuple(draw(st.lists(ANY_TEXT, max_size=3)))
        values["publish_date"] = draw(
            st.none() | st.datetimes(timezones=st.sampled_from([timezone.utc, ZoneInfo("Asia/Tokyo")]))
        )
        values["publish_status"] = "draft"
        try:
            rows.append(ExportRow(draft_id=i + 1, revision_number=1, **values))
        except ExportError:
            rows.append(ExportRow(draft_id=i + 1, revision_number=1, **{**values, "title": "t"}))
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=any_rows(), mode=st.sampled_from(["cms", "spreadsheet"]), bom=st.booleans())
def test_any_text_never_crashes_and_round_trips(rows, mode, bom):
    for preset in (WORDPRESS, HUBSPOT, GENERIC):
        f = export_bytes(rows, preset, mode=mode, bom=bom, disclosure="AI")
        by_pandas, by_csv = read_both(f.content)
        names = preset.column_names(disclosure=True)
        cleaned = [writing.clean_row(r) for r in rows]
        items = [
            presets.Item(row=r, slug=s, html=render_html(r.body_markdown), disclosure="AI",
                        site_timezone=timezone.utc)
            for r, s in zip(cleaned, f.slugs)
        ]  # fmt: skip
        expected = writing.make_frame(items, preset, names, mode).to_dict("records")
        assert by_pandas == by_csv == expected
    # The free-text fields arrive as given, apart from the documented cleaning and the quote.
    (first, *_), _ = read_both(export_bytes(rows, GENERIC, mode=mode).content)
    for name in ("title", "excerpt", "meta_description", "author_name"):
        assert first[name] == neutralise(clean_text(getattr(rows[0], name)), mode)
    data = json.loads(export_bytes(rows, JSON_PRESET).content.decode("utf-8"))
    assert data[0]["title"] == clean_text(rows[0].title)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=400))
def test_render_html_never_crashes_and_never_emits_disallowed_markup(markdown):
    out = render_html(markdown)
    assert problems_in(out) == []


HTML_PIECES = list("<>\"'=/ &#;:x\n\t") + [
    "javascript:", "java\tscript:", "&#106;", "data:", "<script>", "</script>", "onerror=",
    "onload=", "<svg", "<a href=", "<img src=", "<iframe", "<style>", "style=", "<table>", "<td ",
    "<!--", "-->", "<math>", "<p>",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join))
def test_sanitiser_fuzz_keeps_to_the_allowlist(fragment):
    assert problems_in(sanitize_html(fragment)) == []


def test_timedelta_offsets_survive_iso_dates():
    tz = timezone(timedelta(hours=-5, minutes=-30))
    f = export_bytes([make_row(publish_date=datetime(2025, 1, 2, 3, 4, tzinfo=tz))], GENERIC)
    assert read_both(f.content)[0][0]["publish_date"] == "2025-01-02T03:04:00-05:30"


def test_surrogates_and_control_characters_in_every_field_export_cleanly():
    bad = "a\ud800b\x00c\x1b\r\nd"
    row = make_row(title=bad, excerpt=bad, author_name=bad, tags=(bad,), body_markdown=bad)
    for preset in (WORDPRESS, HUBSPOT, GENERIC):
        by_pandas, by_csv = read_both(export_bytes([row], preset).content)
        assert by_pandas == by_csv
    (got,), _ = read_both(export_bytes([row], GENERIC).content)
    assert got["title"] == got["excerpt"] == got["body_markdown"] == "a\ufffdbc\nd"
    assert got["body_html"] == "<p>a\ufffdbc\nd</p>\n"
    assert json.loads(export_bytes([row], JSON_PRESET).content)[0]["tags"] == ["a\ufffdbc\nd"]


@pytest.mark.parametrize("preset", ["wordpress", "json"])
def test_a_compressed_export_keeps_only_the_gzip_and_gives_back_the_same_file(preset):
    import gzip
    import hashlib
    import io

    rows = [make_row(i, body_markdown=f"# Post {i}\n\nText, \"quoted\", and more.\n" * 50) for i in range(1, 40)]
    plain = export_bytes(rows, preset, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    packed = export_bytes(rows, preset, now=datetime(2025, 1, 1, tzinfo=timezone.utc), compressed=True)
    assert packed.plain is None and packed.content_gzip[:2] == b"\x1f\x8b"
    assert len(packed.content_gzip) < packed.size / 3
    assert gzip.decompress(packed.content_gzip) == packed.content == plain.content
    assert packed.sha256 == plain.sha256 == hashlib.sha256(plain.content).hexdigest()
    assert packed.size == plain.size == len(plain.content) and packed.slugs == plain.slugs
    out = io.BytesIO()
    packed.write_to(out)
    assert out.getvalue() == plain.content


@pytest.mark.parametrize("preset", [WORDPRESS, HUBSPOT])
def test_cms_presets_drop_the_title_heading_and_demote_other_h1s(preset):
    body = "# Five ways to plan\n\nIntro.\n\n# A second top heading\n\nMore.\n\n## Kept\n\nEnd.\n"
    f = export_bytes([make_row(title="Five ways to plan", body_markdown=body)], preset)
    (got,), _ = read_both(f.content)
    cell = got["post_content" if preset is WORDPRESS else "postBody"]
    assert cell.startswith("<p>Intro.</p>") and "Five ways to plan" not in cell
    assert "<h1>" not in cell and "<h2>A second top heading</h2>" in cell and "<h2>Kept</h2>" in cell


@pytest.mark.parametrize("preset", [GENERIC, JSON_PRESET])
def test_generic_and_json_keep_the_markdown_as_written(preset):
    body = "# Five ways to plan\n\nIntro.\n"
    f = export_bytes([make_row(title="Five ways to plan", body_markdown=body)], preset)
    text = f.content.decode("utf-8-sig")
    assert "<h1>Five ways to plan</h1>" in text.replace("\\u003c", "<").replace("\\u003e", ">")
