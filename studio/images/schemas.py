"""What the images service returns: plain dataclasses for the CLI and pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ImageSlotView:
    slot: str  # hero | section-N
    label: str  # "Hero image", "Section 2: Pricing"
    heading: str
    prompt: str
    alt_text: str
    source: str  # model | demo | person | "" (nothing stored yet)
    chosen_file: str
    chosen_url: str  # the address the export writes
    score: float | None
    in_text: bool = True  # False: the section's heading is no longer in the text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ranked:
    files: list[tuple[str, float]] = field(default_factory=list)  # best first
    skipped: list[str] = field(default_factory=list)  # one sentence per unreadable file

    def to_list(self) -> list[dict[str, Any]]:
        return [{"file": f, "score": s} for f, s in self.files]
