"""Training data from the editors' record: the pairs, read from drafts, revisions and generations,
and the audited export.

What a pair is made of (see docs/feedback.md):

- **the prompt**: the system and user messages the model was sent for the draft (the Generation
  record of its first generated text); a draft written without a model gets the prompt the
  studio would send for its brief today;
- **the approved text**: the draft's current revision, once the draft is approved (or exported,
  which only approved drafts become);
- **what the model first wrote**: the draft's first complete generated revision;
- **a rejected draft of the same brief**: a rejected draft whose brief reads the same
  (`rules.brief_key`); its text is the revision the editor rejected.

``--since``/``--until`` filter on when the draft was approved (the last approval in the audit
trail), like ``python -m studio export``. ``--model`` keeps pairs whose model-written side came
from that model. The export is recorded in the audit trail as ``feedback.export``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.drafting.brief import Brief
from studio.drafting.prompts import build_messages, messages_as_records
from studio.errors import StudioError
from studio.feedback import rules
from studio.voices.service import voice_condition
from studio.models import AuditEvent, Draft, Generation, PromptVersion, Revision

PERMISSION = "feedback.export"
AUDIT_ACTION = "feedback.export"
APPROVED_STATUSES = ("approved", "exported")
REJECTED_STATUS = "rejected"


class FeedbackError(StudioError):
    """Nothing qualifies, or a filter that cannot be used: the message says which."""


@dataclass(frozen=True)
class Filters:
    content_type: str | None = None
    voice: str | None = None  # a key of voices.service.voice_options: a brand voice or a preset tone
    voice_label: str | None = None
    model: str | None = None
    since: date | datetime | None = None
    until: date | datetime | None = None

    def describe(self, *, model: bool = True) -> str:
        parts = []
        if self.content_type:
            parts.append(f"of type {self.content_type}")
        if self.voice:
            parts.append(f"in the {self.voice_label or self.voice} voice")
        if self.model and model:
            parts.append(f"written by {self.model}")
        if self.since:
            parts.append(f"approved since {self.since}")
        if self.until:
            parts.append(f"approved until {self.until}")
        return (" " + ", ".join(parts)) if parts else ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class _Written:
    """One draft's side of a pair: its prompt, its text and where they came from."""

    draft_id: int
    revision_id: int
    revision_number: int
    text: str
    prompt: rules.Prompt | None
    key: str | None
    model: str | None
    provider: str | None
    generation_id: int | None


@dataclass
class _Approved:
    approved: _Written
    first: _Written | None  # the model's first text, when a model wrote one
    approved_at: datetime | None
    content_type: str
    revisions: int
    prompt_version: int | None = None  # the number of the prompt version it was written with


def _jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows)


@dataclass
class JsonlFile:
    """A JSONL file made in memory: written whole by `studio.export.output`."""

    content: bytes

    def write_to(self, out: BinaryIO) -> None:
        out.write(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class FeedbackExport:
    format: str
    rows: list[dict[str, Any]]
    provenance: list[dict[str, Any]]
    redacted: dict[str, int] = field(default_factory=dict)  # kind -> replaced (with redaction)
    unredacted: dict[str, int] = field(default_factory=dict)  # kind -> left in (without it)
    considered: int = 0  # approved drafts that matched the filters
    audit_event_id: int | None = None

    @property
    def file(self) -> JsonlFile:
        return JsonlFile(_jsonl(self.rows))

    @property
    def provenance_file(self) -> JsonlFile:
        return JsonlFile(_jsonl(self.provenance))


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(0), tzinfo=timezone.utc)


