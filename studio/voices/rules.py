"""A brand voice's rules, as data, as prompt text and as check findings (pure).

* ``avoid``: words and phrases the voice never uses (a finding for each, severity warn).
* ``prefer``: ``{"users": "customers"}``: the word on the left is found, the preferred term is
  the finding's suggestion (warn).
* ``spelling``: ``us`` / ``uk``; ``oxford_comma``: True / False; ``headline_case``: ``title`` /
  ``sentence``. Measured from the samples when the voice is made, editable afterwards; a text
  that differs gets a note (info) with the fix as the suggestion.
* ``keep``: terms never translated (product and brand names); ``glossary``: the voice's own
  translations, ``{"de": {"dashboard": "Übersicht"}}``. Localisation keeps both and checks them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from studio.checks.report import Finding
from studio.checks.rules import Rule as CheckRule
from studio.checks.rules import RuleSet, add_phrase
from studio.checks.text import normalize
from studio.errors import InputError
from studio.voices.profile import HEADING, LIST_PATTERN, MINOR_WORDS, headline_case
from studio.voices.spelling import other_variant

TERM_MAX = 80
TERMS_MAX = 200


@dataclass(frozen=True)
class VoiceRules:
    avoid: tuple[str, ...] = ()
    prefer: dict[str, str] = field(default_factory=dict)
    spelling: str | None = None  # "us" | "uk"
    oxford_comma: bool | None = None
    headline_case: str | None = None  # "title" | "sentence"
    keep: tuple[str, ...] = ()
    glossary: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["avoid"] = list(self.avoid)
        d["keep"] = list(self.keep)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> VoiceRules:
        """Rules from stored or typed values, cleaned; InputError names what is wrong."""
        data = dict(data or {})
        problems: dict[str, str] = {}
        avoid = _terms(data.get("avoid"), "avoid", problems)
        keep = _terms(data.get("keep"), "keep", problems)
        prefer: dict[str, str] = {}
        for k, v in dict(data.get("prefer") or {}).items():
            k, v = " ".join(str(k).split()), " ".join(str(v).split())
            if k and v and k.casefold() != v.casefold():
                prefer[k] = v
        spelling = data.get("spelling") or None
        if spelling not in (None, "us", "uk"):
            problems["spelling"] = "Spelling is US or UK (or not set)."
        headline = data.get("headline_case") or None
        if headline not in (None, "title", "sentence"):
            problems["headline_case"] = "Headline case is title or sentence (or not set)."
        oxford = data.get("oxford_comma")
        if oxford not in (None, True, False):
            problems["oxford_comma"] = "The Oxford comma is on, off or not set."
        glossary: dict[str, dict[str, str]] = {}
        for lang, table in dict(data.get("glossary") or {}).items():
            entries = {" ".join(str(k).split()): " ".join(str(v).split()) for k, v in dict(table or {}).items()}
            entries = {k: v for k, v in entries.items() if k and v}
            if entries:
                glossary[str(lang)] = entries
        if problems:
            raise InputError(problems)
        return cls(tuple(avoid), prefer, spelling, oxford, headline, tuple(keep), glossary)


def _terms(value: Any, name: str, problems: dict[str, str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    out: dict[str, str] = {}
    for item in items:
        term = " ".join(str(item).split())
        if term:
            out.setdefault(term.casefold(), term)
    terms = list(out.values())
    if len(terms) > TERMS_MAX or any(len(t) > TERM_MAX for t in terms):
        problems[name] = f"At most {TERMS_MAX} terms of at most {TERM_MAX} characters each."
    return terms


def detected_rules(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The rules the samples show: spelling variant, Oxford comma, headline case (None when the
    samples do not tell)."""
    sp = profile.get("spelling") or {}
    us, uk = sp.get("us", 0), sp.get("uk", 0)
    spelling = "us" if us >= 2 and us >= 3 * uk else "uk" if uk >= 2 and uk >= 3 * us else None
    ox = profile.get("oxford_comma") or {}
    w, wo = ox.get("with", 0), ox.get("without", 0)
    oxford = True if w >= 2 and w >= 2 * wo else False if wo >= 2 and wo >= 2 * w else None
    return {"spelling": spelling, "oxford_comma": oxford, "headline_case": profile.get("headline_case")}


