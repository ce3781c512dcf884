"""A finding's suggestion applied: to this occurrence, or to every occurrence of the same words.

In the body each application is one new revision (checked again); in a publishing field it is one
field change (checked again, and recorded as set by a person). "All" replaces every finding of
the same rule whose matched words are the same (whole words, case-insensitively) in the same
field of the current report, each in its own case ("Chairman" → "Chair", "CHAIRMAN" → "CHAIR").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from studio.checks.service import latest_report
from studio.checks.text import normalize
from studio.drafting.service import DraftInputError, edit_text, get_draft
from studio.models import Finding
from studio.publishing.fields import parse_terms
from studio.publishing.service import update_publishing

Scope = Literal["one", "all"]
_LIST_FIELDS = ("tags", "categories")


@dataclass(frozen=True)
class Applied:
    """What applying a suggestion did: how many places changed, where, the new version."""

    count: int
    field: str
    revision: int | None  # the new revision's number (body), else None
    version: int


def same_words(findings: list[Any], finding: Any) -> list[Any]:
    """The findings "all" would change with ``finding``: same rule, field and matched words."""
    key = normalize(finding.text)
    return [
        f for f in findings
        if f.rule == finding.rule and (f.field or "body") == (finding.field or "body")
        and f.end > f.start and normalize(f.text) == key
    ]  # fmt: skip


def match_case(original: str, suggestion: str) -> str:
    """``suggestion`` in the case of the words it replaces."""
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def replaced(text: str, places: list[Any], index: int) -> str:
    """``text`` with each finding in ``places`` replaced by its own ``index``-th suggestion."""
    for f in sorted(places, key=lambda f: f.start, reverse=True):
        if text[f.start : f.end] != f.text:
            raise DraftInputError("The text at that place has changed; reload to see the current findings.")
        text = text[: f.start] + match_case(f.text, f.suggestions[index]) + text[f.end :]
    return text


def apply_suggestion(
    session: Session,
    draft_id: int,
    actor: Any,
    finding_id: int,
    suggestion: str,
    expected_version: int | None,
    *,
    scope: Scope = "one",
) -> Applied:
    """Replace a finding's words with one of its suggestions (``scope``: this one, or all)."""
    draft = get_draft(session, draft_id, actor)
    finding = session.get(Finding, finding_id)
    current = draft.current_revision
    report = latest_report(session, current.id) if current is not None else None
    if finding is None or report is None or finding.report_id != report.id:
        raise DraftInputError("That finding belongs to an older check; reload to see the current one.")
    offered = [s.casefold() for s in finding.suggestions or []]
    if suggestion.casefold() not in offered:
        raise DraftInputError("That suggestion is not one the check offered.")
    index = offered.index(suggestion.casefold())
    places = same_words(list(report.findings), finding) if scope == "all" else [finding]
    places = [f for f in places if len(f.suggestions or []) > index]
    field = finding.field or "body"
    first = match_case(finding.text, finding.suggestions[index])
    where = f" ({len(places)} places)" if len(places) > 1 else ""
    note = f"“{finding.text}” → “{first}”{where} ({finding.category}: {finding.label})"
    if field == "body":
        body = replaced(current.body, places, index)
        revision = edit_text(
            session, draft_id, actor, body, expected_version, reason="suggestion_applied", note=note
        )
        return Applied(len(places), field, revision.number, revision.draft.version)
    value = _field_text(draft, field)
    new_value: Any = replaced(value, places, index)
    if field in _LIST_FIELDS:
        new_value = parse_terms(new_value)
    updated = update_publishing(session, draft_id, actor, {field: new_value}, expected_version, note=note)
    return Applied(len(places), field, None, updated.version)


def _field_text(draft: Any, field: str) -> str:
    value = getattr(draft, field)
    if field in _LIST_FIELDS:
        return ", ".join(str(v) for v in value or [] if str(v).strip())
    return value or ""