def _day_after(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if value >= date.max:
        return datetime.max.replace(tzinfo=timezone.utc)
    return datetime.combine(value + timedelta(days=1), time(0), tzinfo=timezone.utc)


def _brief_of(draft: Draft) -> Brief:
    return Brief(
        content_type=draft.content_type, topic=draft.topic, audience=draft.audience or "",
        keywords=list(draft.keywords or []), tone=draft.tone, formality=draft.formality,
        temperature=draft.temperature, target_words=draft.target_words, language=draft.language,
    )  # fmt: skip


def _prompt_now(draft: Draft) -> rules.Prompt | None:
    """The prompt the studio sends for this draft's brief today (None: a brief it cannot render)."""
    try:
        records = messages_as_records(build_messages(_brief_of(draft)))
    except (KeyError, ValueError):
        return None
    return _as_prompt(records)


def _as_prompt(records: list[Any]) -> rules.Prompt | None:
    system = [m.get("content", "") for m in records if isinstance(m, dict) and m.get("role") == "system"]
    user = [m.get("content", "") for m in records if isinstance(m, dict) and m.get("role") == "user"]
    if not user:
        return None
    return rules.Prompt(system="\n\n".join(system), user="\n\n".join(user))


def first_generated(session: Session, draft_ids: list[int]) -> dict[int, Revision]:
    """Each draft's first complete generated revision: what the model first wrote (also read by
    studio.prompts to measure a prompt version)."""
    if not draft_ids:
        return {}
    first = (
        select(Revision.draft_id, func.min(Revision.number).label("number"))
        .where(Revision.draft_id.in_(draft_ids), Revision.reason == "generated")
        .group_by(Revision.draft_id)
        .subquery()
    )
    stmt = select(Revision).join(
        first, (first.c.draft_id == Revision.draft_id) & (first.c.number == Revision.number)
    )
    return {r.draft_id: r for r in session.scalars(stmt)}


def _generations(session: Session, draft_ids: list[int]) -> dict[int, list[Generation]]:
    out: dict[int, list[Generation]] = {}
    if not draft_ids:
        return out
    stmt = select(Generation).where(Generation.draft_id.in_(draft_ids)).order_by(Generation.id)
    for g in session.scalars(stmt):
        out.setdefault(g.draft_id, []).append(g)
    return out


def _generation_for(gens: list[Generation], revision: Revision | None) -> Generation | None:
    """The generation that wrote ``revision`` (else the draft's first successful one)."""
    if revision is not None:
        for g in gens:
            if g.revision_id == revision.id:
                return g
    ok = [g for g in gens if g.error is None]
    return ok[0] if ok else None


def _written(draft: Draft, revision: Revision, generation: Generation | None) -> _Written:
    now = _prompt_now(draft)
    recorded = _as_prompt(list(generation.prompt_messages or [])) if generation is not None else None
    return _Written(
        draft_id=draft.id, revision_id=revision.id, revision_number=revision.number, text=revision.body,
        prompt=recorded or now, key=rules.brief_key(now.user) if now is not None else None,
        model=generation.model if generation is not None else None,
        provider=generation.provider if generation is not None else None,
        generation_id=generation.id if generation is not None else None,
    )  # fmt: skip


def _approved_drafts(session: Session, filters: Filters) -> list[_Approved]:
    approved_at = (
        select(AuditEvent.draft_id, func.max(AuditEvent.created_at).label("approved_at"))
        .where(AuditEvent.action == "review.approve")
        .group_by(AuditEvent.draft_id)
        .subquery()
    )
    when = func.coalesce(approved_at.c.approved_at, Draft.updated_at)
    stmt = (
        select(Draft, approved_at.c.approved_at)
        .join(approved_at, approved_at.c.draft_id == Draft.id, isouter=True)
        .where(Draft.status.in_(APPROVED_STATUSES), Draft.current_revision_id.is_not(None))
        .order_by(when.asc(), Draft.id.asc())
    )
    if filters.content_type:
        stmt = stmt.where(Draft.content_type == filters.content_type)
    if filters.voice:
        stmt = stmt.where(voice_condition([filters.voice]))
    if filters.since is not None:
        stmt = stmt.where(when >= _day_start(filters.since))
    if filters.until is not None:
        stmt = stmt.where(when < _day_after(filters.until))
    found = list(session.execute(stmt))
    ids = [d.id for d, _ in found]
    firsts = first_generated(session, ids)
    gens = _generations(session, ids)
    counts = dict(
        session.execute(
            select(Revision.draft_id, func.count()).where(Revision.draft_id.in_(ids)).group_by(Revision.draft_id)
        ).all()
    ) if ids else {}  # fmt: skip
    version_ids = {d.prompt_version_id for d, _ in found if d.prompt_version_id is not None}
    numbers = dict(session.execute(
        select(PromptVersion.id, PromptVersion.number).where(PromptVersion.id.in_(version_ids))
    ).all()) if version_ids else {}  # fmt: skip
    out = []
    for draft, at in found:
        revision = draft.current_revision
        assert revision is not None
        first_rev = firsts.get(draft.id)
        generation = _generation_for(gens.get(draft.id, []), first_rev)
        approved = _written(draft, revision, generation)
        first = _written(draft, first_rev, generation) if first_rev is not None else None
        out.append(_Approved(approved, first, at, draft.content_type, int(counts.get(draft.id, 0)),
                             numbers.get(draft.prompt_version_id)))
    return out


def _rejected_by_brief(session: Session, filters: Filters) -> dict[str, list[_Written]]:
    stmt = select(Draft).where(Draft.status == REJECTED_STATUS, Draft.current_revision_id.is_not(None))
    if filters.content_type:
        stmt = stmt.where(Draft.content_type == filters.content_type)
    if filters.voice:
        stmt = stmt.where(voice_condition([filters.voice]))
    drafts = list(session.scalars(stmt.order_by(Draft.id)))
    ids = [d.id for d in drafts]
    gens = _generations(session, ids)
    firsts = first_generated(session, ids)
    out: dict[str, list[_Written]] = {}
    for draft in drafts:
        revision = draft.current_revision
        assert revision is not None
        written = _written(draft, revision, _generation_for(gens.get(draft.id, []), firsts.get(draft.id)))
        if written.key is not None:
            out.setdefault(written.key, []).append(written)
    return out


def _provenance(kind: str, item: _Approved, side: _Written | None, size: rules.EditSize | None) -> dict[str, Any]:
    a = item.approved
    source = side or item.first or a  # the model-written side (a supervised pair: the draft's own)
    row: dict[str, Any] = {
        "source": kind,
        "draft_id": a.draft_id,
        "content_type": item.content_type,
        "approved_at": item.approved_at.isoformat() if item.approved_at else None,
        "approved_revision": {"id": a.revision_id, "number": a.revision_number},
        "revisions": item.revisions,
        "model": source.model,
        "provider": source.provider,
        "generation_id": source.generation_id,
        # The version of the content type's prompt (studio.prompts); null for a draft written
        # before versions were recorded. The hash tells apart the system prompts actually sent.
        "prompt_version": item.prompt_version,
        "prompt_sha256": hashlib.sha256(a.prompt.system.encode("utf-8")).hexdigest() if a.prompt else None,
    }
    if item.first is not None:
        row["first_generated_revision"] = {"id": item.first.revision_id, "number": item.first.revision_number}
    if side is not None:
        if kind == rules.REJECTED_DRAFT:
            row["rejected_draft_id"] = side.draft_id
        row["rejected_revision"] = {"id": side.revision_id, "number": side.revision_number}
    if size is not None:
        row.update(size.as_dict())
    return row


def _pairs(
    session: Session, fmt: str, filters: Filters, min_edit: rules.MinEdit
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], int]:
    approved = _approved_drafts(session, filters)
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if fmt == rules.SFT:
        if filters.model:
            approved = [i for i in approved if (i.first or i.approved).model == filters.model]
        for item in approved:
            if item.approved.prompt is None or not item.approved.text.strip():
                continue
            size = rules.edit_size(item.first.text, item.approved.text) if item.first else None
            out.append((rules.sft_row(item.approved.prompt, item.approved.text),
                        _provenance(rules.APPROVED, item, None, size)))  # fmt: skip
        return out, len(approved)
    rejected = _rejected_by_brief(session, filters)
    for item in approved:
        a = item.approved
        if a.prompt is None or not a.text.strip():
            continue
        sides: list[tuple[str, _Written]] = []
        if item.first is not None and item.first.revision_id != a.revision_id:
            sides.append((rules.EDITED, item.first))
        sides += [(rules.REJECTED_DRAFT, r) for r in rejected.get(a.key or "", []) if r.draft_id != a.draft_id]
        for kind, side in sides:
            if filters.model and side.model != filters.model:
                continue
            size = rules.edit_size(side.text, a.text)
            if not min_edit.met_by(size) or not side.text.strip():
                continue
            out.append((rules.dpo_row(a.prompt, a.text, side.text), _provenance(kind, item, side, size)))
    return out, len(approved)


