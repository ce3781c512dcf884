"""Voice match on held-apart texts of two authors: does a voice built from one author's samples
score that author's other texts above the other author's?

    python -m bench.bench_voice

``bench/data/authors/`` (see its README: Project Gutenberg texts, public domain in the US) has,
per author, 8 samples that make the voice (``voice/``: Jane Austen's *Sense and Sensibility*;
G. K. Chesterton's *The Wisdom of Father Brown*) and 20 held-apart passages from two *other*
books each (``heldout/``: *Emma* and *Persuasion*; *The Man Who Was Thursday* and *The Ball and
the Cross*), 280–420 words each. A voice is made from each author's samples exactly as the
studio makes one (``voice_profile``), and every held-apart text is scored (``match``).

Printed per voice: mean score of the author's own held-apart texts and of the other author's,
their difference (the separation), the AUC (the chance that a random own text outscores a random
other text), how many own texts score above every other text, the features that separate most,
and the time to build a voice and to score a text.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from studio.voices.match import match
from studio.voices.profile import voice_profile

DATA = Path(__file__).with_name("data") / "authors"
AUTHORS = ("austen", "chesterton")


def texts(author: str, part: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((DATA / author / part).glob("*.txt"))]


def main() -> None:
    print("Voice match on held-apart texts of two public-domain authors (bench/data/authors)")
    for own, other in (AUTHORS, AUTHORS[::-1]):
        samples = texts(own, "voice")
        t0 = time.perf_counter()
        profile = voice_profile(samples)
        built = time.perf_counter() - t0
        own_texts, other_texts = texts(own, "heldout"), texts(other, "heldout")
        t0 = time.perf_counter()
        own_m = [match(t, profile) for t in own_texts]
        other_m = [match(t, profile) for t in other_texts]
        per_text = (time.perf_counter() - t0) / (len(own_m) + len(other_m))
        a = [m.score for m in own_m]
        b = [m.score for m in other_m]
        auc = sum((x > y) + 0.5 * (x == y) for x in a for y in b) / (len(a) * len(b))
        above = sum(1 for x in a if x > max(b))
        print(f"  voice from {len(samples)} {own.title()} samples ({profile['words']:,} words):")
        print(f"    own held-apart texts   mean {statistics.mean(a):.3f} (min {min(a):.3f}, max {max(a):.3f}, n={len(a)})")
        print(f"    other author's texts   mean {statistics.mean(b):.3f} (min {min(b):.3f}, max {max(b):.3f}, n={len(b)})")
        print(f"    separation {statistics.mean(a) - statistics.mean(b):+.3f}; AUC {auc:.3f}; "
              f"{above} of {len(a)} own texts above every other text")  # fmt: skip
        gaps = []
        for name in [f.name for f in own_m[0].features]:
            fa = [f.score for m in own_m for f in m.features if f.name == name and f.score is not None]
            fb = [f.score for m in other_m for f in m.features if f.name == name and f.score is not None]
            if fa and fb:
                gaps.append((statistics.mean(fa) - statistics.mean(fb), name, statistics.mean(fa), statistics.mean(fb)))
        gaps.sort(reverse=True)
        print("    per feature (own vs other, mean score): "
              + "; ".join(f"{n} {x:.2f}/{y:.2f}" for _, n, x, y in gaps))  # fmt: skip
        print(f"    building the voice {built * 1000:.0f} ms; scoring a text {per_text * 1000:.1f} ms")


if __name__ == "__main__":
    main()
