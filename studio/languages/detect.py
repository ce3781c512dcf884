"""Which language a text is written in, by a real detector: lingua (`lingua-language-detector`,
pinned; its models ship inside the wheel, so it works offline).

The detector knows the studio's languages plus the ones most often confused with them (Danish
and Norwegian next to Swedish, Catalan next to Spanish, Russian and Ukrainian, …), so a draft in
a language the brief did not ask for is named as what it is rather than forced into the nearest
supported one. Markdown syntax, links, citation marks and ``[NEEDS SOURCE]`` are removed first:
they are not language.

``STUDIO_LANGUAGE_DETECTION`` picks lingua's mode: ``low`` (trigram models only: ~40 MB, loads in
well under a second) or ``high`` (all n-gram models: more accurate on very short texts, ~300 MB
and several seconds to load). ``bench/bench_language.py`` measures both on short drafts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from studio.languages.catalog import LANGUAGE_TABLE, language_name

# lingua members beyond the studio's own languages (see the module docstring).
_NEIGHBOURS = (
    "RUSSIAN", "UKRAINIAN", "TURKISH", "DANISH", "BOKMAL", "CATALAN", "CZECH", "ROMANIAN",
    "HUNGARIAN", "FINNISH", "ARABIC", "HINDI", "INDONESIAN", "VIETNAMESE", "AFRIKAANS",
)  # fmt: skip
# Fewer letters than this and no detector can say much.
MIN_LETTERS = 12
# A paragraph is judged on its own when it has at least this many letters.
PARAGRAPH_LETTERS = 60

_CODE_BLOCK = re.compile(r"```.*?```", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MARKS = re.compile(r"\[(?:S\d+|NEEDS SOURCE)\]|\[\^?\d+\]")
_SYNTAX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)|[*_~]{1,3}|^\s*(?:-{3,}|\*{3,})\s*$", re.M)


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, without its syntax, links, code and citation marks."""
    text = _CODE_BLOCK.sub(" ", markdown or "")
    text = _INLINE_CODE.sub(" ", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MARKS.sub(" ", text)
    return _SYNTAX.sub("", text)


def letters(text: str) -> int:
    return sum(map(str.isalpha, text))


@dataclass(frozen=True)
class Detection:
    """What the detector made of a text: the most likely language and how sure it is."""

    code: str  # ISO 639-1 ("de"), or "" when the text is too short to tell
    confidence: float  # 0–1, lingua's relative confidence of the top language
    runner_up: str = ""
    runner_up_confidence: float = 0.0

    @property
    def known(self) -> bool:
        return bool(self.code)

    @property
    def name(self) -> str:
        return language_name(self.code) if self.code else "unknown"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "confidence": round(self.confidence, 3),
                "runner_up": self.runner_up, "runner_up_confidence": round(self.runner_up_confidence, 3)}


UNKNOWN = Detection("", 0.0)

_detectors: dict[str, Any] = {}
_lock = threading.Lock()


def detector(mode: str = "low") -> Any:
    """The lingua detector for ``mode`` (``low`` or ``high``), built once per process."""
    with _lock:
        hit = _detectors.get(mode)
        if hit is None:
            from lingua import Language, LanguageDetectorBuilder

            members = {lang.detector for lang in LANGUAGE_TABLE} | set(_NEIGHBOURS)
            builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, m) for m in sorted(members)))
            if mode == "low":
                builder = builder.with_low_accuracy_mode()
            hit = builder.build()
            _detectors[mode] = hit
        return hit


def detect(text: str, *, mode: str = "low", plain: bool = False) -> Detection:
    """The language of ``text`` (Markdown unless ``plain``), or UNKNOWN when it is too short."""
    return _detect_words(text if plain else plain_text(text), mode)


# A draft is checked again whenever its fields or a few of its paragraphs change; the detector
# then reads only what is new. Bounded: the keys are whole texts.
@lru_cache(maxsize=512)
def _detect_words(words: str, mode: str) -> Detection:
    if letters(words) < MIN_LETTERS:
        return UNKNOWN
    values = detector(mode).compute_language_confidence_values(words)
    if not values:
        return UNKNOWN
    top = values[0]
    second = values[1] if len(values) > 1 else None
    return Detection(
        code=_code(top.language),
        confidence=float(top.value),
        runner_up=_code(second.language) if second else "",
        runner_up_confidence=float(second.value) if second else 0.0,
    )


def _code(language: Any) -> str:
    return language.iso_code_639_1.name.lower()


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    detection: Detection


def paragraphs(markdown: str, *, mode: str = "low") -> list[Paragraph]:
    """Each paragraph long enough to judge on its own, with its offsets in ``markdown``."""
    out: list[Paragraph] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", markdown or ""):
        block = m.group(0)
        words = plain_text(block)
        if letters(words) < PARAGRAPH_LETTERS:
            continue
        out.append(Paragraph(m.start(), m.end(), detect(words, mode=mode, plain=True)))
    return out
