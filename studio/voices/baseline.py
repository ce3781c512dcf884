"""General English, to tell a voice's go-to words from words everyone uses.

``data/english_baseline.tsv`` lists the 30,000 most frequent English words with their Zipf
frequency (log10 of occurrences per billion words), taken from ``wordfreq`` 3.1.1 (Robyn Speer;
code Apache-2.0, word lists CC BY-SA 4.0, built from Wikipedia, subtitles, news, books, web text
and social media). The file is that list as it is, so it is shared under CC BY-SA 4.0 too; how it
was made is in ``data/README.md``. A word not in the list is rarer than all of them (Zipf < 3).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

BASELINE_FILE = Path(__file__).with_name("data") / "english_baseline.tsv"
#: Zipf frequency assumed for a word outside the list (the list ends near 3.0).
UNLISTED_ZIPF = 2.5


@lru_cache(maxsize=1)
def english_zipf() -> dict[str, float]:
    table: dict[str, float] = {}
    for line in BASELINE_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        table[word] = float(value)
    return table


def zipf(word: str) -> float:
    return english_zipf().get(word.lower().replace("’", "'"), UNLISTED_ZIPF)


def per_word(word: str) -> float:
    """The word's share of general English text (occurrences per word)."""
    return 10 ** (zipf(word) - 9)


@lru_cache(maxsize=1)
def common_words(n: int = 120) -> tuple[str, ...]:
    """The ``n`` most frequent English words (the list's order)."""
    return tuple(list(english_zipf())[:n])
