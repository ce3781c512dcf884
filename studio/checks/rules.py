"""Rule data files (YAML, beside this module in ``rules/``) and the phrase matcher.

A rule file::

    category: bias            # bias | claims
    languages: [en]           # the languages its phrases are written in (default: en)
    label: gendered           # default label for its rules
    severity: warn            # default severity
    rules:
      - id: gendered.chairman
        phrases: [chairman, chairwoman]
        inflect: noun           # none (default) | noun: also plurals and possessives
        suggestions: [chair, chairperson]
        note: why this matters
        advice: what to do when no suggestion fits
        # optional per rule: label
    patterns:                  # optional raw regexes (case-insensitive), for numbers and symbols
      - id: age.age_limit
        regex: '...'
        examples: [...]        # texts it must match (the suggestion test uses them)
        suggestions: [...]
        note: ...

What a finding counts as (block, warn, note) is not rule data: the verdict policy decides it
(``policy.POLICY``). A suggestion replaces exactly the matched words and never adds a fact,
number, promise, name or claim (``tests/unit/checks/test_suggestions.py`` applies every one).

Phrases match whole words only, case-insensitively; spaces and hyphens between words are
interchangeable ("man-hours" = "man hours"), straight and curly apostrophes too. Word-only phrases
are matched on the word sequence (so "Scunthorpe" never contains a shorter word); phrases with
other punctuation ("he/she", "no. 1") become bounded regexes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from studio.checks.report import Finding
from studio.checks.shadow import fold
from studio.checks.text import Span, bounded, normalize, phrase_pattern, token_norms, words

RULES_DIR = Path(__file__).with_name("rules")
BIAS_FILES = ("gendered", "ableist", "age", "race_ethnicity", "lgbtq", "condescending")
CLAIMS_FILES = ("claims",)

_WORDY = re.compile(r"^[^\W_]+(?:['’][^\W_]+)*(?:[\s\-]+[^\W_]+(?:['’][^\W_]+)*)*$")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    label: str
    severity: str
    suggestions: tuple[str, ...]
    note: str
    advice: str = ""


@dataclass
class RuleSet:
    """Compiled rules of one or more files."""

    rules: dict[str, Rule] = field(default_factory=dict)
    # first normalized word -> [(tuple of normalized words, rule id)], longest first
    phrase_index: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    # phrase-specific suggestions: (rule id, normalized phrase form) -> suggestions
    phrase_suggestions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    regexes: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    # The languages the files' phrases are written in (each file's ``languages``; English when
    # a file does not say): the pipeline reports the rules as not covering any other language.
    languages: set[str] = field(default_factory=set)
    # the phrases (every inflected form) of each rule, and the examples of each pattern rule
    phrases: dict[str, list[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def suggestions_for(self, rule_id: str, matched: str) -> list[str]:
        """The suggestions a match of ``matched`` by ``rule_id`` offers (case as matched)."""
        r = self.rules[rule_id]
        return _match_case(list(self.phrase_suggestions.get((rule_id, normalize(matched)), r.suggestions)), matched)

    def match(self, text: str, toks: list[Span] | None = None, norms: list[str] | None = None) -> list[Finding]:
        """All non-overlapping matches, longest first at each position, in text order."""
        toks = words(text) if toks is None else toks
        norms = token_norms(toks) if norms is None else norms
        hits: list[tuple[int, int, str]] = []
        i = 0
        n = len(toks)
        while i < n:
            cands = self.phrase_index.get(norms[i])
            matched = 0
            if cands:
                for seq, rid in cands:
                    k = len(seq)
                    if i + k > n or tuple(norms[i : i + k]) != seq:
                        continue
                    if all(_joinable(text, toks[j].end, toks[j + 1].start) for j in range(i, i + k - 1)):
                        hits.append((toks[i].start, toks[i + k - 1].end, rid))
                        matched = k
                        break
            i += matched or 1
        for rx, rid in self.regexes:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    hits.append((m.start(), m.end(), rid))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[Finding] = []
        last_end = -1
        for start, end, rid in hits:
            if start < last_end:
                continue  # overlaps a longer/earlier match
            r = self.rules[rid]
            out.append(
                Finding(
                    category=r.category,
                    label=r.label,
                    start=start,
                    end=end,
                    text=text[start:end],
                    severity=r.severity,
                    score=None,
                    suggestions=self.suggestions_for(rid, text[start:end]),
                    rule=r.id,
                    note=r.note,
                    advice=r.advice,
                )
            )
            last_end = end
        return out


def _match_case(suggestions: list[str], matched: str) -> list[str]:
    """Capitalise suggestions when the matched text starts with a capital (sentence start)."""
    if matched[:1].isupper():
        return [s[:1].upper() + s[1:] if s[:1].islower() else s for s in suggestions]
    return suggestions


def _joinable(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return bool(gap) and all(c.isspace() or c in "-‐–" for c in gap) and len(gap) <= 3


def inflections(phrase: str, mode: str) -> list[str]:
    """The phrase plus the inflected forms of its last word (``noun``: plural and possessives)."""
    forms = [phrase]
    if mode != "noun":
        return forms
    head, _, last = phrase.rpartition(" ")
    pre = head + " " if head else ""
    low = last.lower()
    plurals: list[str] = []
    if low.endswith("man"):
        plurals.append(last[:-3] + "men")
    elif low.endswith("woman"):
        plurals.append(last[:-5] + "women")
    elif re.search(r"[^aeiou]y$", low):
        plurals.append(last[:-1] + "ies")
    elif re.search(r"(?:s|x|z|ch|sh)$", low):
        plurals.append(last + "es")
    else:
        plurals.append(last + "s")
    for p in plurals:
        forms.append(pre + p)
    forms.append(pre + last + "'s")
    for p in plurals:
        if not p.endswith("s"):
            forms.append(pre + p + "'s")
    return forms


def _inflect_suggestions(sugg: tuple[str, ...], base: str, form: str) -> tuple[str, ...]:
    """Plural/possessive forms of phrase-specific suggestions to match the matched form."""
    if form == base:
        return sugg
    out = []
    for s in sugg:
        if form.endswith("'s"):
            stem = form[:-2]
            out.append((s if stem == base else _plural(s)) + "'s")
        else:
            out.append(_plural(s))
    return tuple(out)


def _plural(s: str) -> str:
    if s.endswith("person"):
        return s[: -len("person")] + "people"
    if re.search(r"[^aeiou]y$", s):
        return s[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", s):
        return s + "es"
    return s + "s"


def _load_file(path: Path, rs: RuleSet) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    category = data["category"]
    rs.languages.update(str(code) for code in data.get("languages") or ["en"])
    default_label = data.get("label", category)
    default_sev = data.get("severity", "warn")
    for item in data.get("rules", []) or []:
        rule = Rule(
            id=item["id"],
            category=category,
            label=item.get("label", default_label),
            severity=item.get("severity", default_sev),
            suggestions=tuple(str(s) for s in item.get("suggestions", [])),
            note=str(item.get("note", "")).strip(),
            advice=str(item.get("advice", "")).strip(),
        )
        if rule.id in rs.rules:
            raise ValueError(f"{path.name}: duplicate rule id {rule.id}")
        rs.rules[rule.id] = rule
        forms = rs.phrases.setdefault(rule.id, [])
        for phrase in item.get("phrases", []):
            own: tuple[str, ...] | None = None
            if isinstance(phrase, dict):  # {phrase: [suggestions]}
                ((phrase, own),) = phrase.items()
                own = tuple(str(s) for s in own or [])
            for form in inflections(str(phrase), item.get("inflect", "none")):
                forms.append(form)
                add_phrase(rs, form, rule.id)
                base_sugg = own if own is not None else rule.suggestions
                if own is not None or form != str(phrase):
                    rs.phrase_suggestions[(rule.id, normalize(form))] = _inflect_suggestions(base_sugg, str(phrase), form)
    for item in data.get("patterns", []) or []:
        rule = Rule(
            id=item["id"],
            category=category,
            label=item.get("label", default_label),
            severity=item.get("severity", default_sev),
            suggestions=tuple(str(s) for s in item.get("suggestions", [])),
            note=str(item.get("note", "")).strip(),
            advice=str(item.get("advice", "")).strip(),
        )
        if rule.id in rs.rules:
            raise ValueError(f"{path.name}: duplicate rule id {rule.id}")
        rs.rules[rule.id] = rule
        rs.examples[rule.id] = [str(e) for e in item.get("examples", []) or []]
        rs.regexes.append((re.compile(item["regex"], re.IGNORECASE), rule.id))


def add_phrase(rs: RuleSet, phrase: str, rule_id: str) -> None:
    phrase = fold(phrase).strip()  # read as the checked text is (see shadow.py)
    if not phrase:
        return
    if _WORDY.match(phrase):
        seq = tuple(normalize(w.text) for w in words(phrase))
        bucket = rs.phrase_index.setdefault(seq[0], [])
        if all(s != seq for s, _ in bucket):
            bucket.append((seq, rule_id))
            bucket.sort(key=lambda c: -len(c[0]))
    else:
        rs.regexes.append((re.compile(bounded(phrase_pattern(phrase)), re.IGNORECASE), rule_id))


_cache: dict[tuple[str, ...], RuleSet] = {}
_lock = threading.Lock()


def load_rules(names: tuple[str, ...], rules_dir: Path = RULES_DIR) -> RuleSet:
    """Load and compile rule files by stem name (cached per process)."""
    key = (str(rules_dir),) + tuple(names)
    with _lock:
        rs = _cache.get(key)
        if rs is None:
            rs = RuleSet()
            for name in names:
                _load_file(rules_dir / f"{name}.yaml", rs)
            _cache[key] = rs
        return rs


def bias_rules() -> RuleSet:
    return load_rules(BIAS_FILES)


def claims_rules() -> RuleSet:
    return load_rules(CLAIMS_FILES)


def term_rules(
    terms: list[str], *, category: str, label: str, severity: str, note: str, advice: str = ""
) -> RuleSet:
    """A rule set for an admin list of terms (banned terms): one rule per term."""
    rs = RuleSet()
    for term in terms:
        term = str(term).strip()
        if not term:
            continue
        rid = f"{category}.{normalize(term)}"
        rs.rules[rid] = Rule(rid, category, label, severity, (), note, advice)
        add_phrase(rs, term, rid)
    return rs


# --- Gender-coded wording (document-level tone signal) ------------------------------------

@dataclass(frozen=True)
class GenderCoded:
    masculine: tuple[str, ...]
    feminine: tuple[str, ...]

    @staticmethod
    def _is(stems: tuple[str, ...], w: str) -> bool:
        return any((s.endswith("*") and w.startswith(s[:-1])) or w == s for s in stems)

    def classify(self, w: str) -> str | None:
        """'m', 'f' or None for one lower-cased word (memoised: documents repeat words)."""
        memo = _gc_memo
        hit = memo.get(w, 0)
        if hit == 0:
            hit = "m" if self._is(self.masculine, w) else "f" if self._is(self.feminine, w) else None
            if len(memo) < 100_000:
                memo[w] = hit
        return hit

    def signal(self, text: str, toks: list[Span] | None = None, norms: list[str] | None = None) -> dict:
        toks = words(text) if toks is None else toks
        lowered = token_norms(toks) if norms is None else norms
        m: list[str] = []
        f: list[str] = []
        for w in lowered:
            c = self.classify(w)
            if c == "m":
                m.append(w)
            elif c == "f":
                f.append(w)
        diff = len(m) - len(f)
        if len(m) + len(f) == 0 or abs(diff) < 2:
            coding = "neutral"
        elif diff > 0:
            coding = "strongly masculine-coded" if len(f) == 0 or len(m) >= 2 * len(f) else "masculine-coded"
        else:
            coding = "strongly feminine-coded" if len(m) == 0 or len(f) >= 2 * len(m) else "feminine-coded"
        return {
            "coding": coding,
            "masculine_count": len(m),
            "feminine_count": len(f),
            "masculine_words": sorted(set(m)),
            "feminine_words": sorted(set(f)),
            "source": "word stems after Gaucher, Friesen & Kay (2011)",
        }


_gc: GenderCoded | None = None
_gc_memo: dict[str, str | None] = {}


def gender_coded() -> GenderCoded:
    global _gc
    with _lock:
        if _gc is None:
            data = yaml.safe_load((RULES_DIR / "gender_coded.yaml").read_text(encoding="utf-8"))
            _gc = GenderCoded(
                tuple(str(s).lower() for s in data["masculine"]),
                tuple(str(s).lower() for s in data["feminine"]),
            )
        return _gc
