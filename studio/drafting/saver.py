"""Keeping a generation's text saved while it streams, and never losing it when saving fails.

Any generation path uses the same three pieces (the writer does; long-form sections, variants
and revise-by-instruction can too):

- `StreamSaver`: give it each piece as it arrives (`add`); a background thread saves the text so
  far every few seconds, or sooner when a paragraph ends, as one "partial" revision of the draft
  that every later save rewrites (or, for a regeneration of a complete text, as the run's
  attempt on its Generation record, so the current text stays as it is). A process killed
  mid-stream (SIGKILL, a crashed server) keeps the brief and the text up to the last save. The
  streaming loop never waits for the database.
- `save_with_retries(engine, write)`: the final save, tried again when the database is busy,
  full or unreachable.
- `write_recovery_file(...)`: when every try failed, the brief and the text go to a Markdown file
  the message names, so nothing generated is lost.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, update
from sqlalchemy.engine import make_url

from studio.config import PROJECT_ROOT, get_settings
from studio.content import storable_text
from studio.db import session_scope
from studio.drafting.service import MAX_BODY_CHARS, add_revision
from studio.errors import StorageError, StudioError, VersionConflict, os_error_message, user_message
from studio.models import Draft, DraftSearch, Generation, Revision, User

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 2.0
# A paragraph that ends is saved at once, but not more often than this.
MIN_SECONDS_BETWEEN_SAVES = 0.5
SAVE_ATTEMPTS = 3
RETRY_DELAYS = (0.5, 2.0)

IN_PROGRESS = (
    "The generation had not finished when this was last saved: the text so far is saved every few "
    "seconds while it streams. If it stays like this, the run was stopped (the studio or its server "
    "ended); the brief and the text so far are kept: retry to finish."
)

T = TypeVar("T")


class StreamSaver:
    """Saves the text of one generation as it streams (see the module's doc)."""

    def __init__(
        self,
        engine: Engine | None,
        draft_id: int,
        actor_id: int,
        *,
        every: float = SAVE_EVERY_SECONDS,
        min_gap: float = MIN_SECONDS_BETWEEN_SAVES,
        generation_id: int | None = None,
        attempt: bool = False,
    ) -> None:
        self.engine, self.draft_id, self.actor_id = engine, draft_id, actor_id
        self.generation_id = generation_id
        #: Save the text as the Generation's attempt instead of a revision (needs generation_id).
        self.attempt = attempt and generation_id is not None
        self.every, self.min_gap = every, min_gap
        #: The revision the saves write; None until the first save.
        self.revision_id: int | None = None
        self.saves = 0
        self.failures = 0
        self._parts: list[str] = []
        self._length = 0
        self._saved_length = 0  # what the thread has taken to save
        self._committed_length = 0  # what is saved
        self._paragraph_ended = False
        self._last_save = time.monotonic()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"save-draft-{draft_id}", daemon=True)
        self._thread.start()

    def add(self, piece: str) -> None:
        """The next piece of text, as it arrived. Cheap: the saving happens in the thread."""
        if not piece:
            return
        with self._cond:
            last = self._parts[-1][-1:] if self._parts else ""
            if "\n\n" in piece or (last == "\n" and piece.startswith("\n")):
                self._paragraph_ended = True
            self._parts.append(piece)
            self._length += len(piece)
            if self._due():
                self._cond.notify()

    def stop(self, *, flush: bool = False) -> None:
        """No more saves from the thread; waits for a save in flight. ``flush``: then save the
        text not saved yet, here and now, so a process killed during the caller's last save
        (its final transaction) still keeps every character."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join()
        if flush and self._length != self._committed_length:
            self._save("".join(self._parts), self._length)

    def _save(self, text: str, length: int) -> None:
        try:
            with session_scope(self.engine) as session:
                if self.attempt:
                    saved = save_attempt_text(session, self.generation_id, text)
                else:
                    saved = save_partial_text(session, self.draft_id, self.actor_id, self.revision_id, text,
                                              self.generation_id)  # fmt: skip
            self.revision_id = saved  # only once committed
            self._committed_length = length
            self.saves += 1
        except Exception as exc:  # noqa: BLE001 - the next save (or the final one) tries again
            with self._cond:
                self._saved_length = self._committed_length  # due again after the interval
            self.failures += 1
            log.warning("saving the text so far of draft %s failed: %s", self.draft_id, user_message(exc) or exc)

    def _due(self) -> bool:
        if self._length == self._saved_length:
            return False
        waited = time.monotonic() - self._last_save
        return waited >= self.every or (self._paragraph_ended and waited >= self.min_gap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._due():
                    self._cond.wait(timeout=self.min_gap)
                if self._stopped:
                    return
                text = "".join(self._parts)
                self._parts = [text]
                length = self._length
                self._saved_length = length  # not saved again unless more arrives (or it fails)
                self._paragraph_ended = False
                self._last_save = time.monotonic()
            self._save(text, length)


def save_partial_text(
    session: Any, draft_id: int, actor_id: int, revision_id: int | None, text: str, generation_id: int | None = None
) -> int:
    """The text so far of a generation, as its one "partial" revision: made by the first save
    (and named on the run's Generation record), rewritten and kept findable by every later one.
    Returns the revision's id."""
    body = storable_text(text)[:MAX_BODY_CHARS]
    if revision_id is None:
        draft = session.get(Draft, draft_id)
        actor = session.get(User, actor_id)
        revision = add_revision(session, draft, body, actor, "partial", note=IN_PROGRESS, run_checks=False)
        if generation_id is not None:
            session.execute(update(Generation).where(Generation.id == generation_id).values(revision_id=revision.id))
        return revision.id
    # Rendered once the run ends; an export never takes a partial text.
    session.execute(
        update(Revision).where(Revision.id == revision_id).values(body=body, body_html=None, html_version=None)
    )
    session.execute(update(DraftSearch).where(DraftSearch.draft_id == draft_id).values(body=body))
    return revision_id


def save_attempt_text(session: Any, generation_id: int | None, text: str) -> None:
    """The text so far of a regeneration that must not touch the current text, on its
    Generation record (an attempt that can be viewed or restored if the run never finishes).
    Returns None: no revision is written."""
    body = storable_text(text)[:MAX_BODY_CHARS]
    session.execute(update(Generation).where(Generation.id == generation_id).values(attempt_text=body))


def save_with_retries(
    engine: Engine | None,
    write: Callable[[Any], T],
    *,
    attempts: int = SAVE_ATTEMPTS,
    delays: tuple[float, ...] = RETRY_DELAYS,
    sleep: Callable[[float], object] = time.sleep,
) -> tuple[T | None, BaseException | None]:
    """``write(session)`` in one transaction, tried up to ``attempts`` times when the database
    refuses with a sentence (busy, full, unreachable). Returns (its result, None), or (None, the
    last error). An unexpected error is logged and not retried."""
    error: BaseException | None = None
    for attempt in range(attempts):
        try:
            with session_scope(engine) as session:
                return write(session), None
        except (StorageError, VersionConflict) as exc:  # busy, full, unreachable: may pass
            error = exc
            log.warning("save attempt %s of %s failed: %s", attempt + 1, attempts, exc)
        except StudioError as exc:  # a refusal: trying again changes nothing
            return None, exc
        except Exception as exc:  # noqa: BLE001 - a bug: keep the text (recovery file), say so
            log.exception("saving a generation failed")
            return None, exc
        if attempt + 1 < attempts:
            sleep(delays[min(attempt, len(delays) - 1)])
    return None, error


def recovery_dir() -> Path:
    """Where recovery files go: STUDIO_RECOVERY_DIR, else a `recovery` folder beside the SQLite
    database, else data/recovery in the project."""
    settings = get_settings()
    if settings.studio_recovery_dir:
        return Path(settings.studio_recovery_dir).expanduser()
    url = make_url(settings.studio_database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).expanduser().resolve().parent / "recovery"
    return PROJECT_ROOT / "data" / "recovery"


def write_recovery_file(
    text: str, brief: dict[str, Any], *, draft_id: int | None, why: str, folders: list[Path] | None = None
) -> tuple[Path | None, str]:
    """The brief and the text as a Markdown file only its owner can read, in the first folder
    that takes it (the recovery folder, then the system's temporary folder). Returns the path
    (None if no folder could take it) and what went wrong with the folders that failed."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"draft-{draft_id if draft_id is not None else 'new'}-{stamp}-{os.getpid()}.md"
    # Front matter as JSON values (valid YAML), so no brief can break out of it.
    header = {"recovered_by": "Content Studio", "why": why, "draft": draft_id, "saved": stamp, "brief": brief}
    content = "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}\n" for k, v in header.items())
    content += "---\n\n" + text
    problems: list[str] = []
    for folder in folders or [recovery_dir(), Path(tempfile.gettempdir()) / "content-studio-recovery"]:
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            return path, "; ".join(problems)
        except OSError as exc:
            problems.append(os_error_message(exc, str(path)))
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
    return None, "; ".join(problems)
