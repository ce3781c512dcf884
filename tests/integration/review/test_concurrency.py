"""Twenty people acting at once, on SQLite and on PostgreSQL.

Every action is what a page does: read the draft (status and version) in one short session, then
act in another, naming the version it saw. Threads start together behind a barrier.

What must hold, whatever the interleaving:
- only refusals with a message for the person reach the caller (VersionConflict, ReviewError);
  never "database is locked", an OperationalError, an IntegrityError or a StaleDataError;
- no lost update: every successful edit is exactly one revision with exactly that text, revision
  numbers run 1..n without gaps, and no two successful actions acted on the same version;
- versions strictly increase in commit order;
- the audit trail matches the decisions one for one, and its from→to chain is unbroken;
- SQLite's `PRAGMA integrity_check` says ok (and no foreign key is dangling, on both).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select, text

pass
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft, edit_text
from studio.errors import VersionConflict
from studio.models import AuditEvent, Draft, Revision
from studio.review import service as review
from studio.review.service import ReviewError

THREADS = 20
TIME_LIMIT_S = 60.0
#: The refusals a person may see when someone else acted first; anything else is a failure.
ACCEPTABLE = (VersionConflict, ReviewError)
DECISIONS = ("submit", "approve", "request_changes", "reject")


@dataclass
class Done:
    thread: int
    action: str  # "edit" or a transition
    draft_id: int
    expected: int
    version_after: int
    body: str | None = None


@dataclass
class Log:
    done: list[Done] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (action, type, message)
    errors: list[tuple[str, BaseException]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def body_text(draft_no: int, label: str) -> str:
    # Letters for the label's numbers: a figure is a claim the ledger asks an editor to acknowledge,
    # and these races are about decisions, not claims.
    label = label.translate(str.maketrans("0123456789", "abcdefghij"))
    return (
        f"# Garden notes {draft_no}\n\n"
        f"Seeds, soil and patience make a small garden grow ({label}). "
        "Water in the morning and mulch the beds before the summer heat.\n"
    )


def make_drafts(engine, authors, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    with session_scope(engine) as s:
        for i in range(n):
            author = authors[i % len(authors)]
            draft = create_draft(s, Brief.create(content_type="blog", topic=f"Garden notes {i}"), author)
            add_revision(s, draft, body_text(i, "first"), author, "generated")
            ids.append(draft.id)
    with session_scope(engine) as s:  # the checks ran once the drafts were committed
        verdicts = {s.get(Draft, i).check_verdict for i in ids}
    assert verdicts <= {"pass", "warn"}, verdicts
    return ids


def snapshot(engine, draft_id: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        return d.status, d.version


def act(engine, log: Log, thread: int, action: str, draft_id: int, actor, expected: int, body: str | None = None):  # type: ignore[no-untyped-def]
    """One person's action in its own unit of work, recorded as done, refused or an error."""
    try:
        with session_scope(engine) as s:
            if action == "edit":
                edit_text(s, draft_id, actor, body, expected)
            elif action == "submit":
                review.submit(s, draft_id, actor, expected)
            elif action == "approve":
                review.approve(s, draft_id, actor, expected, "Looks good.", manual_review_confirmed=True)
            elif action == "request_changes":
                review.request_changes(s, draft_id, actor, expected, "Please tighten the intro.")
            elif action == "reject":
                review.reject(s, draft_id, actor, expected, "Off brief.")
            else:  # pragma: no cover
                raise AssertionError(action)
            s.flush()
            version_after = s.get(Draft, draft_id).version
    except ACCEPTABLE as exc:
        message = str(exc)
        with log.lock:
            log.refused.append((action, type(exc).__name__, message))
        return False
    except BaseException as exc:  # noqa: BLE001 - every other failure is a finding
        with log.lock:
            log.errors.append((f"thread {thread} {action} draft {draft_id} v{expected}", exc))
        return False
    with log.lock:
        log.done.append(Done(thread, action, draft_id, expected, version_after, body))
    return True


