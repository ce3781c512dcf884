"""Where an export's file goes on disk (or to standard output), and how it gets there.

`choose_target` refuses, before anything is exported: the studio's own database file and its
``-wal``/``-shm``/``-journal`` companions (even with ``--force``); anything that is not a regular
file (a folder, a device, a FIFO, a socket); an existing file unless ``replace`` is given; a
folder that does not exist. ``-`` is standard output.

`place` writes the file where the target says, complete and flushed to disk, before the export's
transaction commits: a crash before the commit leaves a whole file and no export recorded (the
drafts stay approved), a crash after it leaves both. The bytes go to an anonymous file
(``O_TMPFILE``) that is linked into place only once complete, so no half-written or hidden
``.part`` file is ever left behind; on a file system without ``O_TMPFILE`` a named temporary file
beside the target is used and removed, and ones left by a killed run are removed by the next.
The file gets the usual permissions (0666 less the umask).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy.engine import make_url

from studio.errors import FileProblem, os_error_message
from studio.export.rows import ExportError

_DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")
_PART = ".part"


class OutputRefused(ExportError):
    """``--out`` names something the export must not write to; nothing was exported."""


class Writable(Protocol):
    def write_to(self, out: BinaryIO) -> None: ...


@dataclass(frozen=True)
class Target:
    path: Path | None  # None: standard output
    replace: bool = False

    @property
    def stdout(self) -> bool:
        return self.path is None


def _database_files(database_url: str) -> list[Path]:
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return []
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    base = Path(database).expanduser().resolve()
    return [base.with_name(base.name + suffix) for suffix in _DATABASE_COMPANIONS]


def choose_target(out: str, *, replace: bool, database_url: str) -> Target:
    """Where ``--out`` says to write, or OutputRefused saying why not."""
    if out == "-":
        return Target(None)
    if not out.strip():
        raise OutputRefused("The file name is empty; give a file name, or - for standard output.")
    path = Path(out).expanduser()
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, an unreadable folder
        raise OutputRefused(f"{out} cannot be used: {exc}.") from exc
    if resolved in _database_files(database_url) or any(
        _same_file(resolved, db) for db in _database_files(database_url)
    ):
        raise OutputRefused(
            f"{out} is the studio's own database (or one of its files); an export never writes there."
        )
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputRefused(os_error_message(exc, out)) from exc
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputRefused(f"{out} is a folder; give a file name.")
        if not stat.S_ISREG(info.st_mode):
            raise OutputRefused(
                f"{out} is not a regular file (a device, FIFO or socket); an export only writes files."
            )
        if not replace:
            raise OutputRefused(f"{out} already exists; add --force to replace it, or choose another name.")
    parent = resolved.parent
    if not parent.is_dir():
        raise OutputRefused(f"The folder {path.parent} does not exist.")
    if len(resolved.name.encode("utf-8", "surrogateescape")) > 255:
        raise OutputRefused(f"The file name is too long ({len(resolved.name)} characters); file systems allow 255 bytes.")
    return Target(resolved, replace)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def remove_leftovers(target: Target) -> None:
    """Named temporary files a killed run left beside the target (only where O_TMPFILE is
    missing): ``.<name>.<pid>.<n>.part`` of a process that is gone."""
    if target.path is None:
        return
    for leftover in target.path.parent.glob(f".{target.path.name}.*{_PART}"):
        parts = leftover.name[len(target.path.name) + 2 : -len(_PART)].split(".")
        if not parts or not parts[0].isdigit() or _alive(int(parts[0])):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def place(target: Target, file: Writable) -> Path:
    """Write ``file`` to ``target.path`` completely (fsynced), then make it appear there in one
    step. Returns the path, which the caller removes if the export then fails to commit."""
    assert target.path is not None
    path = target.path
    try:
        fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)
    except (AttributeError, OSError):
        return _place_named(target, file)
    try:
        _write_fd(fd, file, path)
        _link(f"/proc/self/fd/{fd}", target)
    finally:
        os.close(fd)
    _sync_folder(path.parent)
    return path


def _link(source: str, target: Target) -> None:
    assert target.path is not None
    path = target.path
    # linkat() with AT_SYMLINK_FOLLOW (which a directory fd makes os.link use): that is what
    # links an O_TMPFILE file through /proc/self/fd; plain link() would link the symlink.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if not target.replace:
            # Fails if something appeared there meanwhile: never replaced without --force.
            os.link(source, path.name, dst_dir_fd=folder, follow_symlinks=True)
            return
        temporary = f".{path.name}.{os.getpid()}.0{_PART}"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        os.link(source, temporary, dst_dir_fd=folder, follow_symlinks=True)
        try:
            os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
    except FileExistsError as exc:
        raise OutputRefused(f"{path} appeared while the export was written; nothing was replaced.") from exc
    except OSError as exc:
        raise FileProblem(os_error_message(exc, str(path))) from exc
    finally:
        os.close(folder)


def _place_named(target: Target, file: Writable) -> Path:
    assert target.path is not None
    path = target.path
    n = 0
    while True:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{n}{_PART}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            n += 1
        except OSError as exc:
            raise FileProblem(os_error_message(exc, str(path))) from exc
    try:
        try:
            _write_fd(fd, file, path)
        finally:
            os.close(fd)
        _link(str(temporary), target)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    _sync_folder(path.parent)
    return path


def _write_fd(fd: int, file: Writable, path: Path) -> None:
    try:
        with open(fd, "wb", closefd=False) as out:
            file.write_to(out)
            out.flush()
            os.fsync(fd)
    except OSError as exc:
        raise FileProblem(os_error_message(exc, str(path))) from exc


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def to_stdout(file: Writable) -> None:
    try:
        file.write_to(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader stopped reading (`| head`): not an error of the export
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        raise FileProblem(os_error_message(exc, "standard output")) from exc
