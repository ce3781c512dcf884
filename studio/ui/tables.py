"""A table whose rows people pick (st.dataframe with row selection), with a selection the page can
set: select all, clear, the next draft. The grid keeps its own ticks in the browser, so a
selection set by the page gets a new grid (a new key) that starts from it; the ticks shown and
the selection the page acts on are then always the same."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import streamlit as st


def _generation_key(key: str) -> str:
    return f"{key}__generation"


def picked_rows(
    data: Sequence[dict[str, Any]], *, key: str, alt: str, row_ids: Sequence[Any], selected: Sequence[int] = (),
    multi: bool = False, column_config: dict[str, Any] | None = None,
) -> list[int]:  # fmt: skip
    """Show ``data`` with row selection; returns the indexes of the rows ticked now.
    ``row_ids``: what each row is (a draft id); other rows (a filter changed, a draft left the
    list) make a new grid, so a tick never lands on another draft. ``selected``: the rows ticked
    when the grid is new (or after ``select``)."""
    generation = st.session_state.get(_generation_key(key), 0)
    rows_seen = zlib.crc32(",".join(map(str, row_ids)).encode())
    event = st.dataframe(
        list(data), hide_index=True, width="stretch", on_select="rerun", key=f"{key}__{generation}_{rows_seen}",
        selection_mode="multi-row" if multi else "single-row", alt=alt, column_config=column_config,
        selection_default={"selection": {"rows": [i for i in selected if 0 <= i < len(data)]}},
    )  # fmt: skip
    rows = event.selection.rows if event is not None else []
    return sorted({i for i in rows if 0 <= i < len(data)})


def select(key: str) -> None:
    """Start the table ``key`` again from the page's selection at the next run."""
    st.session_state[_generation_key(key)] = st.session_state.get(_generation_key(key), 0) + 1
