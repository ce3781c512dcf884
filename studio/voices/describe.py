"""The voice's description: written by the chat model from the samples and the measurements,
or, without a model (the demo writer) or when the model fails, from the measurements alone.
Either way editors can change it; the note says which way it was written."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from studio.config import Settings
from studio.drafting.failures import friendly_error
from studio.drafting.providers import ProviderChoice, get_chat_model, resolve_provider
from studio.languages.catalog import language_name

log = logging.getLogger(__name__)

SAMPLE_CHARS_SENT = 9_000
DESCRIPTION_MAX = 2_000

SYSTEM = (
    "You are a senior brand editor. From the writing samples and the measurements below, describe "
    "the voice so that another writer can reproduce it: tone and attitude, sentence rhythm, "
    "vocabulary and go-to expressions, how it addresses the reader (person, formality), what it "
    "avoids. Write 4 to 6 plain sentences in English, addressed to the writer (\"Write …\"). Do not "
    "quote more than a few words of the samples and do not name the company or product."
)


def measurements(profile: Mapping[str, Any]) -> str:
    """The measured profile in words: what the model is given, and the demo description."""
    parts: list[str] = []
    unit = profile.get("unit", "words")
    if profile.get("sentence_length_mean") is not None:
        parts.append(f"Sentences average {profile['sentence_length_mean']:.0f} {unit} "
                     f"(± {profile.get('sentence_length_sd') or 0:.0f}).")  # fmt: skip
    if profile.get("reading_ease") is not None:
        ease = profile["reading_ease"]
        feel = "very easy" if ease >= 80 else "easy" if ease >= 60 else "moderately demanding" if ease >= 40 else "demanding"
        parts.append(f"Reading ease {ease:.0f} ({feel}).")
    share = profile.get("contractions_share")
    if share is not None:
        parts.append(f"Contractions {round(100 * share)}% of the time where one is possible.")
    person = profile.get("person") or {}
    if person:
        ranked = sorted(person.items(), key=lambda kv: -kv[1])
        parts.append("Pronouns per 100 words: " + ", ".join(f"{k} {v:.1f}" for k, v in ranked) + ".")
    if profile.get("question_rate") is not None:
        parts.append(f"{round(100 * profile['question_rate'])}% of sentences are questions.")
    words = [w["word"] for w in profile.get("go_to_words") or []][:10]
    if words:
        parts.append("Go-to words: " + ", ".join(words) + ".")
    phrases = [p["phrase"] for p in profile.get("go_to_phrases") or []][:6]
    if phrases:
        parts.append("Go-to phrases: " + "; ".join(phrases) + ".")
    return " ".join(parts)


def measured_description(profile: Mapping[str, Any]) -> str:
    """A description composed from the measurements alone (no model)."""
    lines = []
    mean = profile.get("sentence_length_mean")
    if mean is not None:
        size = "short" if mean < 14 else "medium-length" if mean < 22 else "long"
        lines.append(f"Write {size} sentences (about {mean:.0f} {profile.get('unit', 'words')}), varied by about "
                     f"± {profile.get('sentence_length_sd') or 0:.0f}.")  # fmt: skip
    person = profile.get("person") or {}
    if person:
        main = max(person, key=lambda k: person[k])
        lines.append({"we": "Speak as “we”, for the team.", "you": "Talk to the reader directly as “you”.",
                      "i": "Write in the first person singular.", "they": "Write mostly about others (“they”)."}[main])  # fmt: skip
    share = profile.get("contractions_share")
    if share is not None:
        lines.append("Use contractions freely." if share >= 0.5 else "Prefer full forms over contractions."
                     if share < 0.2 else "Use contractions now and then.")  # fmt: skip
    if (profile.get("question_rate") or 0) >= 0.1:
        lines.append("Ask the reader questions.")
    lines.append(measurements(profile))
    return " ".join(lines)


def describe(
    samples: Sequence[str], profile: Mapping[str, Any], settings: Settings, choice: ProviderChoice | None = None
) -> tuple[str, str]:
    """(description, note). Never raises for a model failure: the note says what happened."""
    try:
        choice = choice or resolve_provider(settings)
    except Exception as exc:  # noqa: BLE001 - a misconfigured provider still gets a voice
        return measured_description(profile), f"Written from the measurements: {exc}"
    if choice.is_demo:
        return measured_description(profile), "Written from the measurements (demo writer, no AI model)."
    joined, used = "", 0
    for i, text in enumerate(samples, start=1):
        piece = text[: max(0, SAMPLE_CHARS_SENT - used)]
        if not piece:
            break
        joined += f"\n--- Sample {i} ---\n{piece}\n"
        used += len(piece)
    messages = [
        SystemMessage(SYSTEM),
        HumanMessage(f"Language of the samples: {language_name(profile.get('language') or 'en')}\n"
                     f"Measurements: {measurements(profile)}\n\nSamples:{joined}"),
    ]  # fmt: skip
    try:
        chat = get_chat_model(settings, choice, temperature=0.3)
        reply = chat.invoke(messages)
        text = " ".join(str(reply.content).split())[:DESCRIPTION_MAX]
        if not text:
            raise ValueError("empty description")
        return text, f"Written by {choice.label} from the samples."
    except Exception as exc:  # noqa: BLE001
        log.warning("voice description failed: %s", type(exc).__name__)
        why = friendly_error(exc, choice, mid_stream=False) if not isinstance(exc, ValueError) else "it returned nothing"
        return measured_description(profile), f"Written from the measurements: the model could not write it ({why})."
