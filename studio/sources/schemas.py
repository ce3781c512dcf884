"""What pages and the CLI read about knowledge sources: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SourceRow:
    id: int
    title: str
    kind: str  # upload | paste | url
    url: str | None
    filename: str | None
    chars: int
    chunks: int
    language: str
    added_by: str
    created_at: datetime

    @property
    def kind_label(self) -> str:
        return {"upload": "Uploaded file", "paste": "Pasted text", "url": "Web page"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class SourceDetail(SourceRow):
    text: str = ""
    passages: list[str] = field(default_factory=list)
    note: str = ""  # e.g. "Semantic search is off for now: …"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "url": self.url, "filename": self.filename,
            "chars": self.chars, "chunks": len(self.passages), "language": self.language, "note": self.note,
        }  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """A passage handed to the writer, under the id it cites: ``label`` "S2"."""

    label: str
    text: str
    source_id: int | None
    chunk_id: int | None
    title: str
    url: str | None = None
    score: float | None = None
    how: str = "bm25"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.label, "source_id": self.source_id, "title": self.title, "url": self.url,
                "text": self.text, "score": self.score, "how": self.how}  # fmt: skip
