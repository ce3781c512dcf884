"""CLIP, loaded from local files only, scores images against text (a headline, a section).

The model is `transformers`' CLIPModel with its CLIPProcessor, read from a directory
(``STUDIO_CLIP_MODEL_DIR``) or from the Hugging Face cache's snapshot of ``STUDIO_CLIP_MODEL``,
with the hub kept offline (``local_files_only``), like Detoxify in studio/checks/detoxify.py.
Without the files the status is "not installed", with the command that puts them there;
`fetch_clip` (``python -m studio models fetch --clip``) is the only code here that goes to the
network.

A score is the cosine similarity of the image's and the text's CLIP embeddings (from -1 to 1;
higher is a better match). When a slot has an image prompt as well as a heading, the text
embedding is the mean of both, normalised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.checks.detoxify import force_offline, hf_cached_snapshot

BATCH = 16
CLIP_PATTERNS = [
    "config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
    "special_tokens_map.json", "vocab.json", "merges.txt", "processor_config.json",
    "model.safetensors",
]  # fmt: skip


class ClipUnavailable(Exception):
    """No CLIP model on this machine (or it does not load); the message says what to do."""


@dataclass(frozen=True)
class ClipStatus:
    status: str  # "installed" | "not installed" | "broken"
    model_dir: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"status": self.status, "model_dir": self.model_dir, "reason": self.reason}


def model_dir(settings: Any) -> Path:
    """The directory CLIP loads from, or ClipUnavailable saying how to install it."""
    configured = getattr(settings, "studio_clip_model_dir", None)
    if configured:
        path = Path(configured).expanduser()
        if not (path / "config.json").is_file():
            raise ClipUnavailable(f"the configured CLIP directory {path} has no config.json")
        return path
    name = getattr(settings, "studio_clip_model", "") or "openai/clip-vit-base-patch32"
    snap = hf_cached_snapshot(name)
    if snap is None:
        raise ClipUnavailable(
            f"CLIP model {name} is not installed (run `python -m studio models fetch --clip` on a "
            "machine with internet, or set STUDIO_CLIP_MODEL_DIR to a local copy)"
        )
    return snap


class _Loaded:
    def __init__(self, path: Path) -> None:
        force_offline()
        import torch
        from transformers import CLIPModel, CLIPProcessor

        self.torch = torch
        self.model = CLIPModel.from_pretrained(str(path), local_files_only=True).eval()
        self.processor = CLIPProcessor.from_pretrained(str(path), local_files_only=True)
        self.max_tokens = int(getattr(self.model.config.text_config, "max_position_embeddings", 77))

    def _unit(self, x: Any) -> Any:
        if not hasattr(x, "norm"):  # a model output rather than a tensor
            x = x.pooler_output if getattr(x, "image_embeds", None) is None else x.image_embeds
        return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)

    def text_vector(self, texts: list[str]) -> Any:
        with self.torch.inference_mode():
            inputs = self.processor(text=texts, return_tensors="pt", padding=True, truncation=True,
                                    max_length=self.max_tokens)  # fmt: skip
            vectors = self._unit(self.model.get_text_features(**inputs))
            mean = vectors.mean(dim=0, keepdim=True)
            return mean / mean.norm(dim=-1, keepdim=True).clamp_min(1e-12)

    def image_vectors(self, images: list[Any]) -> Any:
        with self.torch.inference_mode():
            inputs = self.processor(images=images, return_tensors="pt")
            return self._unit(self.model.get_image_features(**inputs))


_cache: dict[str, _Loaded] = {}
_lock = threading.Lock()


def load(settings: Any) -> _Loaded:
    """The model for ``settings``, loaded once per directory and kept."""
    path = model_dir(settings)
    key = str(path.resolve())
    with _lock:
        if key not in _cache:
            try:
                _cache[key] = _Loaded(path)
            except Exception as exc:
                raise ClipUnavailable(f"the CLIP model in {path} does not load ({type(exc).__name__}: {exc})") from exc
        return _cache[key]


def status(settings: Any, *, load_model: bool = False) -> ClipStatus:
    try:
        path = model_dir(settings)
    except ClipUnavailable as exc:
        return ClipStatus("not installed", "", str(exc))
    if load_model:
        try:
            load(settings)
        except ClipUnavailable as exc:
            return ClipStatus("broken", str(path), str(exc))
    return ClipStatus("installed", str(path), "loaded" if load_model else "files present")


@dataclass(frozen=True)
class Scored:
    file: str
    score: float


def open_image(path: Path) -> Any:
    """The image at ``path`` as RGB, or ValueError naming the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"{path.name} is not an image this studio can read ({exc})") from None


def score_images(settings: Any, texts: list[str], paths: list[Path]) -> tuple[list[Scored], list[str]]:
    """Each readable image's score against ``texts`` (best first), and one sentence per file that
    could not be read."""
    model = load(settings)
    target = model.text_vector([t for t in texts if t.strip()] or [""])
    scored: list[Scored] = []
    skipped: list[str] = []
    for start in range(0, len(paths), BATCH):
        batch: list[tuple[Path, Any]] = []
        for path in paths[start : start + BATCH]:
            try:
                batch.append((path, open_image(path)))
            except ValueError as exc:
                skipped.append(str(exc))
        if not batch:
            continue
        vectors = model.image_vectors([img for _, img in batch])
        sims = (vectors @ target.T).squeeze(-1).tolist()
        scored += [Scored(str(p), round(float(s), 6)) for (p, _), s in zip(batch, sims)]
    scored.sort(key=lambda s: (-s.score, s.file))
    return scored, skipped


def fetch_clip(settings: Any) -> Path:
    """Download the CLIP model's files into the Hugging Face cache (needs internet)."""
    import huggingface_hub.constants as c
    from huggingface_hub import snapshot_download

    was = c.HF_HUB_OFFLINE
    c.HF_HUB_OFFLINE = False
    try:
        name = getattr(settings, "studio_clip_model", "") or "openai/clip-vit-base-patch32"
        return Path(snapshot_download(repo_id=name, allow_patterns=CLIP_PATTERNS))
    finally:
        c.HF_HUB_OFFLINE = was