def prompt_lines(rules: VoiceRules) -> list[str]:
    """The rules as instructions a writer follows."""
    lines: list[str] = []
    if rules.prefer:
        lines.append("Preferred terms: " + "; ".join(f"write “{v}”, not “{k}”" for k, v in rules.prefer.items()) + ".")
    if rules.avoid:
        lines.append("Never use these words or phrases: " + ", ".join(f"“{t}”" for t in rules.avoid) + ".")
    if rules.spelling:
        lines.append("Spelling: " + ("American (color, organize, center)." if rules.spelling == "us"
                                     else "British (colour, organise, centre)."))  # fmt: skip
    if rules.oxford_comma is not None:
        lines.append("Lists of three or more: " + ("use the Oxford comma (“fast, simple, and secure”)."
                                                   if rules.oxford_comma else
                                                   "no Oxford comma (“fast, simple and secure”)."))  # fmt: skip
    if rules.headline_case:
        lines.append("Headings: " + ("Title Case (Capitalise the Main Words)." if rules.headline_case == "title"
                                     else "sentence case (only the first word and names capitalised)."))  # fmt: skip
    if rules.keep:
        lines.append("Always write these exactly as given, in every language: " + ", ".join(f"“{t}”" for t in rules.keep) + ".")
    return lines


def _term_set(rules: VoiceRules) -> RuleSet:
    rs = RuleSet()
    for term in rules.avoid:
        rid = f"voice.avoid.{normalize(term)}"
        preferred = next((v for k, v in rules.prefer.items() if k.casefold() == term.casefold()), None)
        rs.rules[rid] = CheckRule(rid, "voice", "avoided term", "warn", (preferred,) if preferred else (),
                                  f"The brand voice avoids “{term}”.")  # fmt: skip
        add_phrase(rs, term, rid)
    for term, preferred in rules.prefer.items():
        rid = f"voice.prefer.{normalize(term)}"
        if rid.replace("prefer", "avoid") in rs.rules:
            continue
        rs.rules[rid] = CheckRule(rid, "voice", "preferred term", "warn", (preferred,),
                                  f"The brand voice says “{preferred}”, not “{term}”.")  # fmt: skip
        add_phrase(rs, term, rid)
    return rs


def findings(text: str, rules: VoiceRules, language: str = "en") -> list[Finding]:
    """The voice's rules applied to ``text``: avoid/prefer terms (warn) and, in English, spelling,
    Oxford comma and headline case notes (info), each with the fix as its suggestion."""
    out = _term_set(rules).match(text) if (rules.avoid or rules.prefer) else []
    if language.split("-")[0] != "en":
        return out
    if rules.spelling:
        for m in re.finditer(r"[A-Za-z]+", text):
            fix = other_variant(m.group(0), rules.spelling)
            if fix:
                out.append(Finding("voice", "spelling", m.start(), m.end(), m.group(0), "info", suggestions=[fix],
                                   rule=f"voice.spelling.{rules.spelling}",
                                   note=f"The brand voice uses {rules.spelling.upper()} spelling."))  # fmt: skip
    if rules.oxford_comma is not None:
        for m in LIST_PATTERN.finditer(text):
            has = bool(m.group(1))
            if has == rules.oxford_comma:
                continue
            span = m.group(0)[:-2]  # up to and including "and"/"or"
            # The finding covers the last item and the conjunction: "fast, and" / "fast and".
            oxford = span.rfind(",") if has else len(span)
            begin = span.rfind(",", 0, oxford) + 1
            begin += len(span[begin:]) - len(span[begin:].lstrip())
            piece = span[begin:]
            head, conj = piece[: piece.rfind(" ")], piece[piece.rfind(" ") :]
            fixed = (head[:-1] if has else head + ",") + conj
            start = m.start() + begin
            out.append(Finding("voice", "oxford comma", start, start + len(piece), piece, "info",
                               suggestions=[fixed], rule="voice.oxford_comma",
                               note="The brand voice " + ("leaves out" if has else "uses") + " the Oxford comma."))  # fmt: skip
    if rules.headline_case:
        for m in HEADING.finditer(text):
            heading = m.group(1)
            if headline_case([heading, heading]) not in (None, rules.headline_case):
                fixed = recase(heading, rules.headline_case)
                start = m.start(1)
                out.append(Finding("voice", "headline case", start, start + len(heading), heading, "info",
                                   suggestions=[fixed], rule="voice.headline_case",
                                   note=f"The brand voice writes headings in {rules.headline_case} case."))  # fmt: skip
    return sorted(out, key=lambda f: (f.start, f.end))


def recase(heading: str, case: str) -> str:
    ws = heading.split(" ")
    out = []
    for i, w in enumerate(ws):
        if case == "title":
            out.append(w if (i and w.lower() in MINOR_WORDS) else w[:1].upper() + w[1:])
        else:
            # Sentence case keeps words that are capitalised inside (names, acronyms: "iPhone", "SEO").
            keep = i == 0 or w.isupper() or any(c.isupper() for c in w[1:])
            out.append(w[:1].upper() + w[1:] if i == 0 else (w if keep else w.lower()))
    return " ".join(out)
