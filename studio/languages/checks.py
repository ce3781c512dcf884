"""The output-language check: is the text in the language the brief asked for?

The whole text is judged by the detector (``detect``), and so is every paragraph long enough to
judge on its own, so an untranslated paragraph in a localised draft is marked where it is. A
mismatch is a ``language`` finding (warn) that names both languages and the detector's
confidence; a text too short to tell gets none.
"""

from __future__ import annotations

from studio.checks.report import Finding
from studio.languages.catalog import language_name, same_language
from studio.languages.detect import detect, paragraphs

# Below this confidence the detector is not sure enough to call a mismatch.
MIN_CONFIDENCE = 0.6


def language_findings(text: str, expected: str, *, mode: str = "low") -> list[Finding]:
    whole = detect(text, mode=mode)
    out: list[Finding] = []
    if whole.known and not same_language(whole.code, expected) and whole.confidence >= MIN_CONFIDENCE:
        out.append(Finding(
            "language", "wrong language", 0, 0, "", "warn", rule="language.mismatch",
            note=(f"The text reads as {whole.name} (detector confidence {whole.confidence:.2f}); the brief asked for "
                  f"{language_name(expected)}."),
        ))  # fmt: skip
        return out
    for p in paragraphs(text, mode=mode):
        d = p.detection
        if d.known and not same_language(d.code, expected) and d.confidence >= 0.9:
            out.append(Finding(
                "language", "paragraph in another language", p.start, p.end, text[p.start : p.end], "warn",
                rule="language.paragraph",
                note=f"This paragraph reads as {d.name} ({d.confidence:.2f}), not {language_name(expected)}.",
            ))  # fmt: skip
    return out


def language_check(expected: str, settings):  # type: ignore[no-untyped-def]
    """The check as a rule backend of the pipeline: ``(name, fn(text) -> findings)``."""
    mode = getattr(settings, "studio_language_detection", "low")
    return ("output-language", lambda text: language_findings(text, expected, mode=mode))
