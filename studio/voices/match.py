"""The voice-match score: how close a text's measured profile is to a voice's (pure, deterministic).

Each feature gets a score from 0 (far off) to 1 (like the voice) and a sentence that says why
("Sentences 24 words on average; the voice 14 ± 5."). The overall score is the weighted mean of
the features both profiles have; a feature one side cannot measure (no headings, no lists, a
language without a reading-ease formula) is left out and says so. Same text, same voice: same
score, every time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from studio.voices.profile import (
    DEFAULT_GO_TO_HELD_OUT,
    DEFAULT_HABITS_SPREAD,
    go_to_rate,
    habits_distance,
    measure,
)

# (feature, weight); the order is the order shown.
WEIGHTS: dict[str, float] = {
    "sentence_length": 2.0,
    "sentence_spread": 1.0,
    "reading_ease": 1.5,
    "contractions": 1.0,
    "person": 1.5,
    "questions": 0.5,
    "go_to_words": 1.0,
    "word_habits": 2.0,
    "spelling": 0.5,
    "oxford_comma": 0.5,
    "headline_case": 0.5,
}
LABELS = {
    "sentence_length": "Sentence length",
    "sentence_spread": "Sentence variety",
    "reading_ease": "Reading ease",
    "contractions": "Contractions",
    "person": "Person (I / we / you / they)",
    "questions": "Questions",
    "go_to_words": "Go-to words",
    "word_habits": "Everyday-word habits",
    "spelling": "Spelling variant",
    "oxford_comma": "Oxford comma",
    "headline_case": "Headline case",
}


@dataclass(frozen=True)
class FeatureMatch:
    name: str
    label: str
    score: float | None  # None: not measurable here (left out of the total)
    explanation: str
    weight: float


@dataclass(frozen=True)
class VoiceMatch:
    score: float  # 0–1
    features: list[FeatureMatch]

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "features": [asdict(f) for f in self.features]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VoiceMatch:
        return cls(float(data["score"]), [FeatureMatch(**f) for f in data.get("features") or []])

    @property
    def summary(self) -> str:
        weakest = sorted((f for f in self.features if f.score is not None), key=lambda f: f.score)[:2]
        far = [f.label.lower() for f in weakest if f.score is not None and f.score < 0.6]
        tail = f"; furthest off: {', '.join(far)}" if far else ""
        return f"Voice match {round(self.score * 100)}%{tail}."


def _clip(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 3)


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _sentence_length(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    tm, vm, vs = t.get("sentence_length_mean"), v.get("sentence_length_mean"), v.get("sentence_length_sd")
    unit = v.get("unit", "words")
    if tm is None or vm is None:
        return None, "Not enough sentences to compare."
    spread = max(vs or 0.0, 0.25 * vm, 3.0)
    z = abs(tm - vm) / spread
    return _clip(1 - z / 2), f"Sentences {tm:.0f} {unit} on average; the voice {vm:.0f} ± {vs or 0:.0f}."


def _sentence_spread(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    ts, vs = t.get("sentence_length_sd"), v.get("sentence_length_sd")
    if ts is None or vs is None or vs <= 0:
        return None, "Not enough sentences to compare."
    ratio = max(ts, 0.5) / max(vs, 0.5)
    return _clip(1 - abs(math.log(ratio)) / math.log(3)), f"Sentence lengths vary by ± {ts:.0f}; the voice ± {vs:.0f}."


def _reading_ease(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    tr, vr = t.get("reading_ease"), v.get("reading_ease")
    if tr is None or vr is None:
        return None, "No reading-ease formula for this language."
    return _clip(1 - abs(tr - vr) / 30), f"Reading ease {tr:.0f}; the voice {vr:.0f} (higher is easier)."


def _contractions(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    tc, vc = t.get("contractions_share"), v.get("contractions_share")
    if vc is None:
        return None, "The samples give no measure of contractions."
    if tc is None or (t.get("contraction_spots") or 0) < 3:
        return None, "Too few places for a contraction in this text."
    return _clip(1 - abs(tc - vc) / 0.6), f"Contracted {_pct(tc)} of the time (“we're”, “don't”); the voice {_pct(vc)}."


def _person(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    tp, vp = t.get("person"), v.get("person")
    if not tp or not vp:
        return None, "No pronoun table for this language."
    keys = [k for k in ("i", "we", "you", "they") if k in tp and k in vp]
    diff = sum(abs(tp[k] - vp[k]) for k in keys)
    size = max(sum(tp[k] for k in keys), sum(vp[k] for k in keys), 1.0)
    names = {"i": "“I”", "we": "“we”", "you": "“you”", "they": "“they”"}
    top = sorted(keys, key=lambda k: -abs(tp[k] - vp[k]))[:2]
    said = "; ".join(f"{names[k]} {tp[k]:.1f} per 100 words, the voice {vp[k]:.1f}" for k in top)
    return _clip(1 - 0.75 * diff / size), said[:1].upper() + said[1:] + "."


def _questions(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    tq, vq = t.get("question_rate"), v.get("question_rate")
    if tq is None or vq is None:
        return None, "Not enough sentences to compare."
    return _clip(1 - abs(tq - vq) / 0.2), f"{_pct(tq)} of sentences are questions; the voice {_pct(vq)}."


def _habits(t: Mapping, v: Mapping) -> tuple[float | None, str]:
    th, vh = t.get("habits"), v.get("habits")
    if not th or not vh or (t.get("words") or 0) < 80:
        return None, "Needs an English text of 80 words or more."
    # The distance, against how far the voice's own samples are from each other (leave one out).
    dist = habits_distance(th, vh)
    spread = v.get("habits_spread") or DEFAULT_HABITS_SPREAD
    z = (dist - spread["mean"]) / max(spread["sd"], 0.05)
    eps = 0.15
    far = sorted((w for w in vh if w in th), key=lambda w: -abs(math.log((th[w] + eps) / (vh[w] + eps))))[:3]
    said = ", ".join(f"“{w}” {th[w]:.1f} vs {vh[w]:.1f}" for w in far)
    return _clip(1 - max(0.0, z) / 2.5), (
        f"Everyday-word habits {dist:.2f} from the voice (its samples {spread['mean']:.2f} ± {spread['sd']:.2f} "
        f"from each other); most different, per 100 words: {said}."
    )


def _spelling(t: Mapping, v: Mapping, rules: Mapping) -> tuple[float | None, str]:
    wanted = rules.get("spelling")
    sp = t.get("spelling") or {}
    us, uk = sp.get("us", 0), sp.get("uk", 0)
    if wanted not in ("us", "uk") or us + uk == 0:
        return None, "No words that differ between US and UK spelling." if wanted else "The voice sets no spelling variant."
    right = us if wanted == "us" else uk
    return _clip(right / (us + uk)), f"{right} of {us + uk} variant spellings are {wanted.upper()}, as the voice wants."


def _oxford(t: Mapping, v: Mapping, rules: Mapping) -> tuple[float | None, str]:
    wanted = rules.get("oxford_comma")
    ox = t.get("oxford_comma") or {}
    w, wo = ox.get("with", 0), ox.get("without", 0)
    if wanted is None or w + wo == 0:
        return None, "No lists of three to judge." if wanted is not None else "The voice sets no Oxford-comma rule."
    right = w if wanted else wo
    return _clip(right / (w + wo)), f"{right} of {w + wo} lists {'use' if wanted else 'leave out'} the Oxford comma, as the voice does."


def _headline(t: Mapping, v: Mapping, rules: Mapping) -> tuple[float | None, str]:
    wanted = rules.get("headline_case")
    got = t.get("headline_case")
    if wanted not in ("title", "sentence") or got is None:
        return None, "Too few headings to judge." if wanted else "The voice sets no headline case."
    ok = got == wanted
    return (1.0 if ok else 0.0), f"Headings are in {got} case; the voice uses {wanted} case."


def _go_to(text: str, v: Mapping) -> tuple[float | None, str]:
    words = [w["word"] for w in v.get("go_to_words") or []]
    expected = v.get("go_to_rate") or 0
    if not words or expected <= 0:
        return None, "The samples have no go-to words to look for."
    rate, used = go_to_rate(text, words)
    example = f" ({', '.join(f'“{w}”' for w in used[:4])})" if used else ""
    # An unseen text of the voice reaches about go_to_held_out of the samples' own rate.
    return _clip(rate / (expected * (v.get("go_to_held_out") or DEFAULT_GO_TO_HELD_OUT))), (f"Uses the voice's go-to words {rate:.1f} times per 100 words{example}; "
                                    f"the samples {expected:.1f}.")  # fmt: skip


def match(text: str, voice_profile: Mapping[str, Any], rules: Mapping[str, Any] | None = None,
          language: str | None = None) -> VoiceMatch:  # fmt: skip
    """Score ``text`` (Markdown) against a voice (see the module docstring)."""
    rules = rules or {}
    t = measure(text, language or voice_profile.get("language") or "en")
    v = voice_profile
    parts = {
        "sentence_length": _sentence_length(t, v),
        "sentence_spread": _sentence_spread(t, v),
        "reading_ease": _reading_ease(t, v),
        "contractions": _contractions(t, v),
        "person": _person(t, v),
        "questions": _questions(t, v),
        "go_to_words": _go_to(text, v),
        "word_habits": _habits(t, v),
        "spelling": _spelling(t, v, rules),
        "oxford_comma": _oxford(t, v, rules),
        "headline_case": _headline(t, v, rules),
    }
    features = [FeatureMatch(name, LABELS[name], score, why, WEIGHTS[name]) for name, (score, why) in parts.items()]
    counted = [f for f in features if f.score is not None]
    total = sum(f.weight for f in counted)
    score = round(sum(f.score * f.weight for f in counted) / total, 3) if total else 0.0
    return VoiceMatch(score, features)
