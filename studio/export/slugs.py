"""Slugs unique within an export and against earlier exports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from studio.content import slugify
from studio.export.rows import ExportRow


def unique_slugs(
    rows: Sequence[ExportRow], taken: Iterable[str] | Mapping[str, int] = ()
) -> list[str]:
    """One slug per row, in order: slugified, then suffixed ``-2``, ``-3``… until unused.

    ``taken`` holds slugs earlier exports used. As a mapping ``slug → draft_id`` it lets a draft
    that is exported again keep its own earlier slug (so the CMS updates rather than duplicates);
    as a plain iterable every listed slug counts as used by someone else.
    """
    return SlugAllocator(taken).take(rows)


class SlugAllocator:
    """:func:`unique_slugs`, a chunk at a time: an export hands out slugs for rows 0–499 and
    starts rendering them while it slugifies the next 500."""

    def __init__(self, taken: Iterable[str] | Mapping[str, int] = ()) -> None:
        if isinstance(taken, Mapping):
            self.owners: dict[str, int | None] = {str(s).lower(): d for s, d in taken.items()}
        else:
            self.owners = {str(s).lower(): None for s in taken}
        self.used: set[str] = set()

    def take(self, rows: Iterable[ExportRow]) -> list[str]:
        owners, used = self.owners, self.used
        slugs: list[str] = []
        for row in rows:
            # slugify("") is "": skip the call, python-slugify is not free even for nothing.
            base = (row.slug and slugify(row.slug)) or slugify(row.title) or f"post-{row.draft_id}"
            candidate, n = base, 1
            while candidate in used or (
                candidate in owners
                and (owners[candidate] is None or owners[candidate] != row.draft_id)
            ):
                n += 1
                candidate = f"{base}-{n}"
            used.add(candidate)
            slugs.append(candidate)
        return slugs

