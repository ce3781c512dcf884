"""Accounts, roles, permissions and sign-in (studio/auth.py) over a temporary SQLite file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

pass
from studio.accounts import passwords, permissions, signin
from studio.accounts import service as accounts
from studio.accounts.passwords import ValidationError
from studio.accounts.service import UserNotFound
from studio.accounts.signin import AccountLocked, InvalidCredentials
from studio.audit import service as audit
from studio.config import Settings
from studio.db import make_engine, session_scope
from studio.errors import PermissionDenied, StudioError
from studio.models import AuditEvent, Base, Draft, User

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
ADMIN_PW = "admin-password-1"
PW = "correct horse battery"


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    """Real argon2id with small parameters, so the suite stays fast."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "password_hasher", hasher)
    signin.reset_unknown_name_attempts()
    yield hasher
    signin.reset_unknown_name_attempts()


@pytest.fixture()
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'studio.db'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def people(engine):
    """A first admin plus one person per role mix; returns {label: user}."""
    with session_scope(engine) as s:
        admin = accounts.create_first_admin(s, "Root", ADMIN_PW, display_name="Root Admin")
        made = {
            "admin": admin,
            "marketer": accounts.add_user(s, admin, "mia", PW, ["marketer"]),
            "editor": accounts.add_user(s, admin, "ed", PW, ["editor"]),
            "admin_only": accounts.add_user(s, admin, "ada", PW, ["admin"]),
            "marketer+editor": accounts.add_user(s, admin, "max", PW, ["marketer", "editor"]),
        }
    return made


def sign_in(engine, name, password, *, now=T0, sleeps=None):
    """Sign in through a session scope, as the app does (the scope rolls back on errors)."""
    with session_scope(engine) as s:
        return signin.authenticate(
            s, name, password, now=now, sleep=(sleeps.append if sleeps is not None else _no_sleep)
        )


def _no_sleep(_seconds):
    return None


def events(engine, action=None):
    with session_scope(engine) as s:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(s.scalars(stmt))


def load(engine, name):
    with session_scope(engine) as s:
        return accounts.get_user(s, name)


# --------------------------------------------------------------------------------------------
# Permission matrix: written out here by hand, not derived from auth's table.

MATRIX = """
action                   marketer  editor  admin  marketer+editor  all_roles  disabled_all  nobody
draft.create             yes       no      no     yes              yes        no            no
draft.edit_own           yes       no      no     yes              yes        no            no
draft.edit_any           no        yes     no     yes              yes        no            no
draft.submit             yes       no      no     yes              yes        no            no
draft.withdraw           yes       no      no     yes              yes        no            no
draft.view_all           no        yes     yes    yes              yes        no            no
review.approve           no        yes     no     yes              yes        no            no
review.reject            no        yes     no     yes              yes        no            no
review.request_changes   no        yes     no     yes              yes        no            no
review.override_block    no        yes     no     yes              yes        no            no
review.comment           no        yes     no     yes              yes        no            no
review.assign            no        yes     no     yes              yes        no            no
review.claim             no        yes     no     yes              yes        no            no
export.run               no        yes     yes    yes              yes        no            no
users.manage             no        no      yes    no               yes        no            no
audit.view               no        no      yes    no               yes        no            no
settings.manage          no        no      yes    no               yes        no            no
settings.view            yes       yes     yes    yes              yes        no            no
inbox.read               yes       yes     yes    yes              yes        no            no
workspace.read           yes       yes     yes    yes              yes        no            no
voices.manage            no        yes     yes    yes              yes        no            no
sources.add              yes       yes     yes    yes              yes        no            no
sources.manage           no        yes     yes    yes              yes        no            no
draft.localise           yes       no      no     yes              yes        no            no
batch.run                yes       no      no     yes              yes        no            no
batch.view_all           no        yes     yes    yes              yes        no            no
dashboard.view           no        yes     yes    yes              yes        no            no
usage.view_all           no        yes     yes    yes              yes        no            no
usage.manage             no        no      yes    no               yes        no            no
feedback.export          no        no      yes    no               yes        no            no
checks.precision         no        no      yes    no               yes        no            no
checks.dismiss_finding   no        yes     no     yes              yes        no            no
prompts.view             yes       yes     yes    yes              yes        no            no
prompts.manage           no        yes     yes    yes              yes        no            no
"""


