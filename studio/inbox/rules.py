"""The inbox's one table: each kind of entry, its label, its sentence, and who receives it.

Pure: ``recipients`` takes plain values (anything with ``id`` for people, ``author_id`` and
``assignee_id`` for a draft), so the services and the tests ask the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Audience = Literal["author", "assignee", "author_and_assignee"]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the inbox shows beside the entry: "Changes requested"
    sentence: str  # "{actor} requested changes to “{title}”."
    audience: Audience


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("assigned", "Assigned to you", "{actor} assigned “{title}” to you for review.", "assignee"),
        Kind("resubmitted", "Resubmitted", "{actor} resubmitted “{title}”, which you review.", "assignee"),
        Kind("changes_requested", "Changes requested", "{actor} requested changes to “{title}”.", "author"),
        Kind("approved", "Approved", "{actor} approved “{title}”.", "author"),
        Kind("rejected", "Rejected", "{actor} rejected “{title}”.", "author"),
        Kind("exported", "Exported", "{actor} exported “{title}”.", "author"),
        Kind("comment", "Comment", "{actor} commented on “{title}”.", "author_and_assignee"),
    )
}

#: What a workflow transition tells the author (or the reviewer), by TRANSITIONS key.
FOR_TRANSITION = {
    "request_changes": "changes_requested",
    "approve": "approved",
    "reject": "rejected",
    "export": "exported",
}

TITLE_CHARS = 80


def kind_label(kind: str) -> str:
    return KINDS[kind].label if kind in KINDS else kind


def sentence(kind: str, actor: str, title: str) -> str:
    """The entry as the person reads it, e.g. "Dana Editor approved “Spring launch”."."""
    title = " ".join((title or "").split())
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1] + "…"
    return KINDS[kind].sentence.format(actor=actor or "Someone", title=title or "Untitled draft")


def exported_sentence(actor: str, count: int, batch_id: int) -> str:
    """One entry for several of a person's drafts exported at once."""
    return f"{actor or 'Someone'} exported {count} of your drafts (export {batch_id})."


def recipients(kind: str, draft: Any, actor: Any) -> list[int]:
    """The ids of the people an entry of ``kind`` about ``draft`` goes to: never the person who
    acted, never twice."""
    audience = KINDS[kind].audience
    wanted: Iterable[int | None] = {
        "author": (draft.author_id,),
        "assignee": (getattr(draft, "assignee_id", None),),
        "author_and_assignee": (draft.author_id, getattr(draft, "assignee_id", None)),
    }[audience]
    actor_id = getattr(actor, "id", None)
    out: list[int] = []
    for person_id in wanted:
        if person_id is not None and person_id != actor_id and person_id not in out:
            out.append(person_id)
    return out
