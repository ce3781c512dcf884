"""The Brief: what a marketer asks for, validated before any model is called."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from studio.errors import InputError
from studio.languages.catalog import LANGUAGE_LABELS
from studio.prompts.schemas import PromptTemplate
from studio.sources.schemas import Passage
from studio.validation import problem as text_problem
from studio.voices.schemas import VoiceGuide
from studio.workspace.rules import CRITIC_MAX_ROUNDS

CONTENT_TYPES: dict[str, str] = {
    "blog": "Blog post",
    "news": "News article",
    "story": "Story",
}

# Voices reach the prompt as a description a model understands, never as the enum name alone.
VOICES: dict[str, str] = {
    "professional": "professional: confident, clear and credible, like a trusted industry expert",
    "friendly": "friendly: warm and approachable, like a helpful colleague talking to the reader",
    "persuasive": "persuasive: benefit-led and convincing, building a case and asking for action",
    "witty": "witty: clever and light, with tasteful humour and wordplay that never undercuts the point",
    "inspirational": "inspirational: uplifting and motivating, painting what the reader can achieve",
    "empathetic": "empathetic: understanding and reassuring, acknowledging the reader's concerns first",
}

# Five steps from very formal to playful.
FORMALITY: dict[int, tuple[str, str]] = {
    1: ("Very formal", "very formal: no contractions, precise vocabulary, third person, no slang or jokes"),
    2: ("Formal", "formal: polished and businesslike, few contractions, measured sentences"),
    3: ("Balanced", "balanced: conversational but polished, contractions are fine, plain words"),
    4: ("Casual", "casual: relaxed and chatty, short sentences, speaks directly to the reader as 'you'"),
    5: ("Playful", "playful: energetic and fun, vivid images, light humour and exclamation where it fits"),
}

# The languages a brief may ask for (studio/languages/catalog.py says how each is written).
LANGUAGES: Mapping[str, str] = LANGUAGE_LABELS
SOURCES_MAX = 20

TOPIC_MAX_CHARS = 300
AUDIENCE_MAX_CHARS = 300
KEYWORDS_MAX = 12
KEYWORD_MAX_CHARS = 60
WORDS_MIN = 100
WORDS_MAX = 3000
TEMPERATURE_MIN = 0.0
TEMPERATURE_MAX = 2.0
DEFAULT_TEMPERATURE = 0.7

TEMPERATURE_HINT = (
    "Low (0–0.5): focused and predictable, good for news and factual copy. "
    "Around 0.7: balanced. High (1.2–2): more surprising wording and ideas, "
    "but a greater risk of rambling or errors."
)


class BriefError(InputError):
    """A brief that cannot be sent. `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)


def _clean(text: str) -> str:
    # Control characters (other than newlines and tabs) are dropped: they are never meant, and
    # some break terminals, CSV readers and prompts.
    # Lone surrogates (undecodable bytes from a terminal) are not valid UTF-8: U+FFFD instead.
    text = unicodedata.normalize("NFC", (text or "").encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def parse_keywords(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        kw = " ".join(_clean(str(item)).split())
        if kw and kw.casefold() not in seen:
            seen[kw.casefold()] = kw
    return list(seen.values())


@dataclass(frozen=True)
class WritingContext:
    """What the writer is given beyond the brief's own fields, resolved from the workspace just
    before writing (``drafting.context``): the brand voice as a guide (description, rules,
    excerpts) and the source passages with the ids it cites. ``grounded``: the brief asked for
    sources, so the prompt says to cite them (or to write [NEEDS SOURCE] where none supports a
    fact), even when the search found nothing."""

    voice: VoiceGuide | None = None
    passages: tuple[Passage, ...] = ()
    grounded: bool = False
    # The prompt version it is written with (studio.prompts); None: the built-in templates.
    prompt: PromptTemplate | None = None


@dataclass(frozen=True)
class Brief:
    content_type: str
    topic: str
    audience: str = ""
    keywords: list[str] = field(default_factory=list)
    tone: str = "professional"
    formality: int = 3
    temperature: float = DEFAULT_TEMPERATURE
    target_words: int = 600
    language: str = "en"
    # The brand voice by id; None with use_default_voice: the workspace's default voice.
    voice_id: int | None = None
    use_default_voice: bool = True
    # Knowledge sources to ground the piece in: these ids, or every source (search_sources).
    source_ids: tuple[int, ...] = ()
    search_sources: bool = False
    # Rounds of the critic pass after writing (studio/critic): None follows the workspace, 0 is off.
    critic_rounds: int | None = None
    context: WritingContext | None = field(default=None, compare=False)

    @classmethod
    def create(cls, **values: Any) -> Brief:
        """Build a Brief from form or CLI values, or raise BriefError naming every bad field."""
        problems: dict[str, str] = {}
        for name, label in (("topic", "Topic"), ("audience", "Audience"), ("keywords", "Keywords")):
            found = text_problem(values.get(name), label)
            if found is not None:
                problems[name] = found

        content_type = str(values.get("content_type") or "").strip().lower()
        if content_type not in CONTENT_TYPES:
            problems["content_type"] = (
                f"Unknown content type '{content_type}'. Choose one of: {', '.join(CONTENT_TYPES)}."
            )

        topic = _clean(str(values.get("topic") or ""))
        if "topic" in problems:
            pass
        elif not topic:
            problems["topic"] = "Topic is empty. Say in a sentence what the piece is about."
        elif len(topic) > TOPIC_MAX_CHARS:
            problems["topic"] = (
                f"Topic is {len(topic)} characters; the limit is {TOPIC_MAX_CHARS}. "
                "Put details in the audience or keywords."
            )

        audience = _clean(str(values.get("audience") or ""))
        if "audience" not in problems and len(audience) > AUDIENCE_MAX_CHARS:
            problems["audience"] = (
                f"Audience is {len(audience)} characters; the limit is {AUDIENCE_MAX_CHARS}."
            )

        raw_keywords = values.get("keywords")
        keywords: list[str] = []
        if "keywords" in problems:
            pass
        elif raw_keywords is not None and not isinstance(raw_keywords, (str, list, tuple)):
            problems["keywords"] = "Keywords must be text: words or phrases separated by commas."
        else:
            keywords = parse_keywords(raw_keywords)
            if len(keywords) > KEYWORDS_MAX:
                problems["keywords"] = f"{len(keywords)} keywords given; the limit is {KEYWORDS_MAX}."
            elif any(len(k) > KEYWORD_MAX_CHARS for k in keywords):
                problems["keywords"] = f"Each keyword may be at most {KEYWORD_MAX_CHARS} characters."

        tone = str(values.get("tone") or "professional").strip().lower()
        if tone not in VOICES:
            problems["tone"] = f"Unknown voice '{tone}'. Choose one of: {', '.join(VOICES)}."

        formality = _as_number(values.get("formality", 3), int)
        if formality is None or formality not in FORMALITY:
            problems["formality"] = "Formality must be a whole number from 1 (very formal) to 5 (playful)."

        temperature = _as_number(values.get("temperature", DEFAULT_TEMPERATURE), float)
        if temperature is None or not (TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX):
            problems["temperature"] = (
                f"Temperature must be between {TEMPERATURE_MIN} and {TEMPERATURE_MAX}."
            )

        words = _as_number(values.get("target_words", 600), int)
        if words is None or not (WORDS_MIN <= words <= WORDS_MAX):
            problems["target_words"] = f"Target length must be {WORDS_MIN}–{WORDS_MAX} words."

        language = str(values.get("language") or "en").strip()
        if language not in LANGUAGES:
            problems["language"] = (
                f"Unsupported language '{language}'. Choose one of: {', '.join(LANGUAGES)}."
            )

        voice_id = values.get("voice_id")
        if voice_id in ("", None):
            voice_id = None
        else:
            voice_id = _as_number(voice_id, int)
            if voice_id is None or voice_id <= 0:
                problems["voice_id"] = "The brand voice must be given by its number."
        raw_sources = values.get("source_ids") or ()
        if isinstance(raw_sources, (str, int)):
            raw_sources = str(raw_sources).replace(",", " ").split()
        source_ids = [_as_number(v, int) for v in raw_sources]
        if any(v is None or v <= 0 for v in source_ids):
            problems["source_ids"] = "Sources are given by their numbers (see: python -m studio sources list)."
        elif len(source_ids) > SOURCES_MAX:
            problems["source_ids"] = f"{len(source_ids)} sources picked; the limit is {SOURCES_MAX} (or search all)."

        critic_rounds = values.get("critic_rounds")
        if critic_rounds in ("", None):
            critic_rounds = None
        else:
            critic_rounds = _as_number(critic_rounds, int)
            if critic_rounds is None or not 0 <= critic_rounds <= CRITIC_MAX_ROUNDS:
                problems["critic_rounds"] = f"Critic pass rounds is a whole number from 0 (off) to {CRITIC_MAX_ROUNDS}."

        if problems:
            raise BriefError(problems)
        return cls(
            content_type=content_type,
            topic=topic,
            audience=audience,
            keywords=keywords,
            tone=tone,
            formality=int(formality),  # type: ignore[arg-type]
            temperature=round(float(temperature), 2),  # type: ignore[arg-type]
            target_words=int(words),  # type: ignore[arg-type]
            language=language,
            voice_id=voice_id,
            use_default_voice=bool(values.get("use_default_voice", True)),
            source_ids=tuple(dict.fromkeys(source_ids)),  # type: ignore[arg-type]
            search_sources=bool(values.get("search_sources", False)),
            critic_rounds=critic_rounds,
        )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("context", None)
        return out

    @property
    def type_label(self) -> str:
        return CONTENT_TYPES[self.content_type]

    @property
    def language_name(self) -> str:
        return LANGUAGES[self.language]


def _as_number(value: Any, kind: type) -> Any:
    if isinstance(value, bool):
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        return None
    if kind is int and isinstance(value, float) and not value.is_integer():
        return None
    if kind is float and number != number:  # NaN
        return None
    return number


#: What each field of the brief is called on the New draft page.
FIELD_LABELS = {
    "content_type": "Content type",
    "topic": "Topic",
    "audience": "Audience",
    "keywords": "Keywords",
    "tone": "Voice",
    "formality": "Formality",
    "temperature": "Temperature",
    "target_words": "Target length",
    "language": "Language",
    "voice_id": "Brand voice",
    "source_ids": "Sources",
    "critic_rounds": "Critic pass",
}


def problem_text(field: str, problem: str) -> str:
    """A field's problem as the page shows it: "**Audience:** …", but "Topic is empty. …" rather
    than "Topic: Topic is empty." when the sentence already names the field."""
    label = FIELD_LABELS.get(field, field)
    if problem.casefold().startswith(label.casefold()):
        return problem
    return f"**{label}:** {problem}"
