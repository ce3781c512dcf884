"""The measured profile of a text or a set of samples (pure, deterministic).

Features: sentence length (mean and spread, in words; in characters for Chinese and Japanese),
reading ease (Flesch for English and the published adaptations for German, French, Spanish,
Dutch and Portuguese), the share of contractions where a contraction was possible (English),
person (I / we / you / they per 100 words), question rate, go-to words and phrases (English:
distinctive against general English, ``baseline``), everyday-word habits (how often the most
common English words appear: a classic stylometric signal), and what the rules detect: US or UK
spelling, the Oxford comma and headline case. ``voices.match`` compares two profiles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from statistics import mean, pstdev
from typing import Any

from studio.languages.catalog import base_code, get_language
from studio.languages.detect import plain_text
from studio.voices.baseline import common_words, per_word, zipf
from studio.voices.spelling import variant_counts

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_SENT_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-ZÀ-ÖØ-Þ0-9¿¡])|(?<=[。！？])")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)

# Pronouns per language: first person singular, first plural, second, third plural.
PRONOUNS: dict[str, dict[str, frozenset[str]]] = {
    "en": {"i": frozenset("i me my mine myself".split()), "we": frozenset("we us our ours ourselves".split()),
           "you": frozenset("you your yours yourself yourselves".split()),
           "they": frozenset("they them their theirs themselves".split())},
    "de": {"i": frozenset("ich mich mir mein meine meinen meinem meiner".split()),
           "we": frozenset("wir uns unser unsere unseren unserem unserer".split()),
           "you": frozenset("du dich dir dein deine sie ihr ihnen ihre euch euer".split()),
           "they": frozenset()},
    "fr": {"i": frozenset("je j me m moi mon ma mes".split()), "we": frozenset("nous notre nos".split()),
           "you": frozenset("tu te t toi ton ta tes vous votre vos".split()), "they": frozenset("ils elles leur leurs eux".split())},
    "es": {"i": frozenset("yo me mí mi mis".split()), "we": frozenset("nosotros nosotras nos nuestro nuestra nuestros nuestras".split()),
           "you": frozenset("tú te ti tu tus usted ustedes vosotros su sus".split()), "they": frozenset("ellos ellas les".split())},
    "it": {"i": frozenset("io mi me mio mia miei mie".split()), "we": frozenset("noi ci nostro nostra nostri nostre".split()),
           "you": frozenset("tu ti te tuo tua tuoi tue voi vi vostro vostra lei".split()), "they": frozenset("loro".split())},
    "pt": {"i": frozenset("eu me mim meu minha meus minhas".split()), "we": frozenset("nós nos nosso nossa nossos nossas".split()),
           "you": frozenset("você vocês te ti teu tua seu sua".split()), "they": frozenset("eles elas".split())},
    "nl": {"i": frozenset("ik me mij mijn".split()), "we": frozenset("we wij ons onze".split()),
           "you": frozenset("je jij jou jouw u uw jullie".split()), "they": frozenset("zij ze hun hen".split())},
    "pl": {"i": frozenset("ja mnie mi mój moja moje".split()), "we": frozenset("my nas nam nasz nasza nasze".split()),
           "you": frozenset("ty cię ci twój twoja twoje wy was wam pan pani państwo".split()), "they": frozenset("oni one ich im".split())},
    "sv": {"i": frozenset("jag mig min mitt mina".split()), "we": frozenset("vi oss vår vårt våra".split()),
           "you": frozenset("du dig din ditt dina ni er".split()), "they": frozenset("de dem deras".split())},
}  # fmt: skip
# For languages written without spaces: the pronouns as substrings.
PRONOUN_STRINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {"i": ("我",), "we": ("我们", "咱们"), "you": ("你", "您"), "they": ("他们", "她们")},
    "ja": {"i": ("私", "僕"), "we": ("私たち", "我々"), "you": ("あなた", "皆さま", "皆様", "お客様"), "they": ("彼ら",)},
    "ko": {"i": ("나는", "제가", "저는"), "we": ("우리", "저희"), "you": ("당신", "여러분", "고객님"), "they": ("그들",)},
}

_CONTRACTION = re.compile(r"\b\w+(?:n['’]t|['’](?:re|ve|ll|d|m))\b|\b(?:it|that|there|here|what|who|he|she|let|where)['’]s\b", re.I)
_EXPANDED = re.compile(
    r"\b(?:(?:do|does|did|is|are|was|were|have|has|had|would|could|should|must|need)\s+not|will\s+not|can\s*not"
    r"|(?:i)\s+am|(?:you|we|they)\s+(?:are|have|will|would)|(?:i)\s+(?:have|will|would)"
    r"|(?:it|that|there|here|what|who|he|she)\s+is|let\s+us)\b",
    re.I,
)
LIST_PATTERN = re.compile(r"\b[\w'’-]+(?: [\w'’-]+){0,3}, [\w'’-]+(?: [\w'’-]+){0,3}(,?) (?:and|or) \w", re.I)
MINOR_WORDS = frozenset("a an the and but or nor for so yet as at by in of on to up via with from into onto over per "
                   "than vs is are be".split())  # fmt: skip

#: The everyday words whose rates make the "word habits" feature (English).
HABIT_WORDS = 60


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def split_sentences(text: str) -> list[str]:
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        block = " ".join(block.split())
        if block:
            out.extend(s.strip() for s in _SENT_END.split(block) if s and s.strip())
    return out


def _body_and_headings(markdown: str) -> tuple[str, list[str]]:
    headings = [h.strip() for h in HEADING.findall(markdown or "")]
    body = HEADING.sub("", markdown or "")
    return plain_text(body), headings


def headline_case(headings: Sequence[str]) -> str | None:
    """"title" when headings capitalise their main words, "sentence" when only the first; None
    when there are too few headings (or words) to tell."""
    title = sentence = 0
    for h in headings:
        ws = [w for w in words(h) if w.isalpha()]
        if len(ws) < 3:
            continue
        later = [w for w in ws[1:] if w.lower() not in MINOR_WORDS]
        if not later:
            continue
        caps = sum(1 for w in later if w[0].isupper())
        if caps / len(later) >= 0.75:
            title += 1
        elif caps / len(later) <= 0.34:
            sentence += 1
    if title + sentence < 2 or title == sentence:
        return None
    return "title" if title > sentence else "sentence"


def oxford_counts(text: str) -> tuple[int, int]:
    """(lists with the serial comma, lists without it): "a, b, and c" against "a, b and c"."""
    with_comma = without = 0
    for m in LIST_PATTERN.finditer(text):
        if m.group(1):
            with_comma += 1
        else:
            without += 1
    return with_comma, without


def _syllables(word: str, language: str) -> int:
    vowels = "aeiouyàáâäèéêëìíîïòóôöùúûüæœøåãõ" if language != "en" else "aeiouy"
    groups = re.findall(f"[{vowels}]+", word.lower())
    n = len(groups)
    if language == "en" and word.lower().endswith("e") and n > 1 and not word.lower().endswith(("le", "ee")):
        n -= 1
    return max(1, n)


# (constant, per words-per-sentence, per syllables-per-word): Flesch (1948) and its adaptations:
# Amstad (German, 1978), Kandel & Moles (French, 1958), Fernández Huerta (Spanish, 1959, as
# corrected), Douma (Dutch, 1960), Martins et al. (Brazilian Portuguese, 1996).
_READING_EASE = {
    "en": (206.835, 1.015, 84.6), "de": (180.0, 1.0, 58.5), "fr": (207.0, 1.015, 73.6),
    "es": (206.84, 1.02, 60.0), "nl": (206.835, 0.93, 77.0), "pt": (248.835, 1.015, 84.6),
}  # fmt: skip


def reading_ease(sentence_words: Sequence[int], all_words: Sequence[str], language: str) -> float | None:
    coeffs = _READING_EASE.get(base_code(language))
    if coeffs is None or not sentence_words or not all_words:
        return None
    a, b, c = coeffs
    asl = sum(sentence_words) / len(sentence_words)
    asw = sum(_syllables(w, base_code(language)) for w in all_words) / len(all_words)
    return round(a - b * asl - c * asw, 1)


def _person(tokens: Sequence[str], text: str, language: str) -> dict[str, float] | None:
    code = base_code(language)
    if code in PRONOUN_STRINGS:
        size = max(1, len(_CJK_CHAR.findall(text)))
        counts = {k: sum(text.count(s) for s in subs) for k, subs in PRONOUN_STRINGS[code].items()}
        # per 100 characters ≈ per 50 words; scaled to a comparable "per 100 words"
        return {k: round(200.0 * v / size, 2) for k, v in counts.items()}
    table = PRONOUNS.get(code)
    if table is None or not tokens:
        return None
    lower = [t.lower().replace("’", "'") for t in tokens]
    counts = Counter()
    for t in lower:
        t = t.split("'")[0]  # we're → we, j'ai → j
        for k, forms in table.items():
            if t in forms:
                counts[k] += 1
    return {k: round(100.0 * counts[k] / len(lower), 2) for k in table}


def measure(markdown: str, language: str = "en") -> dict[str, Any]:
    """The profile of one text (or of samples joined by blank lines). See the module docstring."""
    lang = get_language(language) if language else get_language("en")
    body, headings = _body_and_headings(markdown)
    sents = split_sentences(body)
    spaceless = lang.spaceless
    if spaceless:
        lengths = [len(_CJK_CHAR.findall(s)) for s in sents]
        tokens: list[str] = []
    else:
        lengths = [len(words(s)) for s in sents]
        tokens = words(body)
    lengths = [n for n in lengths if n > 0]
    english = base_code(language) == "en"
    contractions = expanded = 0
    if english:
        contractions = len(_CONTRACTION.findall(body))
        expanded = len(_EXPANDED.findall(body))
    us, uk = variant_counts(body) if english else (0, 0)
    with_comma, without = oxford_counts(body) if english else (0, 0)
    questions = sum(1 for s in sents if s.rstrip("\"'”’»)] ").endswith(("?", "？")))
    exclamations = sum(1 for s in sents if s.rstrip("\"'”’»)] ").endswith(("!", "！")))
    n_words = len(tokens) if not spaceless else sum(lengths)
    lower = Counter(t.lower().replace("’", "'") for t in tokens)
    habits = (
        {w: round(100.0 * lower[w] / len(tokens), 3) for w in common_words(HABIT_WORDS)}
        if english and tokens else None
    )  # fmt: skip
    return {
        "language": lang.code,
        "unit": "characters" if spaceless else "words",
        "words": n_words,
        "sentences": len(lengths),
        "sentence_length_mean": round(mean(lengths), 2) if lengths else None,
        "sentence_length_sd": round(pstdev(lengths), 2) if len(lengths) > 1 else None,
        "reading_ease": None if spaceless else reading_ease(lengths, tokens, language),
        "contractions_share": round(contractions / (contractions + expanded), 3) if contractions + expanded else None,
        "contraction_spots": contractions + expanded,
        "person": _person(tokens, body, language),
        "question_rate": round(questions / len(sents), 3) if sents else None,
        "exclamation_rate": round(exclamations / len(sents), 3) if sents else None,
        "spelling": {"us": us, "uk": uk},
        "oxford_comma": {"with": with_comma, "without": without},
        "headings": len(headings),
        "headline_case": headline_case(headings),
        "habits": habits,
    }


def distinctive(samples: Sequence[str], language: str = "en", *, top_words: int = 15,
                top_phrases: int = 10) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """The samples' go-to words and phrases: used in several samples and far more often than in
    general English. Proper names (nearly always capitalised mid-sentence) are left out."""
    if base_code(language) != "en" or not samples:
        return [], []
    docs = [words(_body_and_headings(s)[0]) for s in samples]
    total = sum(len(d) for d in docs) or 1
    needed = max(2, math.ceil(0.3 * len(docs)))
    counts: Counter[str] = Counter()
    in_docs: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for d in docs:
        seen: set[str] = set()
        for i, w in enumerate(d):
            key = w.lower().replace("’", "'")
            counts[key] += 1
            if i and w[:1].isupper():
                capitalised[key] += 1
            seen.add(key)
        in_docs.update(seen)
    scored = []
    for w, c in counts.items():
        if len(w) < 3 or in_docs[w] < needed or c < 3 or capitalised[w] > 0.6 * c:
            continue
        ratio = (c / total) / per_word(w)
        if ratio < 4:
            continue
        scored.append((c * math.log(ratio), w, c, ratio))
    scored.sort(key=lambda t: (-t[0], t[1]))
    go_words = [{"word": w, "per_100": round(100 * c / total, 3), "vs_english": round(ratio, 1)}
                for _, w, c, ratio in scored[:top_words]]  # fmt: skip
    common = set(common_words(150))
    grams: Counter[str] = Counter()
    gram_docs: Counter[str] = Counter()
    for s in samples:
        seen = set()
        for sent in split_sentences(_body_and_headings(s)[0]):
            ws = [w.lower().replace("’", "'") for w in words(sent)]
            for n in (2, 3):
                for i in range(len(ws) - n + 1):
                    gram = ws[i : i + n]
                    if all(g in common for g in gram) or gram[0] in MINOR_WORDS or gram[-1] in MINOR_WORDS:
                        continue
                    key = " ".join(gram)
                    grams[key] += 1
                    seen.add(key)
        gram_docs.update(seen)
    phrase_scores = []
    for g, c in grams.items():
        if c < 2 or gram_docs[g] < 2 or any(capitalised[w] > 0.6 * counts[w] for w in g.split()):
            continue
        rarity = sum(max(0.0, 7.0 - zipf(w)) for w in g.split())
        phrase_scores.append((c * rarity, g, c))
    phrase_scores.sort(key=lambda t: (-t[0], t[1]))
    chosen: list[dict[str, Any]] = []
    for _, g, c in phrase_scores:
        if any(g in p["phrase"] or p["phrase"] in g for p in chosen):
            continue
        chosen.append({"phrase": g, "count": c})
        if len(chosen) >= top_phrases:
            break
    return go_words, chosen


def habits_distance(text_habits: dict[str, float], voice_habits: dict[str, float]) -> float:
    """Mean absolute log-ratio of the everyday words' rates (a smoothed Burrows-style distance)."""
    eps = 0.15
    keys = [w for w in voice_habits if w in text_habits]
    if not keys:
        return 0.0
    return sum(abs(math.log((text_habits[w] + eps) / (voice_habits[w] + eps))) for w in keys) / len(keys)


