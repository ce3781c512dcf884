"""Prompt versions through the real writer: the A/B split, what reaches the model, and the
outcome statistics of drafts made, edited, approved and rejected in the test."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.context import brief_of
from studio.drafting.prompts import build_messages, messages_as_records
from studio.errors import InputError, PermissionDenied
from studio.models import AuditEvent, Draft, Generation
from studio.prompts import service
from studio.prompts.service import PromptVersionError
from tests.integration.prompts.conftest import BRIEF, MARK, V2_SYSTEM, replace_last_words, system_of


def _add_v2(engine, people, share: float | None = None) -> int:
    with session_scope(engine) as s:
        v2 = service.add_version(s, people.editor, "blog", system=V2_SYSTEM, label="closing promise")
        if share is not None:
            service.split(s, people.editor, "blog", v2.number, share)
        return v2.id


def test_the_split_picks_versions_at_the_configured_share(engine, people):
    """2,000 new blog drafts' versions, picked from the database at a 30% share: the count under
    test lies within 5 standard deviations of 600 (a false alarm about once in 3.5 million runs)."""
    v2 = _add_v2(engine, people, share=0.3)
    draw = random.Random(18).random
    with session_scope(engine) as s:
        picked = [service.prompt_for_new_draft(s, "blog", draw).version_id for _ in range(2000)]
        live = next(v.id for v in service.list_versions(s, people.editor, "blog") if v.status == "live")
        assert service.prompt_for_new_draft(s, "news").version_id != v2  # other types keep their own
    n, p = 2000, 0.3
    sd = (n * p * (1 - p)) ** 0.5
    assert abs(picked.count(v2) - n * p) < 5 * sd
    assert picked.count(v2) + picked.count(live) == n


def test_drafts_record_their_version_and_its_text_reaches_the_model(studio, engine, people):
    v2 = _add_v2(engine, people, share=0.5)
    drafts = []
    for _ in range(24):
        studio.server.clear_requests()
        draft_id = studio.generate()
        written = [r for r in studio.server.chat_requests if r.stream]
        assert len(written) == 1
        drafts.append((draft_id, system_of(written[0].json)))
    with session_scope(engine) as s:
        recorded = {d: s.get(Draft, d).prompt_version_id for d, _ in drafts}
        generations = {g.draft_id: g.prompt_messages for g in s.scalars(select(Generation))}
    under_test = [d for d, _ in drafts if recorded[d] == v2]
    # Binomial(24, 0.5): 5 standard deviations either side of 12.
    assert 12 - 5 * 6**0.5 < len(under_test) < 12 + 5 * 6**0.5
    assert all(recorded[d] is not None for d, _ in drafts)
    builtin = messages_as_records(build_messages(Brief.create(**BRIEF)))[0]["content"]
    for draft_id, sent in drafts:
        if recorded[draft_id] == v2:
            assert MARK in sent and sent.startswith("You write for a marketing team.")
        else:  # version 1 is the built-in prompt, word for word
            assert sent == builtin
        assert generations[draft_id][0]["content"] == sent


def test_more_of_a_draft_is_written_with_its_own_version(studio, engine, people):
    v2 = _add_v2(engine, people, share=1.0)
    draft_id = studio.generate()
    with session_scope(engine) as s:
        service.split(s, people.editor, "blog", 2, 0)  # new drafts go back to version 1
        brief = brief_of(s, s.get(Draft, draft_id))
        assert service.prompt_for_new_draft(s, "blog").number == 1
    assert brief.context.prompt.version_id == v2
    assert MARK in messages_as_records(build_messages(brief))[0]["content"]


def test_stats_measure_each_version_from_the_workflow(studio, engine, people):
    # Version 1: one draft approved as written, one approved after a 6-word edit, one rejected.
    v1_plain, v1_edited, v1_rejected = studio.generate(), studio.generate(), studio.generate()
    v2 = _add_v2(engine, people, share=1.0)
    # Version 2 (every new draft): approved after a 10-word edit, approved as written, one left in review.
    v2_edited, v2_plain, v2_waiting = studio.generate(), studio.generate(), studio.generate()
    assert {studio.prompt_version_id(d) for d in (v2_edited, v2_plain, v2_waiting)} == {v2}
    words = {d: len(studio.text(d).split()) for d in (v1_plain, v1_edited, v1_rejected, v2_edited, v2_plain, v2_waiting)}
    studio.edit(v1_edited, replace_last_words(studio.text(v1_edited), 6))
    studio.edit(v2_edited, replace_last_words(studio.text(v2_edited), 10))
    for d in (v1_plain, v1_edited, v1_rejected, v2_edited, v2_plain, v2_waiting):
        studio.submit(d)
    with session_scope(engine) as s:  # written 48 and 24 hours before they are approved
        for d, hours in ((v1_plain, 48), (v1_edited, 24), (v2_edited, 3), (v2_plain, 1)):
            draft = s.get(Draft, d)
            draft.created_at = draft.created_at - timedelta(hours=hours)
    for d in (v1_plain, v1_edited, v2_edited, v2_plain):
        studio.approve(d)
    studio.reject(v1_rejected)

    with session_scope(engine) as s:
        one, two = service.stats(s, people.marketer, "blog")
    assert (one.version.number, two.version.number) == (1, 2)
    assert (one.drafts, one.approved, one.rejected, one.pending) == (3, 2, 1, 0)
    assert (two.drafts, two.approved, two.rejected, two.pending) == (3, 2, 0, 1)
    assert one.approval_rate.value == pytest.approx(2 / 3) and one.approval_rate.n == 3
    assert one.approval_rate.low < 2 / 3 < one.approval_rate.high
    assert two.approval_rate.value == 1.0 and two.approval_rate.n == 2 and two.approval_rate.low < 1.0
    assert one.edit_distance.value == 3.0 and two.edit_distance.value == 5.0  # medians of (0, 6), (10, 0)
    assert one.edit_distance.low is None  # two values give no interval
    assert one.hours_to_approval.value == pytest.approx(36, abs=0.1)
    assert two.hours_to_approval.value == pytest.approx(2, abs=0.1)
    # The version's closing promise draws two claims findings ("guaranteed", "best in the world")
    # into each text the model wrote for it; the built-in version's texts have none.
    assert (one.findings, two.findings) == (0, 6)
    assert one.words == words[v1_plain] + words[v1_edited] + words[v1_rejected]
    assert two.words == words[v2_edited] + words[v2_plain] + words[v2_waiting]
    assert two.findings_per_1000_words.value == pytest.approx(6 / two.words * 1000)
    assert two.findings_per_1000_words.low < two.findings_per_1000_words.value < two.findings_per_1000_words.high
    assert one.findings_per_1000_words.value == 0 and one.findings_per_1000_words.high > 0


def test_promote_and_retire_are_audited_and_change_what_new_drafts_get(engine, people):
    v2 = _add_v2(engine, people, share=0.25)
    with session_scope(engine) as s:
        with pytest.raises(PermissionDenied, match="Only editors and admins"):
            service.promote(s, people.marketer, "blog", 2)
        promoted = service.promote(s, people.admin, "blog", 2)
        assert (promoted.status, promoted.share) == ("live", 1.0)
        assert service.prompt_for_new_draft(s, "blog").version_id == v2
        with pytest.raises(PromptVersionError, match="cannot be retired: promote another"):
            service.retire(s, people.editor, "blog", 2)
        assert service.retire(s, people.editor, "blog", 1).status == "retired"
        with pytest.raises(PromptVersionError, match="retired"):
            service.split(s, people.editor, "blog", 1, 0.5)
        with pytest.raises(InputError, match="which the studio does not fill"):
            service.add_version(s, people.editor, "blog", system="Write about {subject}.")
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("prompts.%")))]
    assert actions == ["prompts.added", "prompts.split", "prompts.promoted", "prompts.retired"]


def test_shares_of_versions_under_test_add_up_to_at_most_everything(engine, people):
    _add_v2(engine, people, share=0.6)
    with session_scope(engine) as s:
        service.add_version(s, people.editor, "blog", system=V2_SYSTEM + " Third.")
        with pytest.raises(InputError, match="already take 60%"):
            service.split(s, people.editor, "blog", 3, 0.5)
        service.split(s, people.editor, "blog", 3, 0.4)
        shares = {v.number: v.share for v in service.list_versions(s, people.marketer, "blog")}
    assert shares == {1: pytest.approx(0.0), 2: 0.6, 3: 0.4}
