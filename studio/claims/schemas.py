"""What pages and the CLI read about the claim ledger: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.claims.extract import KIND_LABELS
from studio.claims.support import SUPPORT_LABELS


@dataclass(frozen=True)
class ClaimView:
    id: int
    text: str
    start: int
    end: int
    kind: str
    kinds: list[str]
    support: str  # supported | partly | unsupported
    label: str | None  # the passage id that supports it ("S2")
    source_id: int | None
    source_title: str
    passage: str
    method: str  # rules | model
    note: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def support_label(self) -> str:
        return SUPPORT_LABELS.get(self.support, self.support)

    @property
    def needs_acknowledgement(self) -> bool:
        return self.support != "supported"

    def as_dict(self) -> dict[str, Any]:
        """The CLI contract: text, start, end, kind, supported, source_id, passage (+ more)."""
        return {
            "id": self.id, "text": self.text, "start": self.start, "end": self.end, "kind": self.kind,
            "kinds": self.kinds, "supported": self.support == "supported", "support": self.support,
            "source_id": self.source_id, "passage": self.passage or None, "passage_id": self.label,
            "method": self.method, "note": self.note,
        }  # fmt: skip
