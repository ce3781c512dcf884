"""The languages the studio writes in, and what each one needs: pure data, no I/O.

Each `Language` carries what a prompt needs to make a model write *natively* (an instruction in
the language itself and the conventions a native copywriter follows: forms of address by
formality, quotation marks, numbers and dates), what the detector calls it, and which checks
cover it. A check that does not cover a language says so in the report instead of passing text
it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in English, for labels: "German"
    native: str  # in the language: "Deutsch"
    detector: str  # lingua's Language member
    # One sentence in the language itself telling the writer to write in it directly.
    instruction: str
    # Conventions a native copywriter follows (in English, so every model reads them the same).
    conventions: str
    # Forms of address: (formal, informal), chosen by the brief's formality.
    address: tuple[str, str] = ("", "")
    # Scripts without spaces between words: measured and matched by characters, not words.
    spaceless: bool = False

    @property
    def label(self) -> str:
        return self.name if self.native == self.name else f"{self.name} ({self.native})"


_L = Language

#: Every language a brief may ask for, in the order the form lists them.
LANGUAGE_TABLE: tuple[Language, ...] = (
    _L("en", "English", "English", "ENGLISH", "Write in English.",
       "Use American spelling unless the brand voice says otherwise. Write numbers and dates the "
       "way US readers expect (March 24, 2025; 1,250.5)."),
    _L("en-GB", "British English", "British English", "ENGLISH", "Write in British English.",
       "Use British spelling (colour, organise, centre), single quotation marks for quotes, and "
       "dates as 24 March 2025."),
    _L("de", "German", "Deutsch", "GERMAN", "Schreibe den Text direkt auf Deutsch, nicht als Übersetzung.",
       "Write as a German copywriter would: natural German word order and compound nouns, no "
       "English sentence patterns carried over, no anglicisms where a common German word exists. "
       "Quotation marks „…“, decimal comma and thousands point (1.250,5), dates as 24. März 2025. "
       "Capitalise nouns.",
       ("Address the reader as „Sie“.", "Address the reader as „du“.")),
    _L("fr", "French", "Français", "FRENCH", "Rédige le texte directement en français, pas comme une traduction.",
       "Write as a French copywriter would: idiomatic French, no calques of English. French "
       "typography: guillemets « … » with spaces inside, a space before ; : ! and ?, decimal "
       "comma and a space between thousands (1 250,5), dates as 24 mars 2025, no capitals on "
       "months or days.",
       ("Address the reader as « vous ».", "Address the reader as « tu ».")),
    _L("es", "Spanish", "Español", "SPANISH", "Escribe el texto directamente en español, no como una traducción.",
       "Write as a Spanish-speaking copywriter would, in neutral international Spanish: opening "
       "¿ and ¡, comillas « » or “ ”, decimal comma (1.250,5), dates as 24 de marzo de 2025, no "
       "capitals on months or days, no English sentence patterns.",
       ("Address the reader as «usted».", "Address the reader as «tú».")),
    _L("it", "Italian", "Italiano", "ITALIAN", "Scrivi il testo direttamente in italiano, non come una traduzione.",
       "Write as an Italian copywriter would: idiomatic Italian, « » or “ ” for quotes, decimal "
       "comma (1.250,5), dates as 24 marzo 2025, no capitals on months or days.",
       ("Address the reader with the formal «Lei».", "Address the reader as «tu».")),
    _L("pt", "Portuguese", "Português", "PORTUGUESE", "Escreva o texto diretamente em português, não como uma tradução.",
       "Write as a Brazilian copywriter would, unless the audience names Portugal: idiomatic "
       "Portuguese, “ ” for quotes, decimal comma (1.250,5), dates as 24 de março de 2025, no "
       "capitals on months.",
       ("Address the reader as «o senhor / a senhora» or impersonally.", "Address the reader as «você».")),
    _L("nl", "Dutch", "Nederlands", "DUTCH", "Schrijf de tekst direct in het Nederlands, niet als vertaling.",
       "Write as a Dutch copywriter would: idiomatic Dutch word order, compound words written "
       "together, “ ” or ‘ ’ for quotes, decimal comma (1.250,5), dates as 24 maart 2025.",
       ("Address the reader as „u”.", "Address the reader as „je”.")),
    _L("pl", "Polish", "Polski", "POLISH", "Napisz tekst bezpośrednio po polsku, a nie jako tłumaczenie.",
       "Write as a Polish copywriter would: natural Polish inflection and word order, quotation "
       "marks „…”, decimal comma and a space between thousands (1 250,5), dates as 24 marca 2025.",
       ("Address readers formally (Pan/Pani, Państwo).", "Address the reader as „Ty”.")),
    _L("sv", "Swedish", "Svenska", "SWEDISH", "Skriv texten direkt på svenska, inte som en översättning.",
       "Write as a Swedish copywriter would: ” ” for quotes, decimal comma and a space between "
       "thousands (1 250,5), dates as 24 mars 2025.",
       ("Address the reader as „du“ (the norm in Swedish).", "Address the reader as „du“.")),
    _L("zh", "Chinese (Simplified)", "简体中文", "CHINESE", "请直接用简体中文写作，不要写成翻译腔。",
       "Write as a mainland Chinese copywriter would, in Simplified Chinese: full-width "
       "punctuation （，。！？：；“”《》）, no spaces between Chinese characters, dates as "
       "2025年3月24日, numbers with 万/亿 where natural.",
       ("Address the reader as 您.", "Address the reader as 你."), spaceless=True),
    _L("ja", "Japanese", "日本語", "JAPANESE", "翻訳調ではなく、最初から自然な日本語で書いてください。",
       "Write as a Japanese copywriter would: natural Japanese, full-width punctuation （、。「」）, "
       "no spaces between words, dates as 2025年3月24日.",
       ("Use the polite です・ます style.", "Use a friendly but polite です・ます style."), spaceless=True),
    _L("ko", "Korean", "한국어", "KOREAN", "번역투가 아닌 자연스러운 한국어로 직접 작성하세요.",
       "Write as a Korean copywriter would: natural Korean with standard word spacing (띄어쓰기), "
       "dates as 2025년 3월 24일.",
       ("Use the formal 합니다 style.", "Use the polite 해요 style.")),
)  # fmt: skip

LANGUAGES_BY_CODE: MappingProxyType[str, Language] = MappingProxyType({lang.code: lang for lang in LANGUAGE_TABLE})
#: code → label, for forms and the brief.
LANGUAGE_LABELS: MappingProxyType[str, str] = MappingProxyType({lang.code: lang.name for lang in LANGUAGE_TABLE})

# Detoxify's `multilingual` checkpoint was trained on the Jigsaw multilingual data: English
# comments plus French, Spanish, Italian, Portuguese, Turkish and Russian (detoxify's README).
# For any other language its scores are a guess, so that tier does not count as a check there.
DETOXIFY_MULTILINGUAL = frozenset({"en", "fr", "es", "it", "pt"})
# The English profanity model (alt-profanity-check) and the bias rule files read English only.
ENGLISH_ONLY = frozenset({"en", "en-GB"})


def base_code(code: str) -> str:
    """``en-GB`` → ``en``: the language without its regional variant."""
    return (code or "en").split("-")[0].lower()


def get_language(code: str) -> Language:
    lang = LANGUAGES_BY_CODE.get(code) or LANGUAGES_BY_CODE.get(base_code(code))
    if lang is None:
        raise KeyError(code)
    return lang


def language_name(code: str) -> str:
    try:
        return get_language(code).name
    except KeyError:
        return code


def is_english(code: str) -> bool:
    return base_code(code) == "en"


def same_language(a: str, b: str) -> bool:
    """Whether two codes name one language (``en`` and ``en-GB`` do)."""
    return base_code(a) == base_code(b)


def names(codes) -> str:  # type: ignore[no-untyped-def]
    """"English, French and Spanish": codes as a phrase."""
    labels = [language_name(c) for c in codes]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def writing_instructions(code: str, formality: int) -> str:
    """What a prompt says so a model writes natively in ``code`` (see the module docstring)."""
    lang = get_language(code)
    formal, informal = lang.address
    address = (informal if formality >= 4 else formal) if formal else ""
    parts = [lang.instruction]
    if not is_english(code):
        parts.append(
            f"Write in {lang.name} from the first word, as a native {lang.name} writer would for this "
            "audience; do not draft in English and translate."
        )
    parts.append(lang.conventions)
    if address:
        parts.append(address)
    return " ".join(parts)
