"""What pages, prompts and the CLI read about brand voices: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One sample text as given: a file's name (or "Pasted sample 2") and its text."""

    name: str
    text: str


@dataclass(frozen=True)
class VoiceRow:
    id: int
    name: str
    language: str
    is_default: bool
    version: int
    updated_at: datetime
    samples: int


@dataclass(frozen=True)
class VoiceDetail:
    id: int
    name: str
    description: str
    language: str
    profile: dict[str, Any]
    rules: dict[str, Any]
    excerpts: list[str]
    is_default: bool
    version: int
    sample_names: list[str] = field(default_factory=list)
    note: str = ""  # how the description was written, or why the model was not used

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "version": self.version, "language": self.language,
            "default": self.is_default, "description": self.description, "profile": self.profile,
            "rules": self.rules, "excerpts": self.excerpts, "samples": self.sample_names, "note": self.note,
        }  # fmt: skip


@dataclass(frozen=True)
class VoiceGuide:
    """What a prompt carries for a voice: never a bare name, always the description, the rules
    and a few short excerpts of the samples."""

    id: int
    name: str
    version: int
    description: str
    rules: list[str]
    excerpts: list[str]
    language: str = "en"
    keep: tuple[str, ...] = ()
    glossary: dict[str, dict[str, str]] = field(default_factory=dict)
