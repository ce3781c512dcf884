"""AppTest: first start, sign-in, the review queue, decisions and resubmission."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

pass
from studio.checks.policy import POLICY
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import AuditEvent, Comment, Draft, User
from studio.review import service as review

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PASSWORD = "correct horse battery"


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def texts(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error, *at.title]
    return "\n".join(str(e.value) for e in elements)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def signed_in(user, page: str) -> AppTest:
    at = app()
    at.session_state["studio_user_id"] = user.id
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def make_submitted(engine, author, topic: str, body: str) -> int:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic=topic), author)
        add_revision(s, d, body, author, "generated")
        s.flush()
        review.submit(s, d.id, author, d.version)
        return d.id


def test_first_start_shows_only_the_first_admin_form_and_creates_the_admin(engine):
    at = app().run()
    assert [p for p in at.title] and "Welcome to Content Studio" in texts(at)
    assert len(at.text_input) == 4  # nothing else is reachable
    at.text_input(key="setup_name").input("Ada")
    at.text_input(key="setup_password").input("short")
    at.text_input(key="setup_confirm").input("short")
    button(at, "Create the first admin").click().run()
    assert "at least 10 characters" in texts(at)
    at.text_input(key="setup_password").input(PASSWORD)
    at.text_input(key="setup_confirm").input(PASSWORD)
    button(at, "Create the first admin").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        ada = s.scalars(select(User)).one()
        assert ada.roles == {"admin", "editor", "marketer"} and ada.password_hash.startswith("$argon2")
    assert at.session_state["studio_user_id"] == ada.id


def test_sign_in_with_a_generic_failure_message(engine, people):
    at = app().run()
    at.text_input(key="signin_name").input("dana")
    at.text_input(key="signin_password").input("wrong password!")
    button(at, "Sign in").click().run()
    wrong_password = [str(e.value) for e in at.error]
    at.text_input(key="signin_name").input("nobody")
    button(at, "Sign in").click().run()
    unknown_name = [str(e.value) for e in at.error]
    assert wrong_password and wrong_password == unknown_name  # never says which was wrong
    at.text_input(key="signin_name").input("dana")
    at.text_input(key="signin_password").input(PASSWORD)
    button(at, "Sign in").click().run()
    assert not at.exception, at.exception
    assert at.session_state["studio_user_id"] == people.editor.id
    at.switch_page("pages/review_queue.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Review queue"]  # an editor's page, reachable once signed in


def test_queue_filter_search_and_approve_with_comment(engine, people):
    make_submitted(engine, people.marketer, "Cycling to work", "# Cycling to work\n\nBikes and commuting tips.\n")
    target = make_submitted(engine, people.marketer2, "Garden planning", "# Garden planning\n\nSeeds, soil and sun.\n")
    at = signed_in(people.editor, "pages/review_queue.py")
    assert "In review: 2" in texts(at)
    at.text_input(key="q_search").input("garden").run()
    table = at.dataframe[0].value
    assert list(table["#"]) == [target]
    assert list(table["Checks"])[0] in {"Passed", "Warnings to acknowledge", "Blocked", "Needs manual review"}
    assert [str(h.value) for h in at.subheader][0] == "Garden planning"  # the row picked is open
    assert at.radio(key=f"decision_{target}").value is None  # nothing is decided in advance
    button(at, "Record decision").click().run()
    assert "Choose a decision first" in texts(at)
    with session_scope(engine) as s:
        assert s.get(Draft, target).status == "in_review"
    at.radio(key=f"decision_{target}").set_value("approve")
    at.text_area(key=f"decision_comment_{target}").input("Lovely piece, approved.")
    for box in at.checkbox:  # only offered when the checks could not run
        if box.key == f"manual_{target}":
            box.check()
    button(at, "Record decision").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        assert s.get(Draft, target).status == "approved"
        assert s.scalars(select(Comment.body).where(Comment.draft_id == target)).all() == ["Lovely piece, approved."]
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.draft_id == target)).all()
        assert actions.count("review.approve") == 1


def decide(at: AppTest, draft_id: int, comment: str = "Fine.") -> None:
    at.radio(key=f"decision_{draft_id}").set_value("approve")  # nothing is chosen in advance
    at.text_area(key=f"decision_comment_{draft_id}").input(comment)
    for box in at.checkbox:  # only offered when the checks could not run
        if box.key == f"manual_{draft_id}":
            box.check()
    button(at, "Record decision").click().run()
    assert not at.exception, at.exception


def test_after_a_decision_the_queue_opens_the_next_draft_then_says_it_is_empty(engine, people):
    first = make_submitted(engine, people.marketer, "First post", "# First post\n\nHello there.\n")
    second = make_submitted(engine, people.marketer2, "Second post", "# Second post\n\nHello again.\n")
    at = signed_in(people.editor, "pages/review_queue.py")
    assert [str(h.value) for h in at.subheader][0] == "Second post"  # newest first
    decide(at, second)
    assert "Approved “Second post”. Next: “First post”, opened below." in [str(s.value) for s in at.success]
    assert [str(h.value) for h in at.subheader][0] == "First post"
    decide(at, first)
    assert [str(s.value) for s in at.success] == [
        "Approved “First post”. The queue is empty: no other draft is waiting here."]
    assert "Nothing matches these filters." not in texts(at)


def test_request_changes_then_marketer_revises_and_resubmits(engine, people):
    draft_id = make_submitted(engine, people.marketer, "Spring launch", "# Spring launch\n\nOur new range is here.\n")
    editor = signed_in(people.editor, "pages/review_queue.py")
    editor.radio(key=f"decision_{draft_id}").set_value("request_changes")
    editor.text_area(key=f"decision_comment_{draft_id}").input("Please add a call to action.")
    button(editor, "Record decision").click().run()
    assert not editor.exception, editor.exception
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).status == "changes_requested"

    marketer = signed_in(people.marketer, "pages/my_drafts.py")
    # On the draft itself, above the tabs: the review state and the latest request for changes.
    shown = texts(marketer)
    assert "**Review:** Changes requested" in shown and "it is back with you to revise and resubmit" in shown
    assert "Please add a call to action." in "\n".join(str(t.value) for t in marketer.text)
    body = marketer.text_area(key=f"edit_body_{draft_id}_1")
    body.input(body.value + "\nVisit our shop today.\n")
    button(marketer, "Save as new revision").click().run()
    assert not marketer.exception, marketer.exception
    button(marketer, "Resubmit for review").click().run()
    assert not marketer.exception, marketer.exception
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.status == "in_review"
        trail = [(e.action, e.to_status) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.draft_id == draft_id).order_by(AuditEvent.id))]
    assert ("review.request_changes", "changes_requested") in trail
    assert trail[-1] == ("review.submit", "in_review")
    assert ("draft.edited", None) in trail


def test_findings_are_highlighted_in_place_and_a_suggestion_applies(engine, people):
    draft_id = make_submitted(engine, people.marketer, "Board news",
                              "# Board news\n\nOur chairman <script>alert(1)</script> thanked the team.\n")
    at = signed_in(people.editor, "pages/review_queue.py")
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert '<mark class="finding bias"' in html and '>chairman</mark><sup class="mark-ref"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    button(at, "Use “chair”").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert "Our chair <script>" in draft.current_revision.body
        assert draft.current_revision.reason == "suggestion_applied"


def test_settings_show_backends_and_only_admins_may_change_the_provider(engine, people):
    marketer = signed_in(people.marketer, "pages/settings.py")
    assert "Demo writer: no AI model configured" in texts(marketer)
    assert button(marketer, "Use for this session").disabled
    backends = marketer.dataframe[0].value
    assert {"detoxify", "profanity-check", "bias-rules"} <= set(backends["Backend"])
    assert "0.80" in [str(m.value) for m in marketer.metric]
    admin = signed_in(people.admin, "pages/settings.py")
    assert not button(admin, "Use for this session").disabled


def test_test_connection_in_demo_mode_says_there_is_no_model_to_test(engine, people):
    at = signed_in(people.admin, "pages/settings.py")
    assert 'OPENAI_API_KEY = "sk-..."' in "\n".join(str(c.value) for c in at.code)
    button(at, "Test connection").click().run()
    assert not at.exception, at.exception
    assert not at.success
    assert any("There is no model to test" in str(i.value) for i in at.info)


def test_admins_change_the_workspace_lists_in_the_app_and_a_bad_time_zone_is_refused(engine, people):
    at = signed_in(people.admin, "pages/settings.py")
    at.text_area(key="workspace_studio_banned_terms").input("Globex\nInitech")
    button(at, "Save banned terms").click().run()
    assert not at.exception, at.exception
    assert "Banned terms: saved (Globex, Initech)." in texts(at)
    marketer = signed_in(people.marketer, "pages/settings.py")
    assert "**Banned terms:** Globex, Initech" in texts(marketer)
    assert not [b for b in marketer.button if b.label.startswith("Save")]


def test_revision_compare_follows_the_newest_revision(engine, people):
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Compare"), people.marketer)
        for n in range(1, 5):
            add_revision(s, d, f"# Compare\n\nVersion {n}.\n", people.marketer, "edited")
        draft_id = d.id
    at = signed_in(people.marketer, "pages/my_drafts.py")
    assert [at.selectbox(key=f"cmp_{w}_{draft_id}_4").value for w in ("old", "new")] == [3, 4]
    with session_scope(engine) as s:
        add_revision(s, s.get(Draft, draft_id), "# Compare\n\nVersion 5.\n", people.marketer, "edited")
    at.run()
    assert not at.exception, at.exception
    assert [at.selectbox(key=f"cmp_{w}_{draft_id}_5").value for w in ("old", "new")] == [4, 5]


def test_a_title_in_the_queue_s_messages_stays_text(engine, people):
    sneaky = "![x](http://tracker.example/p.png) [click](http://evil.example)"
    draft_id = make_submitted(engine, people.marketer, "Sneaky", "# Sneaky\n\nBody.\n")
    with session_scope(engine) as s:
        s.get(Draft, draft_id).title = sneaky  # as a person may type it on the Publishing tab
    at = signed_in(people.editor, "pages/review_queue.py")
    decide(at, draft_id)
    message = next(str(s.value) for s in at.success if "Approved" in str(s.value))
    # escaped brackets: neither an image (no request leaves the page) nor a link
    assert "![" not in message and "\\[x\\]" in message and "\\[click\\]" in message


def test_approving_with_warnings_needs_each_warned_category_ticked(engine, people):
    body = "# Webinar\n\nWrite to bob.smith@gmail.com to join. We guarantee a seat.\n"
    target = make_submitted(engine, people.marketer, "Webinar", body)
    at = signed_in(people.editor, "pages/review_queue.py")
    shown = texts(at)
    assert "What will ship" in shown
    with session_scope(engine) as s:
        version = s.get(Draft, target).version
    boxes = {b.key: b for b in at.checkbox}
    assert {f"ack_{target}_{version}_claims", f"ack_{target}_{version}_contact"} <= set(boxes)
    assert boxes[f"ack_{target}_{version}_claims"].label == "Claims checked"
    at.radio(key=f"decision_{target}").set_value("approve")
    at.checkbox(key=f"ack_{target}_{version}_claims").check()
    button(at, "Record decision").click().run()
    assert not at.exception, at.exception
    errors = "\n".join(str(e.value) for e in at.error)
    assert "“Contact details are meant to be public” (contact)" in errors
    with session_scope(engine) as s:
        assert s.get(Draft, target).status == "in_review"
    at.checkbox(key=f"ack_{target}_{version}_contact").check()
    button(at, "Record decision").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        assert s.get(Draft, target).status == "approved"
        event = s.scalars(select(AuditEvent).where(AuditEvent.draft_id == target,
                                                   AuditEvent.action == "review.approve")).one()  # fmt: skip
        assert event.data["acknowledged"] == ["claims", "contact"]


def test_ten_of_the_same_word_are_one_finding_fixed_here_or_everywhere(engine, people):
    body = "# Board news\n\n" + " ".join(f"Meeting {i}: the chairman spoke." for i in range(10)) + "\n"
    draft_id = make_submitted(engine, people.marketer, "Board news", body)
    at = signed_in(people.editor, "pages/review_queue.py")
    in_text_tab = [b for b in at.button if (b.key or "").startswith(("apply_t_", "apply_all_t_"))]
    labels = [b.label for b in in_text_tab]
    # The body's ten are one finding; the excerpt and meta description have their own.
    assert labels.count("Use “chair” for all 10") == 1 and labels[:2] == ["Use “chair” here", "Use “chair” for all 10"]
    assert "×10" in texts(at)
    next(b for b in in_text_tab if b.label == "Use “chair” for all 10").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        revision = s.get(Draft, draft_id).current_revision
        assert "chairman" not in revision.body and revision.body.count("the chair spoke") == 10
        assert revision.number == 2


def test_settings_show_the_verdict_policy_table(engine, people):
    at = signed_in(people.marketer, "pages/settings.py")
    table = next(d.value for d in at.dataframe if "Kind of finding" in d.value.columns)
    kinds = list(table["Kind of finding"])
    assert "Guarantees of financial returns" in kinds
    assert table.loc[kinds.index("Guarantees of financial returns"), "Verdict"] == "Blocks"
    assert len(table) == len(POLICY) + 1  # every row, and the check that could not run


def test_the_publishing_tab_marks_findings_in_the_fields(engine, people):
    draft_id = make_submitted(engine, people.marketer, "Board news", "# Our chairman speaks\n\nHello.\n")
    at = signed_in(people.editor, "pages/review_queue.py")
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "our-<mark" in html  # the slug, marked in place
    assert html.count('class="finding bias"') >= 4  # body, title, slug and the ship table
    assert draft_id
