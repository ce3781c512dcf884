"""One rule for every text a person gives the studio, checked where it comes in.

A NUL character or a lone surrogate (bytes that were not valid UTF-8, as a terminal hands them
over from a mistyped argument) cannot be stored by every database: PostgreSQL refuses the first,
and neither can encode the second. Such a field is refused with a message naming it, before
anything is written; model output is cleaned instead (`content.storable_text`), since nobody
typed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from studio.content import unstorable
from studio.errors import InputError


def problem(value: Any, label: str) -> str | None:
    """The sentence refusing ``value`` as the field called ``label``, or None when it is fine.
    Lists (tags, keywords) are checked item by item."""
    items: Iterable[Any] = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        found = unstorable(item) if isinstance(item, str) else None
        if found is not None:
            fix = "Remove it" if "NUL" in found else "Type it again, or save the text as UTF-8"
            return f"{label} contains {found}, which cannot be stored. {fix}; nothing was saved."
    return None


def storable(value: Any, label: str, field: str | None = None) -> Any:
    """``value`` unchanged, or InputError naming the field (``field`` is its key in ``problems``)."""
    found = problem(value, label)
    if found is not None:
        raise InputError(found, {field or label.lower(): found})
    return value


def storable_fields(values: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, str]:
    """``{field: sentence}`` for every field of ``values`` that breaks the rule."""
    out: dict[str, str] = {}
    for name, value in values.items():
        found = problem(value, labels.get(name, name.replace("_", " ").capitalize()))
        if found is not None:
            out[name] = found
    return out
