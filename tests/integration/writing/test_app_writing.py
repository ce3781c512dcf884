"""AppTest: the writing workspace on the New draft page and in the draft view, against the local
server answering the workspace's prompts (and the demo writer)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from studio.db import session_scope
from studio.models import Draft, DraftAlternative, DraftSection, ReviseTurn, Revision

TIMEOUT = 120
APP = str(Path(__file__).resolve().parents[3] / "app.py")




def signed_in(user, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = user.id
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def brief(at: AppTest, words: int, mode: str) -> None:
    at.text_area(key="brief_topic").input("Planning a content calendar")
    at.text_input(key="brief_keywords").input("planning")
    at.number_input(key="brief_words").set_value(words)
    at.radio(key="brief_mode").set_value(mode)


def press(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def texts(at: AppTest) -> str:
    shown = [str(e.value) for e in [*at.markdown, *at.caption, *at.success, *at.info, *at.error, *at.warning]]
    return "\n".join(shown + [str(h.proto.body) for h in at.get("html")])  # draft text: the safe renderer's HTML


def test_long_form_from_the_page_outline_first_then_sections(engine, people, writer_server):
    at = signed_in(people.marketer)
    brief(at, 1500, "auto")  # automatic: sections from 1,200 words
    press(at, "Generate")
    assert "Outline for draft #" in texts(at)
    assert not [r for r in writer_server.chat_requests if "Task: section" in str(r.json)]  # nothing written yet
    with session_scope(engine) as s:
        headings = [x.heading for x in s.scalars(select(DraftSection).order_by(DraftSection.position))]
    assert headings[0] == "Introduction" and headings[-1] == "Conclusion"
    press(at, "Write the sections")
    assert any("Saved as draft #" in str(x.value) for x in at.success), texts(at)
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()
        body = s.get(Revision, draft.current_revision_id).body
        assert not draft.incomplete and all(x.status == "done" for x in s.scalars(select(DraftSection)))
    for heading in headings[1:]:
        assert f"## {heading}" in body
    assert "Repetition check" in texts(at) or "Repetition across sections" in str([e.label for e in at.expander])


def test_variants_side_by_side_then_keep_another(engine, people, writer_server):
    at = signed_in(people.marketer)
    brief(at, 300, "variants")
    at.text_input(key="brief_variant_temps").input("0.3, 1.3")
    press(at, "Generate")
    assert any("variant 1 is the draft's text" in str(x.value) for x in at.success), texts(at)
    assert "temperature 0.3" in texts(at) and "temperature 1.3" in texts(at) and "reading ease" in texts(at)
    press(at, "Keep this one")
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()
        kept = s.scalars(select(DraftAlternative).where(DraftAlternative.kept)).one()
        assert kept.position == 1 and s.get(Revision, draft.current_revision_id).body == kept.body


def _one_draft(at: AppTest) -> int:
    brief(at, 300, "one")
    press(at, "Generate")
    draft_id = at.session_state["last_outcome"]["draft_id"]
    at.switch_page("pages/my_drafts.py").run()
    assert not at.exception, at.exception
    return draft_id


def test_revise_panel_turn_diff_and_undo(engine, people, writer_server):
    at = signed_in(people.marketer)
    draft_id = _one_draft(at)
    at.chat_input(key=f"revise_input_{draft_id}").set_value("From now on, always say 'customers', never 'readers'. Make it punchier").run()
    assert not at.exception, at.exception
    assert "Revision 2" in texts(at)
    with session_scope(engine) as s:
        turn = s.scalars(select(ReviseTurn)).one()
        assert turn.revision_after == 2 and s.get(Draft, draft_id).current_revision.body.startswith("Here's the thing")
    press(at, "Undo")
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.current_revision.number == 3 and s.scalars(select(ReviseTurn)).one().undone
        first = s.scalars(select(Revision).where(Revision.draft_id == draft_id, Revision.number == 1)).one()
        assert draft.current_revision.body == first.body


def test_headline_variants_in_the_alternatives_tab(engine, people, writer_server):
    at = signed_in(people.marketer)
    draft_id = _one_draft(at)
    at.text_input(key=f"variant_temps_{draft_id}").input("0.2, 1.0")
    press(at, "Write variants")
    assert "Headline at 1.0" in texts(at)
    press(at, "Keep this one")
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).current_revision.body.startswith("# Headline at")


def test_the_edit_tab_shows_the_text_as_wordpress_will(engine, people):
    at = signed_in(people.marketer)
    draft_id = _one_draft(at)
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "<h2>" in html and "<h1>" in html  # the export's HTML, rendered beside the editor
    assert at.text_area(key=f"edit_body_{draft_id}_1").value.startswith("# ")


def test_sections_tab_writes_one_section_again(engine, people, writer_server):
    at = signed_in(people.marketer)
    brief(at, 1300, "long")
    press(at, "Generate")
    press(at, "Write the sections")
    at.switch_page("pages/my_drafts.py").run()
    draft_id = at.session_state["longform_run"].draft_id
    writer_server.clear_requests()
    press(at, "Write this section again")
    sections = [r for r in writer_server.chat_requests
                if any(f"Task: {t}" in str(r.json) for t in ("section", "introduction", "conclusion"))]
    assert len(sections) == 1
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).current_revision.note.startswith("Section “")
