"""Text from people and models shown in the app, and cells written for spreadsheets: nothing in
them becomes live Markdown, HTML, a remote image, a link to data:/javascript:, or a formula."""

from __future__ import annotations

import re

import pytest

from studio.content import neutralise, render_html
from studio.ui.safe import html_without_images, inline, markdown_html

HOSTILE = [
    "![px](http://127.0.0.2:9/px-topic.png)",
    "<img src=http://127.0.0.2:9/px.png>",
    '<img src="x" onerror="alert(1)">',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<iframe src=http://127.0.0.2:9/></iframe>",
    "[ref]\n\n[ref]: http://127.0.0.2:9/px-ref.png",
    "![ref][img]\n\n[img]: http://127.0.0.2:9/px-refimg.png",
    "<http://127.0.0.2:9/autolink>",
    ":red[coloured] **bold** `code` $x^2$",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_inline_text_has_no_markdown_left(text):
    escaped = inline(text)
    # Every construct that could open a link, image, tag, emphasis or code is escaped.
    for ch in "[]<>*`_$|~":
        assert not re.search(r"(?<!\\)" + re.escape(ch), escaped), (ch, escaped)


def test_inline_escapes_line_starts_only_where_they_matter():
    assert inline("# Not a heading\n- not a list\n1. not a list", multiline=True) == (
        "\\# Not a heading  \n\\- not a list  \n1\\. not a list"
    )
    assert inline("Draft 12 (HTTP 500): don't panic.") == "Draft 12 (HTTP 500): don't panic."


@pytest.mark.parametrize("text", HOSTILE)
def test_a_drafts_markdown_shows_no_image_no_html_and_no_dangerous_link(text):
    assert_no_image_no_html_no_dangerous_link(markdown_html(text))


def assert_no_image_no_html_no_dangerous_link(html: str) -> None:
    for tag, attributes in re.findall(r"<([a-zA-Z][\w-]*)([^>]*)>", html):  # the real tags
        assert tag.lower() not in {"img", "script", "iframe", "style", "object", "embed", "svg"}, html
        names = re.findall(r"([\w-]+)\s*=", attributes)
        assert not [n for n in names if n.lower() == "src" or n.lower().startswith("on")], html
        for href in re.findall(r'href="([^"]*)"', attributes):
            assert href.startswith(("http://", "https://", "mailto:")), html


def test_a_drafts_markdown_keeps_its_structure_and_says_where_an_image_was():
    html = markdown_html("# Title\n\nSome *emphasis* and a [link](https://example.org).\n\n![a chart](http://x/c.png)")
    assert "<h1>Title</h1>" in html and "<em>emphasis</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in html
    assert "[image: a chart]" in html and "http://x/c.png" not in html


@pytest.mark.parametrize("cell", [
    "=1+1", "\uff1d1+1", "\u200b=1+1", "\u202e=HYPERLINK(1)", "\ufeff+1", " \u200d-1", "\u3000@SUM(A1)",
    "\ufe66HYPERLINK(1)", "\u00a0=1",
])  # fmt: skip
def test_spreadsheet_mode_neutralises_formulas_behind_invisible_and_compatibility_characters(cell):
    assert neutralise(cell, "spreadsheet") == "'" + cell


@pytest.mark.parametrize("cell", ["hello", "a=1", "\u200bhello", "", "Ｈello"])
def test_spreadsheet_mode_leaves_other_cells_alone(cell):
    assert neutralise(cell, "spreadsheet") == cell


@pytest.mark.parametrize("text", HOSTILE)
def test_the_wordpress_preview_loads_no_image_and_runs_nothing(text):
    assert_no_image_no_html_no_dangerous_link(html_without_images(render_html(text)))