def export_feedback(
    session: Session,
    actor: Any,
    fmt: str,
    *,
    filters: Filters = Filters(),
    min_edit: rules.MinEdit | None = None,
    redact_pii: bool = False,
    destination: str = "",
) -> FeedbackExport:
    """The training data for ``fmt`` (``sft`` or ``dpo``), recorded in the audit trail.

    Admins only. Raises FeedbackError, saying why, when nothing qualifies (nothing is recorded
    then). The caller writes the files before its transaction commits.
    """
    actor = authorize(session, actor, PERMISSION)
    if fmt not in rules.FORMATS:
        raise FeedbackError(f"Unknown format {fmt!r}; choose {' or '.join(rules.FORMATS)}.")
    min_edit = min_edit or rules.MinEdit.parse(rules.DEFAULT_MIN_EDIT)
    pairs, considered = _pairs(session, fmt, filters, min_edit)
    if not pairs:
        raise FeedbackError(_nothing_message(fmt, filters, min_edit, considered))
    result = FeedbackExport(fmt, [], [], considered=considered)
    for line, (row, prov) in enumerate(pairs, start=1):
        if redact_pii:
            row, counts = rules.redact_row(row)
            _add(result.redacted, counts)
            prov["redacted"] = counts
        else:
            _add(result.unredacted, rules.row_pii(row))
        result.rows.append(row)
        result.provenance.append({"line": line, **prov})
    event = record(
        session, actor, AUDIT_ACTION,
        data={
            "format": fmt, "rows": len(result.rows), "filters": filters.as_dict(),
            "min_edit": min_edit.describe(), "redact_pii": redact_pii, "redacted": result.redacted,
            "personal_data_left": result.unredacted, "sha256": result.file.sha256,
            "drafts": sorted({p["draft_id"] for p in result.provenance}), "destination": destination,
        },
    )  # fmt: skip
    result.audit_event_id = event.id
    return result


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for kind, n in counts.items():
        totals[kind] = totals.get(kind, 0) + n


def _nothing_message(fmt: str, filters: Filters, min_edit: rules.MinEdit, considered: int) -> str:
    if considered == 0:
        return f"Nothing to export: no approved drafts{filters.describe(model=fmt == rules.SFT)}. No file was written."
    if fmt == rules.SFT:
        return (
            f"Nothing to export: none of the {considered} approved draft(s){filters.describe()} has text "
            "and a brief to pair. No file was written."
        )
    by = f" by {filters.model}" if filters.model else ""
    return (
        f"Nothing to export: none of the {considered} approved draft(s){filters.describe(model=False)} makes "
        f"a preference pair: no text the model{by} wrote was changed by editors by at least "
        f"{min_edit.describe()}, and no rejected draft of the same brief differs from an approved one "
        "by that much. Lower --min-edit-distance, or export --format sft. No file was written."
    )