def _parse_matrix(text: str) -> tuple[list[str], dict[tuple[str, str], bool]]:
    lines = [line.split() for line in text.strip().splitlines()]
    subjects = lines[0][1:]
    table = {}
    for row in lines[1:]:
        for subject, cell in zip(subjects, row[1:], strict=True):
            assert cell in ("yes", "no")
            table[(row[0], subject)] = cell == "yes"
    return subjects, table


SUBJECTS, EXPECTED = _parse_matrix(MATRIX)

SUBJECT_ROLES = {
    "marketer": ("marketer", False),
    "editor": ("editor", False),
    "admin": ("admin", False),
    "marketer+editor": ("marketer,editor", False),
    "all_roles": ("marketer,editor,admin", False),
    "disabled_all": ("marketer,editor,admin", True),
}


def _subject(label: str) -> User | None:
    if label == "nobody":
        return None
    roles, disabled = SUBJECT_ROLES[label]
    return User(id=1, name=label, password_hash="x", roles_csv=roles, disabled=disabled)


def test_matrix_covers_exactly_the_actions_in_code():
    assert {action for action, _ in EXPECTED} == set(permissions.ACTIONS)
    assert set(permissions.PERMISSIONS) == set(permissions.ACTIONS)


@pytest.mark.parametrize(("action", "subject"), sorted(EXPECTED))
def test_permission_matrix(action, subject):
    user = _subject(subject)
    allowed = EXPECTED[(action, subject)]
    assert permissions.can(user, action) is allowed
    if allowed:
        permissions.require(user, action)
    else:
        with pytest.raises(PermissionDenied) as err:
            permissions.require(user, action)
        assert err.value.action == action
        assert str(err.value)  # a message fit to show


@pytest.mark.parametrize(
    ("user_roles", "action", "message"),
    [
        ("marketer", "review.approve", "Only editors can approve drafts."),
        ("editor", "users.manage", "Only admins can manage people."),
        ("marketer", "export.run", "Only editors and admins can export content."),
        ("admin", "draft.create", "Only marketers can create drafts."),
    ],
)
def test_refusal_says_who_can(user_roles, action, message):
    user = User(id=1, name="x", password_hash="x", roles_csv=user_roles, disabled=False)
    with pytest.raises(PermissionDenied, match=f"^{message}$"):
        permissions.require(user, action)


def test_disabled_and_anonymous_refusals_say_why():
    disabled = User(id=1, name="x", password_hash="x", roles_csv="admin", disabled=True)
    with pytest.raises(PermissionDenied, match="disabled"):
        permissions.require(disabled, "users.manage")
    with pytest.raises(PermissionDenied, match="sign in"):
        permissions.require(None, "users.manage")


def test_unknown_action_is_an_error_not_a_quiet_no():
    user = User(id=1, name="x", password_hash="x", roles_csv="admin", disabled=False)
    with pytest.raises(ValueError, match="Unknown action"):
        permissions.can(user, "users.manag")


@pytest.mark.parametrize("label", ["marketer", "editor", "marketer+editor"])
def test_user_services_refuse_non_admins(engine, people, label):
    actor = people[label]
    with session_scope(engine) as s:
        for call in (
            lambda: accounts.add_user(s, actor, "newbie", PW, ["marketer"]),
            lambda: accounts.disable_user(s, actor, "mia"),
            lambda: accounts.enable_user(s, actor, "mia"),
            lambda: accounts.set_roles(s, actor, "mia", ["editor"]),
            lambda: accounts.reset_password(s, actor, "mia", "another password"),
            lambda: accounts.list_users(s, actor),
        ):
            with pytest.raises(PermissionDenied, match="^Only admins can manage people.$"):
                call()
    assert load(engine, "newbie") is None
    assert load(engine, "mia").roles == {"marketer"}


