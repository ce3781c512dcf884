"""Claims found by rules: the sentences of a text that state something a reader could check.

A sentence is a claim when it has a percentage, a figure (a number of 10 or more counting
something, a decimal, a number with a unit, a currency or a multiplier: "3x", "2 million"), a date (a year, a month and
day), a quotation of four words or more, a named study or an attribution ("a 2024 survey",
"according to"), or a superlative ("the fastest", "the first", "#1"). ``RULE_LANGUAGES`` says
which languages the word lists cover; figures, percentages, years and quotation marks are read in
every language. ``[NEEDS SOURCE]`` marks are claims of their own: the writer had nothing to cite.
Pure: text in, claims out, offsets into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from studio.languages.catalog import base_code

#: The languages whose word lists (studies, attributions, superlatives, months) the rules have.
RULE_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "zh", "ja", "ko")
#: Which kind names a claim when it has several (the most checkable first).
KIND_ORDER = ("needs-source", "quote", "percentage", "figure", "date", "study", "superlative", "statement")
KIND_LABELS = {
    "needs-source": "No source found",
    "quote": "Quote",
    "percentage": "Percentage",
    "figure": "Figure",
    "date": "Date",
    "study": "Named study or attribution",
    "superlative": "Superlative",
    "statement": "Statement",
}
NEEDS_SOURCE = "[NEEDS SOURCE]"

_PERCENT_WORDS = (r"percent|per\s?cent|prozent|pour\s?cent|por\s?ciento|per\s?cento|por\s?cento|procent|"
                  r"procentu|procentów|procent")  # fmt: skip
PERCENT = re.compile(rf"(?<![\dA-Za-z.,])[-+]?\d+(?:[.,]\d+)?\s?(?:%|％|‰|(?:{_PERCENT_WORDS})\b)|百分之[\d一二三四五六七八九十百]+|\d+(?:\.\d+)?퍼센트", re.I)
_SCALE = (r"thousand|million|billion|trillion|k|m|bn|mn|tausend|millionen?|milliarden?|mio\.?|mrd\.?|mille|"
          r"millions?|milliards?|mil|millones|millón|miles|milioni|miliardi|milhões|milhão|bilhões|miljoen|"
          r"miljard|tysięcy|milionów|miliardów|miljoner|miljarder|万|亿|億|만|억")  # fmt: skip
_UNIT = (r"x|×|times|mal|fois|veces|volte|vezes|keer|razy|gånger|倍|배|hours?|days?|weeks?|months?|years?|minutes?|"
         r"seconds?|ms|kg|g|km|m|cm|mm|mb|gb|tb|kwh|mw|w|users?|customers?|people|employees|teams?|countries|"
         r"stunden|tage|wochen|monate|jahre|kunden|mitarbeiter|länder|heures|jours|semaines|mois|ans|clients|"
         r"horas|días|semanas|meses|años|clientes|ore|giorni|settimane|mesi|anni|clienti|dias|anos|uur|dagen|"
         r"klanten|godzin|dni|klientów|timmar|dagar|kunder|人|个|名|家|天|年|時間|日|人|명|개|일|년")  # fmt: skip
FIGURE = re.compile(
    rf"(?<![\dA-Za-z\[.,])(?:[$€£¥₩]\s?\d[\d.,]*(?:\s?(?:{_SCALE})\b)?|\d[\d.,]*\s?(?:{_SCALE})(?![\w])|"
    rf"\d[\d.,]*\s?(?:{_UNIT})(?![\w])|\d{{1,3}}(?:[,.\u202f\u00a0 ]\d{{3}})+(?:[.,]\d+)?|\d+[.,]\d+|\d{{2,}}(?=\s+[^\W\d_]{{3,}}))",
    re.I,
)
YEAR = re.compile(r"(?<![\d.,$€£])(?:19|20)\d{2}(?![\d%])(?:年)?")
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"januar|februar|märz|juni|juli|oktober|dezember|janvier|février|mars|avril|mai|juin|juillet|août|"
    r"septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
    r"octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|januari|februari|maart|mei|juli|"
    r"augustus|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|"
    r"grudnia|mars|augusti"
)
DATE = re.compile(rf"\b\d{{1,2}}\.?\s(?:de\s)?(?:{_MONTHS})\b|\b(?:{_MONTHS})\s\d{{1,2}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
                  r"\d{1,2}月\d{1,2}日|\d{1,2}월\s?\d{1,2}일", re.I)  # fmt: skip
QUOTE = re.compile(r"“([^”\n]{12,400})”|\"([^\"\n]{12,400})\"|„([^“”\n]{12,400})[“”]|«\s?([^»\n]{12,400}?)\s?»|"
                   r"「([^」\n]{6,300})」|‘([^’\n]{20,400})’(?!\w)")  # fmt: skip
STUDY = re.compile(
    r"\b(?:according to|a (?:\d{4} )?(?:study|survey|report|poll|analysis|paper)|(?:study|survey|report|research|"
    r"data|analysis) (?:by|from|of|published)|researchers? (?:at|from)|studies show|research shows|"
    r"laut|gemäß|einer? (?:studie|umfrage|analyse)|(?:studie|umfrage) (?:von|der|des)|selon|d'après|"
    r"une (?:étude|enquête)|(?:étude|enquête) (?:de|du|menée)|según|un (?:estudio|informe)|una encuesta|"
    r"secondo|uno studio|un sondaggio|un rapporto|segundo|um estudo|uma pesquisa|volgens|een onderzoek|"
    r"uit onderzoek|według|badanie|badania|raport|enligt|en studie|en undersökning)\b|"
    r"根据|据.{1,12}(?:报告|研究|调查)|研究(?:表明|显示|发现)|调查显示|によると|調査|研究によ|에 따르면|연구|조사",
    re.I,
)
SUPERLATIVE = re.compile(
    r"\b(?:the (?:best|fastest|largest|biggest|smallest|cheapest|first|only|leading|most \w+|least \w+|top|"
    r"greatest|highest|lowest|safest|easiest|strongest|newest|oldest|\w+est)|number one|no\.\s?1|world's \w+est|"
    r"industry[- ]leading|market[- ]leading|best[- ]in[- ]class|unmatched|unrivall?ed|"
    r"(?:der|die|das|den|dem) (?:beste|besten|größte|größten|schnellste|schnellsten|erste|ersten|einzige|"
    r"einzigen|führende|führenden|meisten)|marktführer|le (?:meilleur|plus \w+|premier|seul)|la (?:meilleure|"
    r"plus \w+|première|seule)|leader (?:du|mondial)|el (?:mejor|más \w+|primer|único)|la (?:mejor|más \w+|"
    r"primera|única)|líder (?:del|mundial)|il (?:migliore|più \w+|primo|unico)|la (?:migliore|prima|unica)|"
    r"o (?:melhor|maior|primeiro|único)|a (?:melhor|maior|primeira|única)|de (?:beste|grootste|snelste|eerste|"
    r"enige)|marktleider|naj\w+|jedyn\w+|pierwsz\w+|den (?:bästa|största|snabbaste|första|enda)|"
    r"(?:bästa|största|snabbaste))\b|#\s?1\b|最[\w]|第一|唯一|领先|首个|初の|最も|No\.\s?1|최고|최대|최초|가장|유일",
    re.I,
)
# A sentence runs on over a single line break (a wrapped paragraph), not into a blank line, a
# heading or a list item.
_SENTENCE = re.compile(r"[^.!?。！？\n]+(?:\n(?![ \t]*(?:\n|#|[-*+][ \t]|\d+[.)][ \t]))[^.!?。！？\n]+)*"
                       r"(?:[.!?。！？]+[\"'”’»」)]*|\n|$)")
_LIST_NUMBER = re.compile(r"^\s*(?:#{1,6}\s+)?\d{1,2}[.)]\s")
_MARKS = re.compile(r"\[(?:S\d+(?:\s*[,;]\s*S\d+)*)\]")


@dataclass(frozen=True)
class FoundClaim:
    text: str
    start: int
    end: int
    kinds: tuple[str, ...]
    evidence: dict[str, list[str]] = field(default_factory=dict)  # kind → the matched strings

    @property
    def kind(self) -> str:
        return next(k for k in KIND_ORDER if k in self.kinds)


def covers(language: str) -> bool:
    return base_code(language) in RULE_LANGUAGES


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (headings and list items end at the line break)."""
    out = []
    for m in _SENTENCE.finditer(text):
        a, b = m.start(), m.end()
        seg = text[a:b]
        a += len(seg) - len(seg.lstrip())
        b -= len(seg) - len(seg.rstrip())
        if b > a:
            out.append((a, b))
    return out


