"""Which exceptions carry a message meant for the person, and what it is."""

from __future__ import annotations


def user_message(exc: BaseException) -> str | None:
    """The message for a refusal or bad input, or None for a bug (which should propagate)."""
    from studio.auth import AuthError
    from studio.drafts import DraftInputError, DraftNotFound, VersionConflict
    from studio.generation.brief import BriefError
    from studio.generation.providers import ProviderConfigError

    known: tuple[type[BaseException], ...] = (
        AuthError,
        DraftInputError,
        DraftNotFound,
        VersionConflict,
        BriefError,
        ProviderConfigError,
    )
    from studio.export import ExportError
    from studio.review import ReviewError

    known += (ReviewError, ExportError)
    if isinstance(exc, known):
        return str(exc.args[0]) if exc.args else str(exc)
    return None
