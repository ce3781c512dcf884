"""People's optional e-mail address: added, changed, removed, checked, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.accounts.passwords import ValidationError
from studio.accounts.service import add_person, get_user, set_email
from studio.accounts.service import people as list_people
from studio.db import session_scope
from studio.models import AuditEvent
from tests.conftest import PASSWORD
from tests.integration.review.test_review import act


def test_a_person_is_added_with_an_e_mail_address_and_it_can_change(engine, people):
    row = act(engine, add_person, people.admin, "zoe", PASSWORD, ["editor"], "Zoe", " zoe@example.com ")
    assert row.email == "zoe@example.com"
    act(engine, set_email, people.admin, "zoe", "zoe.z@example.org")
    act(engine, set_email, people.admin, "zoe", "")
    assert {p.name: p.email for p in act(engine, list_people, people.admin)}["zoe"] == ""
    with session_scope(engine) as s:
        comments = s.scalars(select(AuditEvent.comment).where(AuditEvent.action == "user.email_changed")).all()
    assert comments == ["E-mail of zoe: zoe@example.com → zoe.z@example.org", "E-mail of zoe: zoe.z@example.org → none"]


@pytest.mark.parametrize("bad", ["zoe", "zoe@", "zoe @example.com", "a@b", "x" * 250 + "@example.com"])
def test_a_bad_address_is_refused_and_nobody_is_added(engine, people, bad):
    with pytest.raises(ValidationError, match="not an e-mail address") as err:
        act(engine, add_person, people.admin, "zoe", PASSWORD, ["editor"], "", bad)
    assert err.value.field == "email"
    with session_scope(engine) as s:
        assert get_user(s, "zoe") is None


def test_only_admins_set_addresses(engine, people):
    from studio.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        act(engine, set_email, people.editor, "mara", "mara@example.com")