def _clean(sentence: str) -> str:
    """The sentence as the rules read it: citation marks and list numbers blanked (same length)."""
    sentence = _MARKS.sub(lambda m: " " * len(m.group(0)), sentence)
    return _LIST_NUMBER.sub(lambda m: " " * len(m.group(0)), sentence)


def find_claims(text: str) -> list[FoundClaim]:
    """The claims of ``text`` (Markdown), in order."""
    return list(_claims_of(text))


# A draft's text is checked again when only its fields change; its claims are the same.
@lru_cache(maxsize=256)
def _claims_of(text: str) -> tuple[FoundClaim, ...]:
    out: list[FoundClaim] = []
    # Sentences are cut at full stops, which also sit inside decimals and dates ("2.5", "24.
    # März"): join a piece to the next when the cut is between digits or before a month.
    spans = _joined(text, sentences(text))
    for a, b in spans:
        raw = text[a:b]
        lead = len(raw) - len(raw.lstrip("#>*-+ \t"))
        a += lead
        raw = text[a:b]
        if not raw.strip():
            continue
        s = _clean(raw)
        evidence: dict[str, list[str]] = {}
        if NEEDS_SOURCE in raw:
            evidence["needs-source"] = [NEEDS_SOURCE]
        quotes = [next(g for g in m.groups() if g) for m in QUOTE.finditer(s)]
        quotes = [q for q in quotes if len(q.split()) >= 4 or re.search(r"[\u3040-\u30ff\u4e00-\u9fff]{6}", q)]
        if quotes:
            evidence["quote"] = quotes
        pct = [m.group(0).strip() for m in PERCENT.finditer(s)]
        if pct:
            evidence["percentage"] = pct
        figures = [m.group(0).strip() for m in FIGURE.finditer(s)
                   if not YEAR.fullmatch(m.group(0).strip()) and not _inside(m, PERCENT, s)
                   and not _inside(m, DATE, s) and not _version(m, s)]  # fmt: skip
        if figures:
            evidence["figure"] = figures
        dates = [m.group(0) for m in YEAR.finditer(s)] + [m.group(0) for m in DATE.finditer(s)]
        if dates:
            evidence["date"] = dates
        study = [m.group(0) for m in STUDY.finditer(s)]
        if study:
            evidence["study"] = study
        sup = [m.group(0) for m in SUPERLATIVE.finditer(s)]
        if sup:
            evidence["superlative"] = sup
        if evidence:
            kinds = tuple(k for k in KIND_ORDER if k in evidence)
            out.append(FoundClaim(raw.strip(), a, a + len(raw.rstrip()), kinds, evidence))
    return tuple(out)