def test_admin_only_user_can_manage_people(engine, people):
    with session_scope(engine) as s:
        names = [u.name for u in accounts.list_users(s, people["admin_only"])]
    assert names == ["ada", "ed", "max", "mia", "root"]


def test_authorize_rereads_the_actor(engine, people):
    """A User object held by a browser tab goes stale; the database decides."""
    stale_ada = people["admin_only"]
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "ada")
    assert stale_ada.disabled is False  # the stale copy still says enabled…
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="disabled"):
        accounts.add_user(s, stale_ada, "sneaky", PW, ["admin"])
    assert load(engine, "sneaky") is None

    stale_max = people["marketer+editor"]
    with session_scope(engine) as s:
        accounts.set_roles(s, people["admin"], "max", ["marketer"])
    with session_scope(engine) as s:
        with pytest.raises(PermissionDenied, match="Only editors"):
            permissions.authorize(s, stale_max, "review.approve")
        assert permissions.authorize(s, stale_max, "draft.create").roles == {"marketer"}


# --------------------------------------------------------------------------------------------
# First admin


def test_first_admin_only_once(engine):
    with session_scope(engine) as s:
        assert accounts.needs_first_admin(s) is True
        admin = accounts.create_first_admin(s, "Root", ADMIN_PW)
        assert admin.roles == {"admin", "editor", "marketer"}
        assert admin.name == "root" and admin.display_name == "Root"
        assert admin.password_hash.startswith("$argon2id$")
        assert accounts.needs_first_admin(s) is False
    with session_scope(engine) as s:
        with pytest.raises(PermissionDenied, match="already exists"):
            accounts.create_first_admin(s, "other", ADMIN_PW)
        assert [u.name for u in s.scalars(select(User))] == ["root"]
    created = events(engine, accounts.USER_CREATED)
    assert len(created) == 1
    assert created[0].actor_name == "root" and created[0].data["first_admin"] is True


def test_first_admin_validates_input(engine):
    with session_scope(engine) as s:
        with pytest.raises(ValidationError) as err:
            accounts.create_first_admin(s, "root", "short")
        assert err.value.field == "password"
        assert accounts.needs_first_admin(s)


# --------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize("name", ["a", "x" * 65, "has space", "-dash", ".dot", "ümlaut", "", "a/b"])
def test_bad_names_are_refused(engine, people, name):
    with session_scope(engine) as s, pytest.raises(ValidationError, match="^Name must be") as err:
        accounts.add_user(s, people["admin"], name, PW, ["marketer"])
    assert err.value.field == "name"


@pytest.mark.parametrize("name", ["jo", "dana.k", "a_b-c", "X" * 64, "7seven"])
def test_good_names_are_accepted(engine, people, name):
    with session_scope(engine) as s:
        user = accounts.add_user(s, people["admin"], name, PW, ["marketer"])
    assert user.name == name.lower()


def test_names_are_unique_whatever_the_case(engine, people):
    with session_scope(engine) as s:
        dana = accounts.add_user(s, people["admin"], "Dana", PW, ["editor"])
        assert (dana.name, dana.display_name) == ("dana", "Dana")
        with pytest.raises(ValidationError, match="already taken") as err:
            accounts.add_user(s, people["admin"], "DANA", PW, ["marketer"])
        assert err.value.field == "name"
        assert accounts.get_user(s, "dAnA").id == dana.id


@pytest.mark.parametrize(
    ("password", "match"),
    [
        ("123456789", "at least 10 characters"),
        ("", "at least 10 characters"),
        ("x" * 1025, "at most 1024"),
        (" " * 12, "only spaces"),
        ("Newbie.One", "same as the name"),
    ],
)
def test_password_policy(engine, people, password, match):
    with session_scope(engine) as s, pytest.raises(ValidationError, match=match) as err:
        accounts.add_user(s, people["admin"], "newbie.one", password, ["marketer"])
    assert err.value.field == "password"


@pytest.mark.parametrize("roles", [[], ["writer"], ["editor", "boss"], ""])
def test_bad_roles_are_refused(engine, people, roles):
    with session_scope(engine) as s, pytest.raises(ValidationError) as err:
        accounts.add_user(s, people["admin"], "newbie", PW, roles)
    assert err.value.field == "roles"


