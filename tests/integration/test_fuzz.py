"""Bad input, fuzzed with hypothesis: briefs, check inputs, highlighting, and text through the DB.

Any unicode (lone surrogates and NUL included: argv with undecodable bytes and pasted text bring
them), huge values and control characters. The services may refuse input with their own error;
they never crash, and what they store comes back exactly (the only change the studio makes to a
text is dropping NUL and replacing lone surrogates, which neither PostgreSQL nor UTF-8 can hold).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from studio.checks.highlight import Mark, highlight_html
from studio.checks.pipeline import check
from studio.checks.report import CATEGORIES, SEVERITIES, VERDICTS, Report
from studio.config import get_settings
from studio.content import storable_text
from studio.db import session_scope
from studio.drafting.brief import CONTENT_TYPES, LANGUAGES, VOICES, Brief, BriefError
from studio.drafting.service import create_draft, edit_text
from studio.errors import InputError
from studio.models import Draft, Revision

# Every code point, surrogates included; and the ones that break things, more often.
ANY_CHAR = st.characters(exclude_categories=())
NASTY = st.sampled_from(
    ["\x00", "\x1b[31m", "\r\n", "\r", "\u2028", "\u202e", "\ufeff", "\ud800", "\udfff", "\U0001f600",
     "e\u0301", "\u200d", "<script>alert(1)</script>", "'; DROP TABLE drafts; --", "%s", "{0}", "\\",
     "=HYPERLINK(\"x\")", "&amp;", "<", ">", "\"", "'", "\t", "\x7f", "ß", "İ", "ﬃ", "\u0000\u0000"]
)
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=20), NASTY), max_size=30).map("".join)
HUGE = st.builds(lambda s, n: s * n, st.text(ANY_CHAR, min_size=1, max_size=5), st.integers(1000, 60_000))
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    TEXT, HUGE, st.lists(TEXT, max_size=20), st.sampled_from(["3", " 4 ", "1e3", "0.5", "nan", "inf", "-0", "2.0"]),
)  # fmt: skip


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


# --------------------------------------------------------------------------------------------
# Briefs


@settings(max_examples=200, deadline=None)
@given(
    content_type=st.one_of(st.sampled_from(list(CONTENT_TYPES)), ANY_VALUE),
    topic=st.one_of(TEXT, HUGE, ANY_VALUE),
    audience=st.one_of(TEXT, ANY_VALUE),
    keywords=st.one_of(TEXT, st.lists(st.one_of(TEXT, ANY_VALUE), max_size=30), ANY_VALUE),
    tone=st.one_of(st.sampled_from(list(VOICES)), ANY_VALUE),
    formality=ANY_VALUE,
    temperature=ANY_VALUE,
    target_words=ANY_VALUE,
    language=st.one_of(st.sampled_from(list(LANGUAGES)), ANY_VALUE),
)
@example(content_type="blog", topic="x", audience="", keywords="", tone="witty", formality=math.inf,
         temperature=0.7, target_words=600, language="en")  # fmt: skip
@example(content_type="blog", topic="caf\udce9 \x00 \ud83d", audience="\udcff", keywords="\ud800,a",
         tone="witty", formality=3, temperature=0.7, target_words=1e400, language="en")  # fmt: skip
def test_brief_create_refuses_with_brief_error_or_returns_a_storable_brief(**values):
    try:
        brief = Brief.create(**values)
    except BriefError as exc:
        assert exc.problems and all(isinstance(v, str) and v for v in exc.problems.values())
        return
    assert brief.content_type in CONTENT_TYPES and brief.tone in VOICES and brief.language in LANGUAGES
    assert 0 < len(brief.topic) <= 300 and len(brief.audience) <= 300
    assert 1 <= brief.formality <= 5 and 0.0 <= brief.temperature <= 2.0 and 100 <= brief.target_words <= 3000
    for text in (brief.topic, brief.audience, *brief.keywords):
        assert _storable(text), repr(text)
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), repr(text)


# --------------------------------------------------------------------------------------------
# The check


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(TEXT, st.text(ANY_CHAR, max_size=2000)), target=st.one_of(st.none(), st.integers(-5, 10_000)))
@example(text="\ud800 guys \x00 chairman jo@example.com", target=None)
@example(text="", target=0)
def test_check_never_raises_and_its_spans_are_inside_the_text(text, target):
    report = check(text, get_settings(), target_words=target)
    assert isinstance(report, Report) and report.verdict in VERDICTS
    # The catch-all (fail closed) must not be what answered: that would be a crash, hidden.
    assert not any(b.name == "check" and b.status == "unavailable" for b in report.backends), report.backends
    for f in report.findings:
        assert f.category in CATEGORIES and f.severity in SEVERITIES
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start : f.end] == f.text


# --------------------------------------------------------------------------------------------
# Highlighting


@dataclass
class Span:
    category: str
    label: str
    start: int
    end: int
    severity: str
    suggestions: list[str] = field(default_factory=list)
    note: str = ""


OUR_TAGS = re.compile(r'</?(div|mark|sup|span|p|blockquote|strong|em|code|hr)(\s+(class|title|style)="[^"<>]*")*\s*>')


@st.composite
def text_and_findings(draw):  # type: ignore[no-untyped-def]
    text = draw(st.one_of(TEXT, st.text(ANY_CHAR, max_size=300)))
    n = len(text)
    spans = draw(st.lists(
        st.builds(
            Span,
            category=st.one_of(st.sampled_from(CATEGORIES), TEXT),
            label=TEXT,
            start=st.integers(-3, n + 3),
            end=st.integers(-3, n + 3),
            severity=st.one_of(st.sampled_from(SEVERITIES), TEXT),
            suggestions=st.lists(TEXT, max_size=5),
            note=TEXT,
        ),
        max_size=8,
    ))  # fmt: skip
    return text, spans


@settings(max_examples=200, deadline=None)
@given(text_and_findings())
@example(("<script>alert(1)</script> & <img src=x onerror=alert(1)>",
          [Span('x" onmouseover="alert(1)', "<script>", 0, 8, "block", ["<b>"], "</mark><script>")]))  # fmt: skip
def test_highlight_never_lets_markup_from_the_input_through(case):
    text, spans = case
    marks = [Mark(sp.start, sp.end, i, sp.category, sp.label, sp.severity, sp.note) for i, sp in enumerate(spans, 1)]
    for markdown in (False, True):
        out = highlight_html(text, marks, markdown=markdown)
        assert "<script" not in out.lower()
        # Every '<' left belongs to our own tags; attribute values carry no raw quotes or '<'.
        assert "<" not in OUR_TAGS.sub("", out)
    # As plain text (a publishing field), the visible text is the input, exactly (minus the
    # marks' numbers); rendered as Markdown, its syntax is hidden, never its words' markup.
    plain = highlight_html(text, marks, markdown=False)
    visible = re.sub(r'<sup class="mark-ref"[^>]*>[^<]*</sup>', "", plain)
    visible = OUR_TAGS.sub("", visible)
    assert html.unescape(visible) == text


# --------------------------------------------------------------------------------------------
# Text through the database (SQLite and PostgreSQL)


@pytest.mark.slow
def test_edit_text_round_trips_any_unicode_through_the_database(engine, db_backend, people):
    with session_scope(engine) as s:
        draft = create_draft(s, Brief.create(content_type="blog", topic="Fuzzed text"), people.marketer)
        draft_id = draft.id
    seen: list[str] = []

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=st.one_of(TEXT, st.text(ANY_CHAR, min_size=1, max_size=3000), HUGE.map(lambda s: s[:20_000])))
    @example(body="\x00 NUL \ud800 lone surrogate \U0001f600 emoji")
    @example(body="e\u0301 vs \u00e9, \r\n and \r and \u2028; \ufeffBOM; '; DROP TABLE drafts; --")
    def roundtrip(body: str) -> None:
        stored = storable_text(body)
        assume(stored.strip())
        with session_scope(engine) as s:
            before = s.get(Draft, draft_id)
            current = before.current_revision.body if before.current_revision else None
            version = before.version
        assume(stored != current)
        if body != stored:  # a NUL or a lone surrogate: refused by name, nothing saved
            with pytest.raises(InputError), session_scope(engine) as s:
                edit_text(s, draft_id, people.marketer, body, version)
            return
        with session_scope(engine) as s:
            revision = edit_text(s, draft_id, people.marketer, body, version)
            number = revision.number
        with session_scope(engine) as s:
            fresh = s.get(Draft, draft_id)
            assert fresh.current_revision.number == number
            assert fresh.current_revision.body == stored  # exactly, character for character
            assert s.get(Revision, fresh.current_revision_id).body == stored
        seen.append(stored)

    roundtrip()
    assert seen
    with session_scope(engine) as s:  # and a refusal stays a refusal, not a crash
        version = s.get(Draft, draft_id).version
        with pytest.raises(InputError):
            edit_text(s, draft_id, people.marketer, "\x00 \x00", version)
