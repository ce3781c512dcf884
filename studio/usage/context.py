"""What a model call is for and on whose behalf: set by the caller, read by the recorder.

    with usage.feature("variant"):
        chat.invoke(...)

The feature defaults to "draft". The person is set once per action by the entry point (the app's
router for everything a page does, the CLI's acting account, a batch job for its row), so code
that calls a model needs nothing but the feature tag. Threads do not inherit context variables:
code that calls a model from its own thread starts it with ``contextvars.copy_context().run``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

FEATURES = ("draft", "section", "variant", "revise", "fields", "batch", "moderation", "embeddings", "critic",
            "images")

FEATURE_LABELS = {
    "draft": "Draft",
    "section": "Section",
    "variant": "Variant",
    "revise": "Revise by instruction",
    "fields": "Publishing fields",
    "batch": "Batch row",
    "moderation": "Moderation",
    "embeddings": "Source search (embeddings)",
    "critic": "Critic pass",
    "images": "Image suggestions",
}


@dataclass
class CallObserver:
    """Collects what the calls made inside `observe()` ended with (a batch job reads the error
    and its Retry-After to decide when to try again)."""

    errors: list[BaseException] = field(default_factory=list)
    calls: int = 0

    @property
    def last_error(self) -> BaseException | None:
        return self.errors[-1] if self.errors else None


@dataclass(frozen=True)
class CallContext:
    feature: str = "draft"
    person_id: int | None = None
    batch_id: int | None = None
    # How many tokens the caller expects back (for the budget check before the call).
    expected_output_tokens: int | None = None
    observer: CallObserver | None = None


_current: ContextVar[CallContext] = ContextVar("studio_usage_context", default=CallContext())


def current() -> CallContext:
    return _current.get()


@contextmanager
def _with(**changes: object) -> Iterator[CallContext]:
    token = _current.set(replace(_current.get(), **changes))  # type: ignore[arg-type]
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def feature(name: str, *, expected_output_tokens: int | None = None) -> contextmanager:  # type: ignore[valid-type]
    """Tag the model calls made inside the block (draft, section, variant, revise, fields, batch)."""
    if name not in FEATURES:
        raise ValueError(f"Unknown feature {name!r}; known: {', '.join(FEATURES)}")
    changes: dict[str, object] = {"feature": name}
    if expected_output_tokens is not None:
        changes["expected_output_tokens"] = expected_output_tokens
    return _with(**changes)


def acting(person_id: int | None, *, batch_id: int | None = None) -> contextmanager:  # type: ignore[valid-type]
    """The calls inside the block are made on behalf of this person (and batch)."""
    return _with(person_id=person_id, batch_id=batch_id)


def set_person(person_id: int | None) -> None:
    """For a process that acts for one person throughout (a CLI command)."""
    _current.set(replace(_current.get(), person_id=person_id))


@contextmanager
def observe() -> Iterator[CallObserver]:
    observer = CallObserver()
    with _with(observer=observer):
        yield observer
