"""Which publishing fields follow the text, and which a person set (pure).

Each content field has a state in ``Draft.field_state``: who set it (``derived`` from the text,
proposed by the ``model``, or set by a ``person``) and its *basis*, what the text gave for it
when it was set. When the body changes:

* a field nobody set by hand is derived again when what the text gives for it changed (a model's
  proposal stays while the part of the text it came from is unchanged);
* a person's field keeps its value and is marked *may be out of date* when what the text gives
  for it changed since they set it (the mark goes when they save or confirm it, or when the text
  gives the old value again);
* the slug follows the title (whoever set the title) until the draft was first exported; from
  then on it stays, so the CMS keeps updating the same post.

A person's value equal to what the text gives is not a lock: that field keeps following.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.publishing.fields import derive_fields, make_slug

#: The fields that come from the text and are checked like it, in the order the CMS shows them.
CONTENT_FIELDS = ("title", "slug", "excerpt", "meta_description", "tags", "categories")
BY_PERSON, BY_MODEL, BY_TEXT = "person", "model", "derived"
STALE_NOTE = "May be out of date: the text it came from changed after it was set by hand."


def text_values(brief: Any, body: str) -> dict[str, Any]:
    """What the text (and the brief) gives for each content field; the slug from that title."""
    d = derive_fields(brief, body)
    return {
        "title": d.title,
        "slug": d.slug,
        "excerpt": d.excerpt,
        "meta_description": d.meta_description,
        "tags": list(d.tags),
        "categories": list(d.categories),
    }


@dataclass(frozen=True)
class Refresh:
    """What a body change does to the fields: new values, and the new state of every field."""

    values: dict[str, Any]
    state: dict[str, dict[str, Any]]
    stale: tuple[str, ...]


def _norm(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def refresh(
    current: Mapping[str, Any],
    state: Mapping[str, Mapping[str, Any]],
    old_text: Mapping[str, Any],
    new_text: Mapping[str, Any],
    *,
    slug_frozen: bool,
) -> Refresh:
    """The fields after the body changed from one that gives ``old_text`` to one that gives
    ``new_text``. ``current``: the field values now; ``state``: ``Draft.field_state`` (a field
    missing from it follows the text, with ``old_text`` as its basis)."""
    values: dict[str, Any] = {}
    new_state: dict[str, dict[str, Any]] = {}
    for name in CONTENT_FIELDS:
        if name == "slug":
            continue
        st = dict(state.get(name) or {"by": BY_TEXT, "basis": _norm(old_text[name])})
        basis, now = _norm(st.get("basis", old_text[name])), _norm(new_text[name])
        if st.get("by") == BY_PERSON:
            st["stale"] = now != basis
        elif now != basis or (not current.get(name) and now):
            st = {"by": BY_TEXT, "basis": now}
            if _norm(current.get(name)) != now:
                values[name] = now
        new_state[name] = st
    title = values.get("title", current.get("title") or "")
    slug_source = make_slug(title)
    st = dict(state.get("slug") or {"by": BY_TEXT, "basis": _norm(current.get("slug") or "")})
    if slug_frozen:
        st["stale"] = False
    elif st.get("by") == BY_PERSON:
        st["stale"] = slug_source != st.get("basis")
    else:
        st = {"by": BY_TEXT, "basis": slug_source}
        if slug_source and slug_source != (current.get("slug") or ""):
            values["slug"] = slug_source
    new_state["slug"] = st
    stale = tuple(n for n in CONTENT_FIELDS if new_state[n].get("stale"))
    return Refresh(values, new_state, stale)


def person_set(
    state: Mapping[str, Mapping[str, Any]], changed: Mapping[str, Any], text: Mapping[str, Any], title: str
) -> dict[str, dict[str, Any]]:
    """``state`` after a person saved ``changed`` (name → new value); ``text``: what the current
    text gives for each field; ``title``: the title after the save (the slug's source). A value
    equal to what the text gives keeps following the text."""
    out = {k: dict(v) for k, v in state.items()}
    for name, value in changed.items():
        if name not in CONTENT_FIELDS:
            continue
        source = make_slug(title) if name == "slug" else _norm(text[name])
        if _norm(value) == source:
            out[name] = {"by": BY_TEXT, "basis": source}
        else:
            out[name] = {"by": BY_PERSON, "basis": source, "stale": False}
    return out


def confirmed(
    state: Mapping[str, Mapping[str, Any]], names: list[str], text: Mapping[str, Any], title: str
) -> dict[str, dict[str, Any]]:
    """``state`` after a person confirmed that ``names`` stay as they are (no longer stale)."""
    out = {k: dict(v) for k, v in state.items()}
    for name in names:
        st = out.get(name)
        if st and st.get("by") == BY_PERSON:
            st["basis"] = make_slug(title) if name == "slug" else _norm(text[name])
            st["stale"] = False
    return out


def proposed(state: Mapping[str, Mapping[str, Any]], names: list[str], text: Mapping[str, Any], by: str):  # type: ignore[no-untyped-def]
    """``state`` after the writer set ``names`` (``by``: derived or model) for the current text."""
    out = {k: dict(v) for k, v in state.items()}
    for name in names:
        if name in CONTENT_FIELDS:
            out[name] = {"by": by, "basis": _norm(text[name])}
    return out


def is_person_set(state: Mapping[str, Mapping[str, Any]], name: str) -> bool:
    return (state.get(name) or {}).get("by") == BY_PERSON


def stale_fields(state: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The fields marked "may be out of date", in the CMS's order."""
    return [n for n in CONTENT_FIELDS if (state.get(n) or {}).get("stale")]