# Used when there are too few samples to measure how much they differ from each other.
DEFAULT_HABITS_SPREAD = {"mean": 0.65, "sd": 0.1}
DEFAULT_GO_TO_HELD_OUT = 0.7


def _calibration(samples: Sequence[str], language: str) -> tuple[dict[str, float] | None, float]:
    """How far each sample is from the voice made of the others (leave one out): the habits
    distance an own text typically has, and the share of the go-to rate an unseen own text
    reaches (go-to words are picked on the samples, so the samples themselves overstate it)."""
    if base_code(language) != "en" or len(samples) < 3:
        return None, DEFAULT_GO_TO_HELD_OUT
    distances, ratios = [], []
    for i, held in enumerate(samples):
        rest = list(samples[:i]) + list(samples[i + 1 :])
        held_habits = measure(held, language)["habits"]
        rest_habits = measure("\n\n".join(rest), language)["habits"]
        if held_habits and rest_habits:
            distances.append(habits_distance(held_habits, rest_habits))
        go_words, _ = distinctive(rest, language)
        expected = sum(w["per_100"] for w in go_words)
        if expected > 0:
            ratios.append(go_to_rate(held, [w["word"] for w in go_words])[0] / expected)
    spread = {"mean": round(mean(distances), 4), "sd": round(pstdev(distances), 4)} if len(distances) >= 3 else None
    held_out = round(mean(ratios), 3) if ratios else DEFAULT_GO_TO_HELD_OUT
    return spread, max(0.2, min(1.0, held_out))


