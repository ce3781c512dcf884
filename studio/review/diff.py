"""Revisions compared word by word."""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.drafting.service import get_draft
from studio.models import Revision
from studio.review.service import ReviewError

_TOKEN = re.compile(r"\s+|[^\s]+")


def diff_revisions(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (op, text) with op in {"equal", "insert", "delete"}."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("insert", "".join(b[j1:j2])))
    return out


def compare(session: Session, draft_id: int, actor: Any, old_number: int, new_number: int) -> list[tuple[str, str]]:
    get_draft(session, draft_id, actor)
    bodies = dict(
        session.execute(
            select(Revision.number, Revision.body).where(
                Revision.draft_id == draft_id, Revision.number.in_([old_number, new_number])
            )
        ).all()
    )
    for n in (old_number, new_number):
        if n not in bodies:
            raise ReviewError(f"Draft {draft_id} has no revision {n}.")
    return diff_revisions(bodies[old_number], bodies[new_number])