def test_roles_accept_a_comma_separated_string(engine, people):
    with session_scope(engine) as s:
        user = accounts.add_user(s, people["admin"], "newbie", PW, " Editor, marketer ")
    assert user.roles == {"editor", "marketer"}
    assert user.roles_csv == "marketer,editor"


def test_display_name_too_long(engine, people):
    with session_scope(engine) as s, pytest.raises(ValidationError) as err:
        accounts.add_user(s, people["admin"], "newbie", PW, ["marketer"], display_name="x" * 121)
    assert err.value.field == "display_name"


def test_all_auth_errors_share_a_base():
    for cls in (PermissionDenied, InvalidCredentials, AccountLocked, ValidationError, UserNotFound):
        assert issubclass(cls, StudioError)


# --------------------------------------------------------------------------------------------
# Signing in


def test_sign_in_success(engine, people):
    user = sign_in(engine, "MIA", PW)
    assert user.name == "mia"
    stored = load(engine, "mia")
    assert stored.last_login_at == T0
    assert stored.failed_logins == 0
    [ev] = events(engine, signin.SIGN_IN)
    assert (ev.actor_id, ev.actor_name, ev.created_at) == (user.id, "mia", T0)


def test_wrong_password_unknown_name_and_disabled_look_the_same(engine, people):
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "ed")
    errors = []
    for name, password in [("mia", "wrong password"), ("nobody", PW), ("ed", PW)]:
        with pytest.raises(InvalidCredentials) as err:
            sign_in(engine, name, password)
        errors.append(err.value)
    assert {type(e) for e in errors} == {InvalidCredentials}
    assert {str(e) for e in errors} == {InvalidCredentials.MESSAGE}
    message = InvalidCredentials.MESSAGE.lower()
    assert "password" in message and "name" in message  # names both, blames neither
    assert "wrong password" not in message and "unknown" not in message

    failed = events(engine, signin.SIGN_IN_FAILED)
    assert [(e.actor_name, e.actor_id, e.data["reason"]) for e in failed] == [
        ("mia", None, "wrong_password"),
        ("nobody", None, "unknown_name"),
        ("ed", None, "disabled"),
    ]


@pytest.fixture()
def verified(monkeypatch):
    """The hashes each verification ran against."""
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "password_hasher", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    return calls


def test_unknown_name_still_costs_a_hash_verification(engine, people, verified):
    calls = verified
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "no-such-person", PW)
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "x" * 500, PW)  # too long to be a name: still verified
    assert len(calls) == 2


def test_failures_survive_the_callers_rollback(engine, people):
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "mia", "wrong password")
    assert load(engine, "mia").failed_logins == 1
    assert len(events(engine, signin.SIGN_IN_FAILED)) == 1


