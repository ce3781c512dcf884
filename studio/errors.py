"""One error base for everything the studio refuses on purpose.

A `StudioError` carries the sentence the person reads (``str(exc)``); anything else that escapes a
service is a bug and propagates. Pages show the message (``studio.ui.attempt``), the CLI prints it
and exits 1. Each package raises these or its own subclasses; nothing else keeps a list of
"known" exceptions.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping

from sqlalchemy import exc as sa_exc


class StudioError(Exception):
    """A refusal or bad input; ``str(exc)`` is fit to show the person."""


class NotFound(StudioError, LookupError):
    """The thing asked for does not exist (or the person may not know it does)."""


class PermissionDenied(StudioError):
    """The person may not do this; the message says who can."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.action = action


class VersionConflict(StudioError):
    """Someone changed the thing since the person loaded it; nothing was changed."""


class InputError(StudioError, ValueError):
    """Bad input. ``problems`` maps each field to what is wrong with it (may be empty when the
    message is about the input as a whole)."""

    def __init__(self, message: str | Mapping[str, str], problems: Mapping[str, str] | None = None) -> None:
        if isinstance(message, Mapping):
            problems = dict(message)
            message = " ".join(problems.values())
        super().__init__(message)
        self.problems: dict[str, str] = dict(problems or {})


class StorageError(StudioError):
    """The database or the disk could not do what was asked; nothing was changed."""


class DatabaseBusy(StorageError):
    """Another action held the database for longer than the busy timeout."""


class DiskFull(StorageError):
    """The disk (or the database's size limit) is full."""


class DatabaseUnavailable(StorageError):
    """The database server cannot be reached, or refused the connection."""


class FileProblem(StorageError):
    """A file could not be read or written; the message names it and says why."""


BUSY_MESSAGE = (
    "The database is busy: other actions held it for longer than the wait allowed. "
    "Nothing was changed; try again in a moment."
)
DISK_FULL_MESSAGE = "The disk is full, so nothing could be saved. Free some space and try again."

# Why a file operation failed, in words, by errno.
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.ENAMETOOLONG: "the name is too long for this file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "it does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "it already exists",
    errno.EIO: "the disk reported an input/output error",
    errno.EMFILE: "too many files are open",
    errno.ENXIO: "no device or reader is attached to it",
    errno.ELOOP: "it is a loop of symbolic links",
}


def os_error_message(exc: OSError, what: str | None = None) -> str:
    """One sentence for an OSError: what failed (the file named), and why."""
    path = what or exc.filename
    reason = _OS_REASONS.get(exc.errno or -1) or (exc.strerror or type(exc).__name__).lower()
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" while writing {path}" if path else ""
        return f"The disk is full{where}: {reason}. Free some space and try again."
    return f"Could not use {path}: {reason}." if path else f"A file operation failed: {reason}."


# SQLSTATE classes and codes of PostgreSQL errors that are about the server, not the request.
_PG_DISK_FULL = {"53100", "53200"}  # disk_full, out_of_memory
_PG_UNAVAILABLE_CLASSES = ("08", "57")  # connection exception, operator intervention


def database_error(exc: BaseException) -> StorageError | InputError | None:
    """The database error ``exc`` as a refusal with a sentence, or None when it is not one of
    the ones a person can act on (a bug: it propagates). The one place that reads them;
    `db.session_scope` raises what this returns (lost races are mapped there, before this)."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = str(orig).lower()
    if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
        return DatabaseBusy(BUSY_MESSAGE)
    if sqlstate in _PG_DISK_FULL or any(
        words in text for words in ("disk is full", "no space left on device", "could not extend file")
    ):
        return DiskFull(DISK_FULL_MESSAGE)
    if "attempt to write a readonly database" in text or "read-only" in text:
        return StorageError(
            "The database is read-only for the studio (its file or folder cannot be written). "
            "Nothing was changed; ask the admin to fix its permissions."
        )
    if "unable to open database file" in text:
        return DatabaseUnavailable(
            "The database file cannot be opened (its folder is missing or not writable). Nothing was changed."
        )
    if "malformed" in text or "not a database" in text:
        return StorageError(
            "The database file is damaged or is not a database. Nothing was changed; restore it from a backup."
        )
    lost_connection = isinstance(exc, sa_exc.OperationalError) and any(
        words in text for words in ("connection", "server closed", "could not connect")
    )
    if sqlstate.startswith(_PG_UNAVAILABLE_CLASSES) or lost_connection:
        return DatabaseUnavailable(
            "The database server cannot be reached or closed the connection. Nothing was changed; "
            "try again in a moment, and tell your admin if it keeps happening."
        )
    if isinstance(exc, sa_exc.DataError) or sqlstate.startswith("22"):
        # Text the database cannot store (a NUL, invalid UTF-8) or a number out of range. Fields
        # are checked before they reach it; this is the wall behind that check.
        return InputError(
            "The database refused a value (a character it cannot store, or a number out of range). "
            "Nothing was changed; check the text for invisible or control characters."
        )
    return None


def user_message(exc: BaseException) -> str | None:
    """The message for a refusal or bad input, or None for a bug (which should propagate).

    Database errors a person can act on (busy, full, unreachable) and operating-system errors
    (a file that cannot be written, a full disk) get their sentence here too.
    """
    if isinstance(exc, StudioError):
        return str(exc)
    mapped = database_error(exc)
    if mapped is not None:
        return str(mapped)
    if isinstance(exc, OSError):
        return os_error_message(exc)
    return None
