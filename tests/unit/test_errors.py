"""Every database and operating-system error a person can act on is one sentence, from one place
(`studio.errors`); anything else stays a bug and propagates."""

from __future__ import annotations

import errno

import pytest
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from studio.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    DiskFull,
    InputError,
    StorageError,
    database_error,
    os_error_message,
    user_message,
)


class PgError(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("error,kind,words", [
    (OperationalError("UPDATE", {}, Exception("database is locked")), DatabaseBusy, "The database is busy"),
    (OperationalError("INSERT", {}, Exception("database or disk is full")), DiskFull, "The disk is full"),
    (OperationalError("INSERT", {}, PgError("could not extend file", "53100")), DiskFull, "The disk is full"),
    (OperationalError("SELECT", {}, PgError("connection refused", "08006")), DatabaseUnavailable, "cannot be reached"),
    (OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly")), DatabaseUnavailable,
     "cannot be reached"),
    (OperationalError("INSERT", {}, Exception("attempt to write a readonly database")), StorageError, "read-only"),
    (OperationalError("SELECT", {}, Exception("database disk image is malformed")), StorageError, "damaged"),
    (OperationalError("SELECT", {}, Exception("unable to open database file")), DatabaseUnavailable, "cannot be opened"),
    (DataError("INSERT", {}, PgError("A string literal cannot contain NUL (0x00) characters.", "22021")), InputError,
     "refused a value"),
])  # fmt: skip
def test_database_errors_become_sentences(error, kind, words):
    mapped = database_error(error)
    assert isinstance(mapped, kind) and words in str(mapped)
    assert user_message(error) == str(mapped)


def test_a_bug_is_not_dressed_up_as_a_sentence():
    assert database_error(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))) is None
    assert user_message(ValueError("boom")) is None


@pytest.mark.parametrize("code,words", [
    (errno.ENOSPC, "The disk is full while writing /data/posts.csv"),
    (errno.ENAMETOOLONG, "the name is too long"),
    (errno.EACCES, "permission denied"),
    (errno.EROFS, "read-only"),
])  # fmt: skip
def test_os_errors_become_sentences_naming_the_file(code, words):
    error = OSError(code, "strerror", "/data/posts.csv")
    assert words in os_error_message(error) and "/data/posts.csv" in os_error_message(error)
    assert user_message(error) == os_error_message(error)
