"""Output-language detection on short drafts: accuracy of the detector the checks use.

    python -m bench.bench_language

``bench/data/short_drafts.yaml`` has eight two- or three-sentence marketing drafts in each of
the eleven languages (88 texts, 15–45 words, brand names left in English as localised copy
keeps them). Each is detected whole and by its first sentence only (a headline-sized text), in
lingua's ``low`` and ``high`` accuracy modes (``STUDIO_LANGUAGE_DETECTION``), and every text is
also checked against a brief in another language, which must give a mismatch finding. Printed:
accuracy per mode and length, the languages confused, mismatch findings raised, load time and
time per text.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import yaml

from studio.languages.catalog import same_language
from studio.languages.checks import language_findings
from studio.languages.detect import detect, detector

DATA = Path(__file__).with_name("data") / "short_drafts.yaml"


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?。！？])\s*", text.strip())[0]


def run_mode(cases: list[tuple[str, str]], mode: str) -> dict[str, object]:
    started = time.perf_counter()
    detector(mode)
    detect("Warm-up sentence for the detector.", mode=mode)
    load = time.perf_counter() - started
    out: dict[str, object] = {"load_s": load}
    for length, pick in (("whole", lambda t: t), ("first sentence", first_sentence)):
        right = 0
        unknown = 0
        confused: Counter[tuple[str, str]] = Counter()
        t0 = time.perf_counter()
        for lang, text in cases:
            got = detect(pick(text), mode=mode)
            if not got.known:
                unknown += 1
            elif same_language(got.code, lang):
                right += 1
            else:
                confused[(lang, got.code)] += 1
        per = (time.perf_counter() - t0) / len(cases)
        out[length] = (right / len(cases), unknown, confused, per)
    # Each text against a brief that asked for the next language in the list: a mismatch finding?
    langs = sorted({lang for lang, _ in cases})
    raised = sum(
        1 for lang, text in cases
        if language_findings(text, langs[(langs.index(lang) + 1) % len(langs)], mode=mode)
    )  # fmt: skip
    false_alarms = sum(1 for lang, text in cases if language_findings(text, lang, mode=mode))
    out["mismatch_raised"] = raised / len(cases)
    out["false_alarms"] = false_alarms
    return out


def main() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    cases = [(lang, text) for lang, texts in data.items() for text in texts]
    words = [len(t.split()) for _, t in cases]
    print(f"Language detection on {len(cases)} short drafts in {len(data)} languages "
          f"({DATA.name}; lingua, detector limited to the studio's languages and their neighbours)")  # fmt: skip
    for mode in ("low", "high"):
        r = run_mode(cases, mode)
        print(f"  mode {mode}: models loaded in {r['load_s']:.2f} s")
        for length in ("whole", "first sentence"):
            acc, unknown, confused, per = r[length]  # type: ignore[misc]
            mix = ", ".join(f"{a}→{b} ×{n}" for (a, b), n in confused.most_common(6)) or "none"
            print(f"    {length:<15} accuracy {acc:.3f}  too short to tell {unknown}  confused: {mix}  "
                  f"({per * 1000:.2f} ms per text)")  # fmt: skip
        print(f"    a brief in another language raises the mismatch finding for {r['mismatch_raised']:.3f} of texts; "
              f"false alarms on the right language: {r['false_alarms']}")  # fmt: skip
    print(f"  (whole texts: {min(words)}–{max(words)} whitespace-separated words; Chinese and Japanese count as one)")


if __name__ == "__main__":
    main()