def run_threads(n: int, work) -> float:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    crashed: list[BaseException] = []

    def main(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # noqa: BLE001
            crashed.append(exc)

    threads = [threading.Thread(target=main, args=(i,), name=f"person-{i}", daemon=True) for i in range(n)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, TIME_LIMIT_S - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), f"threads still running after {elapsed:.0f} s (deadlock?)"
    assert not crashed, crashed
    return elapsed


def assert_consistent(engine, log: Log, draft_ids: list[int], db_backend: str) -> None:  # type: ignore[no-untyped-def]
    assert not log.errors, "errors reached the caller:\n" + "\n".join(
        f"{where}: {type(exc).__name__}: {exc}" for where, exc in log.errors
    )
    for action, kind, message in log.refused:
        assert message.strip() and "locked" not in message.lower(), (action, kind, message)
        assert "Traceback" not in message and "sqlalchemy" not in message.lower(), message

    done_by_draft: dict[int, list[Done]] = defaultdict(list)
    for d in log.done:
        done_by_draft[d.draft_id].append(d)

    with session_scope(engine) as s:
        for draft_id in draft_ids:
            draft = s.get(Draft, draft_id)
            done = done_by_draft[draft_id]
            # No lost update: two successful actions never acted on the same version, and the
            # versions they left behind strictly increase in commit order.
            expected = [d.expected for d in done]
            assert len(expected) == len(set(expected)), f"draft {draft_id}: two actions on one version {expected}"
            after = sorted(d.version_after for d in done)
            assert len(after) == len(set(after)), after
            for d in done:
                assert d.version_after > d.expected, d
            ordered = sorted(done, key=lambda d: d.expected)
            for earlier, later in zip(ordered, ordered[1:]):
                assert earlier.version_after <= later.expected, (earlier, later)
            if done:
                assert draft.version == max(after)

            # Every successful edit is exactly one revision holding exactly its text.
            revisions = s.scalars(
                select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)
            ).all()
            assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
            edits = [d for d in done if d.action == "edit"]
            assert len(revisions) == 1 + len(edits)
            bodies = Counter(r.body for r in revisions[1:])
            assert bodies == Counter(d.body for d in edits)
            assert draft.current_revision_id == revisions[-1].id

            # The audit trail: one review.* row per successful decision, one draft.edited per
            # edit, and an unbroken from→to chain ending at the draft's status.
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.draft_id == draft_id).order_by(AuditEvent.id)
            ).all()
            decisions = [e for e in events if e.action.startswith("review.") and e.action != "review.comment"]
            assert Counter(e.action for e in decisions) == Counter(
                f"review.{d.action}" for d in done if d.action in DECISIONS
            )
            assert sum(e.action == "draft.edited" for e in events) == len(edits)
            state = "draft"
            for e in decisions:
                assert e.from_status == state, (draft_id, [(x.action, x.from_status, x.to_status) for x in decisions])
                state = e.to_status
            assert draft.status == state

    with engine.connect() as conn:
        if db_backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        orphans = conn.execute(text(
            "SELECT count(*) FROM drafts d LEFT JOIN revisions r ON r.id = d.current_revision_id "
            "WHERE d.current_revision_id IS NOT NULL AND (r.id IS NULL OR r.draft_id <> d.id)"
        )).scalar()
        assert orphans == 0


def test_twenty_people_on_twenty_drafts_all_succeed(engine, db_backend, people):
    """Different drafts: nobody is in anybody's way, so every action must succeed."""
    draft_ids = make_drafts(engine, [people.marketer, people.marketer2], THREADS)
    authors = {i: (people.marketer if i % 2 == 0 else people.marketer2) for i in range(THREADS)}
    editors = [people.editor, people.admin]
    log = Log()

    def work(i: int) -> None:
        draft_id, author, editor = draft_ids[i], authors[i], editors[i % 2]
        steps = [
            ("edit", author, body_text(i, f"edit by {i}")),
            ("submit", author, None),
            ("request_changes", editor, None),
            ("edit", author, body_text(i, f"revised by {i}")),
            ("submit", author, None),
            ("edit", editor, body_text(i, f"copy-edited by editor for {i}")),  # editors may edit in review
            ("approve", editor, None),
        ]
        for action, actor, body in steps:
            _, version = snapshot(engine, draft_id)
            act(engine, log, i, action, draft_id, actor, version, body)

    elapsed = run_threads(THREADS, work)
    assert_consistent(engine, log, draft_ids, db_backend)
    assert not log.refused, log.refused
    assert len(log.done) == THREADS * 7
    with session_scope(engine) as s:
        assert {s.get(Draft, d).status for d in draft_ids} == {"approved"}
    assert elapsed < TIME_LIMIT_S
    print(f"\n{db_backend}: {THREADS} threads x 7 actions on separate drafts in {elapsed:.1f} s")


def test_twenty_people_on_the_same_drafts_exactly_one_wins_each_race(engine, db_backend, people):
    """Same drafts: authors editing and submitting, editors editing and deciding, all at once."""
    n_drafts = 3
    draft_ids = make_drafts(engine, [people.marketer], n_drafts)
    editors = [people.editor, people.admin]
    log = Log()
    attempts_per_thread = 8
    deadline = time.monotonic() + 25

    def work(i: int) -> None:
        rng = random.Random(1000 + i)
        is_author = i % 2 == 0
        actor = people.marketer if is_author else editors[(i // 2) % 2]
        k = 0
        open_ids = list(draft_ids)
        looks = 0  # reads that found nothing to do for this role, bounded
        while open_ids and k < attempts_per_thread and looks < 150 and time.monotonic() < deadline:
            draft_id = rng.choice(open_ids)
            status, version = snapshot(engine, draft_id)
            if status in {"approved", "rejected"}:
                open_ids.remove(draft_id)
                continue
            body = body_text(draft_ids.index(draft_id), f"thread {i} round {k}")
            if is_author:
                if status not in {"draft", "changes_requested"}:
                    looks += 1
                    time.sleep(0.005)
                    continue
                action = rng.choice(["edit", "edit", "submit"])
            else:
                if status != "in_review":
                    looks += 1
                    time.sleep(0.005)
                    continue
                # Mostly send it back, so the drafts keep cycling; approve/reject end a draft.
                action = rng.choices(["request_changes", "edit", "approve", "reject"], [6, 3, 1, 0.3])[0]
            k += 1
            act(engine, log, i, action, draft_id, actor, version, body if action == "edit" else None)

    elapsed = run_threads(THREADS, work)
    assert_consistent(engine, log, draft_ids, db_backend)
    conflicts = sum(kind == "VersionConflict" for _, kind, _ in log.refused)
    assert log.done, "nothing succeeded"
    assert elapsed < TIME_LIMIT_S
    print(
        f"\n{db_backend}: {THREADS} threads on {n_drafts} drafts: {len(log.done)} done "
        f"({Counter(d.action for d in log.done)}), {len(log.refused)} refused "
        f"({conflicts} version conflicts) in {elapsed:.1f} s; refusals: "
        f"{Counter((kind, message[:70]) for _, kind, message in log.refused).most_common(4)}"
    )
