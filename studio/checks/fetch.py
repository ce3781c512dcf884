"""`python -m studio models fetch`: download Detoxify's checkpoint and its Hugging Face config and
tokenizer on a machine with internet, verify the checkpoint, and put both where `check()` looks.

* checkpoint -> ``torch.hub.get_dir()/checkpoints/<file>`` (Detoxify's own cache), verified
  against the SHA-256 prefix in its file name (``toxic_original-c1212f89.ckpt`` -> ``c1212f89``);
* config + tokenizer of the base model (e.g. ``bert-base-uncased``) -> the Hugging Face hub cache
  (``$HF_HOME/hub/models--<name>``), which is also where Detoxify's loader resolves the base model.

This is the only code in the package that goes to the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.checks.detoxify import DETOXIFY_BASE, DETOXIFY_FILES, torch_hub_dir

HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")  # the same pattern torch.hub uses
HF_PATTERNS = [
    "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
    "vocab.txt", "vocab.json", "merges.txt", "*.model",
]


class FetchError(Exception):
    pass


@dataclass
class FetchResult:
    model: str
    checkpoint: Path
    config_dir: Path | None
    downloaded: bool


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def expected_prefix(filename: str) -> str:
    m = HASH_IN_NAME.search(filename)
    if not m:
        raise FetchError(f"{filename}: no SHA-256 prefix in the file name")
    return m.group(1)


def verify_checkpoint(path: Path) -> str:
    """Check the file's SHA-256 starts with the prefix in its name; return the full digest."""
    prefix = expected_prefix(path.name)
    digest = sha256_of(path)
    if not digest.startswith(prefix):
        raise FetchError(f"{path.name}: SHA-256 {digest[:16]}… does not start with {prefix}")
    return digest


def model_urls() -> dict[str, str]:
    """Detoxify's own download URLs (from the installed package)."""
    from detoxify.detoxify import MODEL_URLS

    return dict(MODEL_URLS)


def _default_download(url: str, dst: str) -> None:
    import torch

    torch.hub.download_url_to_file(url, dst, hash_prefix=None, progress=True)


def _default_hf_fetch(repo_id: str) -> Path:
    import huggingface_hub.constants as c
    from huggingface_hub import snapshot_download

    was = c.HF_HUB_OFFLINE
    c.HF_HUB_OFFLINE = False  # a check in this process may have forced offline mode
    try:
        return Path(snapshot_download(repo_id=repo_id, allow_patterns=HF_PATTERNS))
    finally:
        c.HF_HUB_OFFLINE = was


def fetch(
    model: str = "original",
    *,
    urls: dict[str, str] | None = None,
    checkpoints_dir: Path | None = None,
    download: Callable[[str, str], None] | None = None,
    hf_fetch: Callable[[str], Path] | None = None,
    with_tokenizer: bool = True,
    out=None,
) -> FetchResult:
    out = out or (lambda msg: print(msg, file=sys.stderr))
    urls = urls if urls is not None else model_urls()
    if model not in urls:
        raise FetchError(f"unknown model {model!r}; one of: {', '.join(urls)}")
    url = urls[model]
    name = url.rsplit("/", 1)[-1]
    expected_prefix(name)
    dest_dir = Path(checkpoints_dir) if checkpoints_dir else torch_hub_dir() / "checkpoints"
    dest = dest_dir / name
    downloaded = False
    if dest.is_file():
        try:
            verify_checkpoint(dest)
            out(f"checkpoint present and verified: {dest}")
        except FetchError as exc:
            out(f"existing checkpoint is corrupt ({exc}); downloading again")
            dest.unlink()
    if not dest.is_file():
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".part", dir=dest_dir)
        os.close(fd)
        try:
            out(f"downloading {url}")
            (download or _default_download)(url, tmp)
            tmp_named = Path(tmp).with_name(name + ".verify")
            shutil.move(tmp, tmp_named)
            tmp = str(tmp_named)
            # verify under the real name's prefix
            prefix = expected_prefix(name)
            digest = sha256_of(Path(tmp))
            if not digest.startswith(prefix):
                raise FetchError(f"{name}: downloaded file's SHA-256 {digest[:16]}… does not start with {prefix}")
            os.replace(tmp, dest)
            downloaded = True
            out(f"checkpoint verified (sha256 {digest[:16]}…) -> {dest}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    cfg: Path | None = None
    if with_tokenizer:
        base = DETOXIFY_BASE.get(model)
        if base is None:
            raise FetchError(f"no known base model for {model!r}")
        out(f"fetching config and tokenizer of {base} into the Hugging Face cache")
        cfg = (hf_fetch or _default_hf_fetch)(base)
        out(f"config/tokenizer -> {cfg}")
    return FetchResult(model, dest, cfg, downloaded)


def air_gap_instructions(model: str = "original") -> str:
    """Which files an air-gapped site copies where (also in docs/moderation.md)."""
    name = DETOXIFY_FILES.get(model, "<checkpoint>.ckpt")
    base = DETOXIFY_BASE.get(model, "<base model>")
    return (
        f"Copy from a machine that ran `python -m studio models fetch --model {model}`:\n"
        f"  1. $TORCH_HOME/hub/checkpoints/{name}  (default ~/.cache/torch/hub/checkpoints/)\n"
        f"  2. $HF_HOME/hub/models--{base}/  (whole folder; default ~/.cache/huggingface/hub/)\n"
        "to the same places on the studio host, or anywhere and set STUDIO_DETOXIFY_CHECKPOINT to\n"
        "the .ckpt file and STUDIO_DETOXIFY_CONFIG_DIR to the folder with config.json and the\n"
        "tokenizer files (the snapshots/<hash>/ folder). Then run `python -m studio models status`."
    )