def test_failures_are_slowed_then_locked_then_unlocked(engine, people):
    sleeps: list[float] = []
    delays = []
    for i in range(signin.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(InvalidCredentials) as err:
            sign_in(engine, "mia", f"wrong password {i}", now=T0 + timedelta(seconds=i), sleeps=sleeps)
        delays.append(err.value.delay_seconds)
    assert delays == [0.0, 0.5, 1.0, 2.0]
    assert sleeps == [0.5, 1.0, 2.0]  # slept, growing

    with pytest.raises(AccountLocked, match="Try again in 15 minutes") as err:
        sign_in(engine, "mia", "wrong again", now=T0 + timedelta(seconds=10))
    assert err.value.until == T0 + timedelta(seconds=10, minutes=signin.LOCKOUT_MINUTES)

    # Even the right password is refused while locked, and says how long is left.
    with pytest.raises(AccountLocked, match="Try again in 5 minutes"):
        sign_in(engine, "mia", PW, now=T0 + timedelta(minutes=10, seconds=10))
    with pytest.raises(AccountLocked, match="Try again in 1 minute\\."):
        sign_in(engine, "mia", PW, now=T0 + timedelta(minutes=14, seconds=50))

    # After the lock period the right password works and the count starts again.
    user = sign_in(engine, "mia", PW, now=T0 + timedelta(minutes=15, seconds=10))
    assert user.name == "mia"
    stored = load(engine, "mia")
    assert stored.failed_logins == 0 and stored.locked_until is None

    assert [e.action for e in events(engine) if e.action.startswith("auth.")] == (
        [signin.SIGN_IN_FAILED] * 5 + [signin.ACCOUNT_LOCKED] + [signin.SIGN_IN_FAILED] * 2 + [signin.SIGN_IN]
    )
    assert [e.data["reason"] for e in events(engine, signin.SIGN_IN_FAILED)][-2:] == ["locked"] * 2


def test_a_success_resets_the_failure_count(engine, people):
    for _ in range(signin.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(InvalidCredentials):
            sign_in(engine, "mia", "wrong password")
    sign_in(engine, "mia", PW)
    with pytest.raises(InvalidCredentials) as err:
        sign_in(engine, "mia", "wrong password")
    assert err.value.delay_seconds == 0.0
    assert load(engine, "mia").failed_logins == 1


def test_unknown_names_are_slowed_and_locked_like_real_ones(engine, people):
    def run(name):
        outcomes = []
        for i in range(signin.MAX_FAILED_SIGN_INS + 1):
            try:
                sign_in(engine, name, "wrong password", now=T0 + timedelta(seconds=i))
            except StudioError as e:
                outcomes.append((type(e).__name__, str(e), getattr(e, "delay_seconds", None)))
        return outcomes

    assert run("mia") == run("ghost")


def test_disabled_cannot_sign_in_and_re_enabled_can(engine, people):
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "mia")
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "mia", PW)
    with session_scope(engine) as s:
        accounts.enable_user(s, people["admin"], "mia")
    assert sign_in(engine, "mia", PW).name == "mia"
    actions = [e.action for e in events(engine) if e.data.get("user") == "mia" or e.actor_name == "mia"]
    assert actions == [
        accounts.USER_CREATED, accounts.USER_DISABLED, signin.SIGN_IN_FAILED, accounts.USER_ENABLED, signin.SIGN_IN
    ]  # fmt: skip


def test_re_enabling_clears_a_lockout(engine, people):
    for _ in range(signin.MAX_FAILED_SIGN_INS):
        with pytest.raises(StudioError):
            sign_in(engine, "mia", "wrong password")
    with pytest.raises(AccountLocked):
        sign_in(engine, "mia", PW)
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "mia")
        accounts.enable_user(s, people["admin"], "mia")
    assert sign_in(engine, "mia", PW).name == "mia"


def test_password_is_rehashed_when_parameters_change(engine, people, monkeypatch):
    old_hash = load(engine, "mia").password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(passwords, "password_hasher", stronger)
    assert stronger.check_needs_rehash(old_hash)
    sign_in(engine, "mia", PW)
    new_hash = load(engine, "mia").password_hash
    assert new_hash != old_hash and not stronger.check_needs_rehash(new_hash)
    assert events(engine, signin.SIGN_IN)[-1].data == {"rehashed": True}
    assert sign_in(engine, "mia", PW).name == "mia"


def test_corrupt_hash_fails_closed(engine, people):
    with session_scope(engine) as s:
        accounts.get_user(s, "mia").password_hash = "not-a-hash"
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "mia", PW)


def test_sign_out_is_recorded(engine, people):
    with session_scope(engine) as s:
        signin.sign_out(s, people["marketer"])
        signin.sign_out(s, people["marketer"], expired=True)
        signin.sign_out(s, None)
    outs = events(engine, signin.SIGN_OUT)
    assert [(e.actor_name, e.data) for e in outs] == [("mia", {}), ("mia", {"expired": True})]


def test_get_active_user(engine, people):
    mia_id = people["marketer"].id
    with session_scope(engine) as s:
        assert accounts.get_active_user(s, mia_id).name == "mia"
        accounts.disable_user(s, people["admin"], "mia")
    with session_scope(engine) as s:
        assert accounts.get_active_user(s, mia_id) is None
        assert accounts.get_active_user(s, None) is None
        assert accounts.get_active_user(s, 9999) is None


