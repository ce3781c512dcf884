"""One error base for everything the studio refuses on purpose.

A `StudioError` carries the sentence the person reads (``str(exc)``); anything else that escapes a
service is a bug and propagates. Pages show the message (``studio.ui.attempt``), the CLI prints it
and exits 1. Each package raises these or its own subclasses; nothing else keeps a list of
"known" exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping


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


def user_message(exc: BaseException) -> str | None:
    """The message for a refusal or bad input, or None for a bug (which should propagate)."""
    if isinstance(exc, StudioError):
        return str(exc)
    return None