def voice_profile(samples: Sequence[str], language: str = "en") -> dict[str, Any]:
    """The profile of a voice: the samples measured together, their go-to words and phrases, how
    often the samples use those go-to words, and how much the samples differ among themselves
    (what a draft is compared with)."""
    joined = "\n\n".join(samples)
    profile = measure(joined, language)
    go_words, go_phrases = distinctive(samples, language)
    profile["go_to_words"] = go_words
    profile["go_to_phrases"] = go_phrases
    profile["go_to_rate"] = round(sum(w["per_100"] for w in go_words), 3)
    spread, held_out = _calibration(samples, language)
    profile["habits_spread"] = spread
    profile["go_to_held_out"] = held_out
    profile["samples"] = len(samples)
    return profile


def go_to_rate(markdown: str, go_words: Sequence[str]) -> tuple[float, list[str]]:
    """How often ``markdown`` uses ``go_words`` (per 100 words), and which of them it uses."""
    tokens = [w.lower().replace("’", "'") for w in words(_body_and_headings(markdown)[0])]
    if not tokens:
        return 0.0, []
    wanted = set(go_words)
    used = Counter(t for t in tokens if t in wanted)
    return round(100.0 * sum(used.values()) / len(tokens), 3), [w for w, _ in used.most_common()]