_VERSION_BEFORE = re.compile(r"(?:\b(?:version|v|release|iOS|Android|Windows|macOS)|\b[A-Z][\w-]*)\s?$")


def _version(m: re.Match[str], s: str) -> bool:
    """"Planner 3.0", "version 2.1": a product's version number, not a figure."""
    return re.fullmatch(r"\d+(?:\.\d+)+", m.group(0).strip()) is not None and bool(_VERSION_BEFORE.search(s[: m.start()]))


def _inside(m: re.Match[str], pattern: re.Pattern[str], s: str) -> bool:
    return any(p.start() <= m.start() and m.end() <= p.end() for p in pattern.finditer(s))


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            pa, pb = out[-1]
            gap = text[pb:a]
            if "\n" not in gap and (
                (text[pb - 1 : pb] == "." and pb >= 2 and text[pb - 2].isdigit() and text[a : a + 1].isdigit())
                or (text[pb - 1 : pb] == "." and pb >= 2 and text[pb - 2].isdigit() and re.match(rf"(?i)(?:{_MONTHS})\b", text[a:]))
                or re.search(r"(?i)\b(?:no|nr|dr|mr|mrs|ms|st|vs|e\.g|i\.e|inc|ltd|co|z\.b|u\.a|bzw|ca)\.$", text[pa:pb])
            ):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out
