"""AppTest: the inbox's count in the menu, its page, opening a draft from it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from studio.inbox.service import unread_count
from studio.review import comments as review_comments
from studio.review import service as review
from tests.integration.review.test_app_review import button, make_submitted, signed_in, texts
from tests.integration.review.test_review import act, version


def menu_titles(at: AppTest) -> list[str]:
    return [str(link.proto.label) for link in at.get("page_link")]


def test_the_menu_counts_unread_entries_and_the_page_lists_them_in_words(engine, people):
    draft_id = make_submitted(engine, people.marketer, "Spring launch", "# Spring launch\n\nOur range.\n")
    act(engine, review.request_changes, draft_id, people.editor, version(engine, draft_id), "Add a call to action.")
    act(engine, review_comments.add_comment, draft_id, people.editor, "And a photo.")
    at = signed_in(people.marketer, "pages/inbox.py")
    assert "Inbox · 2 new" in menu_titles(at)
    shown = texts(at)
    assert "2 new · 2 in all" in shown and ":blue-badge[New] **Changes requested**" in shown
    assert "“Add a call to action.”" in [str(t.value) for t in at.text]
    button(at, "Mark all as read").click().run()
    assert not at.exception, at.exception
    assert "Inbox" in menu_titles(at) and "Everything is marked as read." in texts(at)
    assert act(engine, unread_count, people.marketer) == 0


def test_opening_a_draft_from_the_inbox_opens_it_where_the_person_works_and_reads_the_entry(engine, people):
    draft_id = make_submitted(engine, people.marketer, "Autumn news", "# Autumn news\n\nLeaves.\n")
    act(engine, review_comments.add_comment, draft_id, people.editor, "Nice.")
    at = signed_in(people.marketer, "pages/inbox.py")
    button(at, f"Open draft #{draft_id}").click().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["My drafts"]
    assert [str(h.value) for h in at.subheader][0] == "Autumn news"
    assert act(engine, unread_count, people.marketer) == 0


def test_without_smtp_the_inbox_says_e_mail_is_off(engine, people):
    at = signed_in(people.admin, "pages/inbox.py")
    assert "Your inbox is empty." in texts(at)
    assert "E-mail is off in this workspace. To send these by e-mail too, set STUDIO_SMTP_HOST" in texts(at)