@pytest.mark.parametrize(
    ("idle", "expired"),
    [(timedelta(0), False), (timedelta(minutes=29, seconds=59), False),
     (timedelta(minutes=30), True), (timedelta(days=2), True)],
)  # fmt: skip
def test_session_expired(idle, expired):
    settings = Settings(studio_session_timeout_minutes=30)
    assert signin.session_expired(T0, settings, now=T0 + idle) is expired
    naive = T0.replace(tzinfo=None)
    assert signin.session_expired(naive, settings, now=T0 + idle) is expired


def test_session_expired_without_last_seen():
    assert signin.session_expired(None, Settings(studio_session_timeout_minutes=30), now=T0)


# --------------------------------------------------------------------------------------------
# Account management


def test_admin_cannot_disable_themselves(engine, people):
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="your own account"):
        accounts.disable_user(s, people["admin"], "ROOT")
    assert load(engine, "root").disabled is False


def test_last_active_admin_keeps_the_admin_role(engine, people):
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "ada")  # root is now the only active admin
        with pytest.raises(PermissionDenied, match="last active admin"):
            accounts.set_roles(s, people["admin"], "root", ["editor", "marketer"])
    assert "admin" in load(engine, "root").roles


def test_an_admin_may_step_down_when_another_admin_is_active(engine, people):
    with session_scope(engine) as s:
        accounts.set_roles(s, people["admin"], "root", ["editor"])
    assert load(engine, "root").roles == {"editor"}
    with session_scope(engine) as s:
        # root is no admin any more: ada (the last active admin) is protected from everyone.
        with pytest.raises(PermissionDenied, match="Only admins"):
            accounts.disable_user(s, people["admin"], "ada")
        with pytest.raises(PermissionDenied, match="last active admin"):
            accounts.set_roles(s, people["admin_only"], "ada", ["editor"])
        with pytest.raises(PermissionDenied, match="your own account"):
            accounts.disable_user(s, people["admin_only"], "ada")


def test_last_admin_message_names_the_other_person():
    """The guard's wording when the target is someone else (reachable only through a race)."""
    actor = User(id=1, name="root", password_hash="x", roles_csv="admin", disabled=False)
    target = User(id=2, name="ada", password_hash="x", roles_csv="admin", disabled=False)

    class FakeSession:
        def scalars(self, _stmt):
            return [target]

    with pytest.raises(PermissionDenied, match="can't disable ada: they are the last active admin"):
        accounts._protect_last_admin(FakeSession(), actor, target, "disable")


def test_unknown_person(engine, people):
    with session_scope(engine) as s:
        with pytest.raises(UserNotFound, match="'ghost'"):
            accounts.disable_user(s, people["admin"], "ghost")
        assert accounts.get_user(s, "ghost") is None
        assert accounts.get_user(s, "") is None


def test_disabling_keeps_drafts_and_history(engine, people):
    with session_scope(engine) as s:
        draft = Draft(author_id=people["marketer"].id, content_type="blog", topic="Spring launch")
        s.add(draft)
        s.flush()
        draft_id = draft.id
        pass

        audit.record(s, people["marketer"], "draft.created", draft_id=draft_id, to_status="draft")
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "mia")
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).author.name == "mia"
        assert accounts.get_user(s, "mia").disabled is True
        pass

        assert [e.action for e in audit.timeline(s, draft_id)] == ["draft.created"]


def test_disable_and_enable_are_idempotent(engine, people):
    with session_scope(engine) as s:
        accounts.disable_user(s, people["admin"], "mia")
        accounts.disable_user(s, people["admin"], "mia")
        accounts.enable_user(s, people["admin"], "mia")
        accounts.enable_user(s, people["admin"], "mia")
        accounts.set_roles(s, people["admin"], "mia", ["marketer"])  # unchanged
    assert len(events(engine, accounts.USER_DISABLED)) == 1
    assert len(events(engine, accounts.USER_ENABLED)) == 1
    assert events(engine, accounts.USER_ROLES_CHANGED) == []


