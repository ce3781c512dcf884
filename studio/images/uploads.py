"""Candidate images uploaded for a draft: checked to be images, kept in the draft's folder under
``STUDIO_MEDIA_DIR`` (``draft-<id>/``), ranked from there like any media folder."""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from studio.images.slots import IMAGE_SUFFIXES, is_image_name

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRefused(ValueError):
    """A file is not taken; the message names it and says why."""


def draft_folder(settings: Any, draft_id: int) -> Path:
    return Path(settings.studio_media_dir).expanduser() / f"draft-{int(draft_id)}"


def safe_name(name: str) -> str:
    """The file's own name (no folders), with only letters, digits, spaces, dots, dashes."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("-", base).strip(" .-") or "image"
    return cleaned[-120:]


def check_image(name: str, data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    if not is_image_name(name):
        kinds = ", ".join(sorted(IMAGE_SUFFIXES))
        raise UploadRefused(f"{name} is not an image file ({kinds}).")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"{name} is {len(data) / 1e6:.1f} MB; images up to {MAX_UPLOAD_BYTES // 2**20} MB are taken.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRefused(f"{name} does not open as an image ({exc}).") from None


def save(settings: Any, draft_id: int, files: Sequence[tuple[str, bytes]]) -> list[str]:
    """Check every file first (nothing is saved if one is refused), then write each whole
    (a temporary file renamed into place). Returns the names as saved."""
    named = [(safe_name(n), data) for n, data in files]
    for name, data in named:
        check_image(name, data)
    folder = draft_folder(settings, draft_id)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, data in named:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        saved.append(name)
    return saved
