"""AppTest: the People form keeps what was typed when refused; the audit trail reads in labels;
the first admin is shown the next step."""

from __future__ import annotations

from tests.integration.review.test_app_review import button, make_submitted, signed_in, texts


def test_a_refused_person_keeps_everything_typed_and_a_person_added_empties_the_form(engine, people):
    at = signed_in(people.admin, "pages/admin_users.py")
    at.text_input(key="add_name_0").input("zoe")
    at.text_input(key="add_display_0").input("Zoe Writer")
    at.text_input(key="add_email_0").input("zoe@")
    at.text_input(key="add_password_0").input("correct horse battery")
    button(at, "Add person").click().run()
    assert not at.exception, at.exception
    assert any("not an e-mail address" in str(e.value) for e in at.error)
    assert [at.text_input(key=k).value for k in ("add_name_0", "add_display_0", "add_password_0")] == [
        "zoe", "Zoe Writer", "correct horse battery"]
    at.text_input(key="add_email_0").input("zoe@example.com")
    button(at, "Add person").click().run()
    assert "Added zoe." in texts(at)
    assert at.text_input(key="add_name_1").value == ""  # a fresh form
    assert "zoe@example.com" in at.dataframe[0].value["E-mail"].tolist()


def test_the_audit_trail_filters_and_shows_labels_not_codes(engine, people):
    make_submitted(engine, people.marketer, "Spring", "# Spring\n\nText.\n")
    at = signed_in(people.admin, "pages/audit_log.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert "Submitted for review" in table["What"].tolist() and "review.submit" not in table["What"].tolist()
    assert set(table["Draft"]) <= {"", "#1"}  # one type in the column
    assert "In review" in table["To"].tolist()
    at.multiselect(key="audit_actions").select("Submitted for review").run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["What"].tolist() == ["Submitted for review"]


def test_the_first_admin_is_shown_how_to_add_the_team(engine):
    from studio.accounts.service import create_first_admin
    from studio.db import session_scope

    with session_scope(engine) as s:
        ada = create_first_admin(s, "ada", "correct horse battery")
    at = signed_in(ada, "pages/draft.py")
    assert any("Next step: add your team." in str(m.value) for m in at.markdown)
    assert any("Add your team on People" in str(p.proto.label) for p in at.get("page_link"))


def test_the_next_step_is_gone_once_the_team_is_there(engine, people):
    at = signed_in(people.admin, "pages/draft.py")
    assert not any("Next step" in str(m.value) for m in at.markdown)