def test_reset_password(engine, people):
    for _ in range(signin.MAX_FAILED_SIGN_INS):
        with pytest.raises(StudioError):
            sign_in(engine, "mia", "wrong password")
    with session_scope(engine) as s:
        with pytest.raises(ValidationError) as err:
            accounts.reset_password(s, people["admin"], "mia", "short")
        assert err.value.field == "password"
        accounts.reset_password(s, people["admin"], "mia", "a brand new password")
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "mia", PW)
    assert sign_in(engine, "mia", "a brand new password").name == "mia"


def test_account_changes_are_audited_without_secrets(engine, people):
    admin = people["admin"]
    with session_scope(engine) as s:
        accounts.add_user(s, admin, "dana", "dana-first-password", ["marketer"])
        accounts.set_roles(s, admin, "dana", ["marketer", "editor"])
        accounts.reset_password(s, admin, "dana", "dana-second-password")
        accounts.disable_user(s, admin, "dana")
        accounts.enable_user(s, admin, "dana")
    sign_in(engine, "dana", "dana-second-password")
    with pytest.raises(InvalidCredentials):
        sign_in(engine, "dana", "dana-first-password")

    about_dana = [e for e in events(engine) if e.data.get("user") == "dana" or e.actor_name == "dana"]
    assert [(e.action, e.actor_name) for e in about_dana] == [
        (accounts.USER_CREATED, "root"),
        (accounts.USER_ROLES_CHANGED, "root"),
        (accounts.USER_PASSWORD_RESET, "root"),
        (accounts.USER_DISABLED, "root"),
        (accounts.USER_ENABLED, "root"),
        (signin.SIGN_IN, "dana"),
        (signin.SIGN_IN_FAILED, "dana"),
    ]
    roles_event = about_dana[1]
    assert roles_event.data["from"] == ["marketer"]
    assert roles_event.data["to"] == ["marketer", "editor"]

    with session_scope(engine) as s:
        hashes = [u.password_hash for u in s.scalars(select(User))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    secrets = [ADMIN_PW, PW, "dana-first-password", "dana-second-password", *hashes]
    for e in events(engine):
        dumped = json.dumps(e.data) + e.comment + e.actor_name
        assert "$argon2" not in dumped
        for secret in secrets:
            assert secret not in dumped, (e.action, secret)


# --------------------------------------------------------------------------------------------
# The command-line account


def test_cli_account_before_and_after_the_first_admin(engine):
    with session_scope(engine) as s:
        cli = accounts.cli_account(s)
        assert (cli.name, cli.roles, cli.display_name) == ("cli", {"marketer"}, "Command line")
        assert accounts.cli_account(s).id == cli.id  # created once
        assert accounts.needs_first_admin(s) is True  # not a person
        admin = accounts.create_first_admin(s, "root", ADMIN_PW)
        assert accounts.needs_first_admin(s) is False
        assert [u.name for u in accounts.list_users(s, admin)] == ["cli", "root"]
        with pytest.raises(ValidationError, match="reserved") as err:
            accounts.add_user(s, admin, "CLI", PW, ["admin"])
        assert err.value.field == "name"
        with pytest.raises(PermissionDenied, match="has no password"):
            accounts.reset_password(s, admin, "cli", "some password 1")
    created = events(engine, accounts.USER_CREATED)
    assert [(e.actor_name, e.data["user"]) for e in created] == [("system", "cli"), ("root", "root")]


def test_nobody_can_sign_in_as_the_cli_account(engine, people, verified):
    with session_scope(engine) as s:
        accounts.cli_account(s)
    for attempt in ("", "!unusable", PW):
        with pytest.raises(InvalidCredentials):
            sign_in(engine, "cli", attempt)
    assert len(verified) == 3  # the same hashing cost as any other attempt
    assert all(h.startswith("$argon2id$") for h in verified)


def test_disabled_cli_account_is_refused_with_a_hint(engine, people):
    with session_scope(engine) as s:
        accounts.cli_account(s)
        accounts.disable_user(s, people["admin"], "cli")
        with pytest.raises(PermissionDenied, match="--as NAME"):
            accounts.cli_account(s)
