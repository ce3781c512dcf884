from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from studio.checks.pipeline import check
from studio.checks.text import sentences

alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",))
texts = st.text(alphabet=alphabet, max_size=300) | st.lists(
    st.sampled_from(["guys", "chairman", "Scunthorpe", ".", "!", " ", "\n", "#1", "risk-free",
                     "jo@example.com", "4111 1111 1111 1111", "shit", "Dr.", "man-hours", "’s"]),
    max_size=40,
).map("".join)


@given(texts)
@hsettings(max_examples=150, deadline=None)
def test_sentence_spans_are_ordered_substrings(text):
    last = 0
    for s in sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.start >= last and s.end > s.start
        last = s.end


@given(texts)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_check_never_raises_and_spans_match(settings, text):
    r = check(text, settings)
    assert r.verdict in ("pass", "warn", "block", "unavailable")
    assert r.verdict != "unavailable"  # the fallback always runs here
    for f in r.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start : f.end] == f.text
