"""The checked text, rendered as a reader sees it, with findings marked in place."""

from __future__ import annotations

import re

from studio.checks.highlight import Mark, clusters, highlight_html
from studio.checks.pipeline import check
from studio.checks.presentation import group_findings, marks_for, summary


def visible(html: str) -> str:
    """The text a reader sees (tags dropped, the marks' numbers dropped)."""
    html = re.sub(r'<sup class="mark-ref"[^>]*>.*?</sup>', "", html)
    html = re.sub(r"<[^>]+>", "", html)
    return html.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def test_markdown_is_shown_rendered_not_as_syntax():
    text = "# The plan\n\nA **bold** idea and an *em* one, see [our site](https://example.com).\n\n## Webinar\n\n- first\n- second\n\n> quoted\n"
    html = highlight_html(text, [])
    shown = visible(html)
    for syntax in ("# The plan", "## Webinar", "**", "](", "- first", "> quoted"):
        assert syntax not in shown, syntax
    assert "The plan" in shown and "Webinar" in shown and "our site (https://example.com)" in shown
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert 'font-size:1.5em' in html and 'font-size:1.25em' in html  # heading levels
    assert "list-item" in html and "<blockquote" in html
    assert "<a " not in html  # links are text, never live


def test_user_text_never_becomes_html():
    text = 'Hi <script>alert(1)</script> & <b onclick="x">b</b>\n\n# <img src=x onerror=alert(1)>'
    html = highlight_html(text, [Mark(3, 11, 1, "pii", "x", "warn")])
    assert "<script>" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_overlapping_marks_merge_into_one_mark_listing_its_findings():
    text = "Write to bob@example.com today."
    a, b = text.index("bob"), text.index(" today")
    marks = [Mark(a, b, 29, "pii", "email", "warn"), Mark(a, b, 34, "quality", "repetition", "info"),
             Mark(a + 4, b, 35, "bias", "x", "warn")]  # fmt: skip
    html = highlight_html(text, marks)
    assert html.count("<mark") == 1
    assert '<sup class="mark-ref" style="font-size:0.7em;color:#374151">[29, 34, 35]</sup>' in html
    assert "²⁹" not in html and "2934" not in visible(html).replace(" ", "")
    assert "29. Personal data · email (warning)" in html and "34. Quality · repetition (note)" in html
    [c] = clusters(marks, len(text))
    assert (c.start, c.end, c.numbers, c.top.category) == (a, b, [29, 34, 35], "pii")


def test_separate_marks_stay_separate_and_a_mark_on_a_heading_shows_in_the_heading():
    text = "# Our chairman\n\nThe chairman spoke."
    first, second = text.index("chairman"), text.rindex("chairman")
    html = highlight_html(text, [Mark(first, first + 8, 1, "bias", "gendered", "warn"),
                                 Mark(second, second + 8, 1, "bias", "gendered", "warn")])  # fmt: skip
    assert html.count("<mark") == 2 and html.count("[1]</sup>") == 2
    heading = re.search(r'<div style="font-size:1.5em[^"]*">(.*?)</div>', html).group(1)
    assert "<mark" in heading and visible(heading) == "Our chairman"


def test_a_mark_across_hidden_syntax_keeps_its_number_after_the_last_visible_character():
    text = "Read **this part** now."
    a, b = text.index("**this"), text.index(" now")
    html = highlight_html(text, [Mark(a, b, 7, "quality", "repetition", "info")])
    assert "part</strong></mark>" in html.replace("</mark><mark", "") or "part</mark>" in html
    assert html.count("[7]</sup>") == 1
    assert visible(html) == "Read this part now."


def test_plain_fields_are_marked_without_markdown():
    html = highlight_html("five-ways-a-chairman-can-help", [Mark(11, 19, 3, "bias", "gendered", "warn")], markdown=False)
    assert visible(html) == "five-ways-a-chairman-can-help" and "[3]</sup>" in html


def test_findings_group_per_pattern_most_severe_first(settings):
    text = "Our chairman spoke. " * 10 + "Write to bob@gmail.com. Our fund offers guaranteed returns."
    groups = group_findings(check(text, settings).findings)
    assert groups[0].first.rule == "claims.financial_returns" and groups[0].severity == "block"
    chair = next(g for g in groups if g.first.rule == "gendered.chairman")
    assert chair.count == 10
    rep = [g for g in groups if g.category == "quality"]
    assert rep and all(g.severity == "info" for g in rep)
    assert len(groups) < 10 + len(rep)  # ten chairmen are one finding, not ten cards
    severities = [g.severity for g in groups]
    assert severities == sorted(severities, key=lambda s: {"block": 0, "warn": 1, "info": 2}[s])
    line = summary(groups)
    assert line.startswith("1 blocking: claims · financial “guaranteed returns”")
    assert "warnings: " in line and "bias · gendered “chairman” ×10" in line
    marks = marks_for(groups)
    assert len([m for m in marks if m.number == chair.number]) == 10


def test_a_mark_inside_a_links_address_shows_the_address_once():
    text = "See [the kit](http://127.0.0.2:8080/kit.png) now."
    start = text.index("127.0.0.2")
    out = highlight_html(text, [Mark(start, start + len("127.0.0.2"), 1, "pii", "ip-address", "warn")])
    shown = re.sub(r"<[^>]+>", "", out)
    assert shown.count("(") == 1 and shown.count(")") == 1
    assert "the kit (http://127.0.0.2[1]:8080/kit.png) now." in shown
