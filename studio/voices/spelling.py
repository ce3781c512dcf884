"""US and UK spellings of the same words, for the voice's spelling rule (pure data).

Only pairs where each form belongs to one variant: "program" (UK for software too) and "meter"
(a device everywhere) are left out, so a finding is never about a word that is right in both.
"""

from __future__ import annotations

import re
from functools import lru_cache

# -ize verbs (UK -ise), with their -ization nouns.
_IZE_STEMS = (
    "organ", "real", "recogn", "optim", "priorit", "custom", "personal", "apolog", "emphas", "minim",
    "maxim", "summar", "util", "final", "standard", "special", "categor", "familiar", "memor", "author",
    "critic", "modern", "visual", "normal", "central", "capital", "monet", "digit", "mobil", "stabil",
    "harmon", "symbol", "energ", "general", "character", "legal", "human", "industrial", "commercial",
    "popular", "revolution", "synchron", "theor", "ideal", "global", "local", "public", "sympath",
    "agon", "jeopard", "mesmer", "patron", "scrutin", "sensit", "subsid", "tantal", "terror", "colon",
)  # fmt: skip
_IZE_ENDINGS = (("ize", "ise"), ("izes", "ises"), ("ized", "ised"), ("izing", "ising"), ("izer", "iser"),
                ("izers", "isers"), ("ization", "isation"), ("izations", "isations"))  # fmt: skip
_OUR_STEMS = ("colo", "favo", "hono", "labo", "neighbo", "behavio", "harbo", "humo", "rumo", "savo", "flavo",
              "endeavo", "vigo", "armo", "odo", "parlo", "splendo", "valo", "clamo", "rigo")  # fmt: skip
_OUR_ENDINGS = (("r", "ur"), ("rs", "urs"), ("red", "ured"), ("ring", "uring"), ("rful", "urful"),
                ("rable", "urable"), ("rite", "urite"), ("rites", "urites"), ("rhood", "urhood"))  # fmt: skip
_PAIRS = (
    ("center", "centre"), ("centers", "centres"), ("centered", "centred"), ("theater", "theatre"),
    ("theaters", "theatres"), ("liter", "litre"), ("liters", "litres"), ("fiber", "fibre"), ("fibers", "fibres"),
    ("caliber", "calibre"), ("somber", "sombre"), ("luster", "lustre"), ("specter", "spectre"),
    ("traveled", "travelled"), ("traveling", "travelling"), ("traveler", "traveller"), ("travelers", "travellers"),
    ("canceled", "cancelled"), ("canceling", "cancelling"), ("modeled", "modelled"), ("modeling", "modelling"),
    ("labeled", "labelled"), ("labeling", "labelling"), ("fueled", "fuelled"), ("fueling", "fuelling"),
    ("signaled", "signalled"), ("signaling", "signalling"), ("counselor", "counsellor"),
    ("counselors", "counsellors"), ("jewelry", "jewellery"), ("marvelous", "marvellous"), ("gray", "grey"),
    ("aging", "ageing"), ("defense", "defence"), ("offense", "offence"), ("catalog", "catalogue"),
    ("catalogs", "catalogues"), ("analog", "analogue"), ("enrollment", "enrolment"), ("fulfill", "fulfil"),
    ("fulfillment", "fulfilment"), ("skillful", "skilful"), ("willful", "wilful"), ("mold", "mould"),
    ("plow", "plough"), ("airplane", "aeroplane"), ("aluminum", "aluminium"), ("analyze", "analyse"),
    ("analyzed", "analysed"), ("analyzing", "analysing"), ("paralyze", "paralyse"), ("cozy", "cosy"),
    ("pajamas", "pyjamas"), ("mustache", "moustache"),
    ("practicing", "practising"), ("practiced", "practised"), ("judgment", "judgement"),
    ("acknowledgment", "acknowledgement"),
)  # fmt: skip


@lru_cache(maxsize=1)
def us_to_uk() -> dict[str, str]:
    out: dict[str, str] = {}
    for stem in _IZE_STEMS:
        for us, uk in _IZE_ENDINGS:
            out[stem + us] = stem + uk
    for stem in _OUR_STEMS:
        for us, uk in _OUR_ENDINGS:
            out[stem + us] = stem + uk
    out.update(dict(_PAIRS))
    return out


@lru_cache(maxsize=1)
def uk_to_us() -> dict[str, str]:
    return {uk: us for us, uk in us_to_uk().items()}


def variant_counts(text: str) -> tuple[int, int]:
    """(US-only words, UK-only words) in ``text``."""
    us_forms, uk_forms = us_to_uk(), uk_to_us()
    us = uk = 0
    for m in re.finditer(r"[A-Za-z]+", text):
        w = m.group(0).lower()
        if w in us_forms:
            us += 1
        elif w in uk_forms:
            uk += 1
    return us, uk


def other_variant(word: str, wanted: str) -> str | None:
    """The ``wanted`` variant's spelling of ``word`` when ``word`` is the other variant's."""
    w = word.lower()
    table = uk_to_us() if wanted == "us" else us_to_uk()
    hit = table.get(w)
    if hit is None:
        return None
    if word[:1].isupper():
        hit = hit[:1].upper() + hit[1:]
    return hit
