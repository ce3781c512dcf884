"""Detoxify, the primary toxicity tier: its real loading code pointed at local files only (the
torch hub cache, or a checkpoint and a config directory), with the Hugging Face hub kept offline."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from studio.checks.report import Finding
from studio.checks.scoring import TOXIC_LABELS, BackendUnavailable, findings_from_scores
from studio.checks.text import Span

# File names of Detoxify's released checkpoints (the last part of detoxify.MODEL_URLS; a test
# keeps this table equal to the installed detoxify). The hex after the dash is the SHA-256 prefix.
DETOXIFY_FILES = {
    "original": "toxic_original-c1212f89.ckpt",
    "unbiased": "toxic_debiased-c7548aa0.ckpt",
    "multilingual": "multilingual_debiased-0b549669.ckpt",
    "original-small": "original-albert-0e1d6498.ckpt",
    "unbiased-small": "unbiased-albert-c8519128.ckpt",
}
# The Hugging Face model each checkpoint was trained from (its config and tokenizer).
DETOXIFY_BASE = {
    "original": "bert-base-uncased",
    "unbiased": "roberta-base",
    "multilingual": "xlm-roberta-base",
    "original-small": "albert-base-v2",
    "unbiased-small": "albert-base-v2",
}
BATCH_SIZE = 16



def force_offline() -> None:
    """Keep the Hugging Face hub offline in this process, even if it was imported already."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    hh = sys.modules.get("huggingface_hub.constants")
    if hh is not None:
        hh.HF_HUB_OFFLINE = True


def torch_hub_dir() -> Path:
    """Where torch.hub (and so Detoxify) keeps downloads: ``torch.hub.get_dir()``.

    Computed like torch does when torch is not imported yet, to avoid a slow import."""
    if "torch" in sys.modules:
        import torch

        return Path(torch.hub.get_dir())
    torch_home = os.environ.get(
        "TORCH_HOME", os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "torch")
    )
    return Path(os.path.expanduser(torch_home)) / "hub"


def hf_cached_snapshot(repo_id: str) -> Path | None:
    """The local snapshot dir of `repo_id` in the Hugging Face cache if it has config.json."""
    try:
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo_id, "config.json")
    except Exception:
        return None
    if isinstance(hit, str) and os.path.isfile(hit):
        return Path(hit).parent
    return None


@dataclass(frozen=True)
class DetoxifyFiles:
    model_type: str
    checkpoint: Path
    config_dir: Path


def resolve_detoxify_files(settings) -> DetoxifyFiles:
    """Find the checkpoint and config/tokenizer dir on disk, or raise BackendUnavailable."""
    model_type = settings.studio_toxicity_model
    if settings.studio_detoxify_checkpoint:
        ckpt = Path(settings.studio_detoxify_checkpoint).expanduser()
        if not ckpt.is_file():
            raise BackendUnavailable(f"configured checkpoint {ckpt} does not exist")
    else:
        if model_type not in DETOXIFY_FILES:
            raise BackendUnavailable(
                f"unknown Detoxify model {model_type!r} (one of {', '.join(DETOXIFY_FILES)})"
            )
        ckpt = torch_hub_dir() / "checkpoints" / DETOXIFY_FILES[model_type]
        if not ckpt.is_file():
            raise BackendUnavailable(
                f"no Detoxify '{model_type}' checkpoint at {ckpt} "
                "(run `python -m studio models fetch` or set STUDIO_DETOXIFY_CHECKPOINT)"
            )
    if settings.studio_detoxify_config_dir:
        cfg = Path(settings.studio_detoxify_config_dir).expanduser()
        if not (cfg / "config.json").is_file():
            raise BackendUnavailable(f"configured config dir {cfg} has no config.json")
    else:
        base = DETOXIFY_BASE.get(model_type)
        snap = hf_cached_snapshot(base) if base else None
        if snap is None:
            raise BackendUnavailable(
                f"no config/tokenizer for {base or model_type!r} in the Hugging Face cache "
                "(run `python -m studio models fetch` or set STUDIO_DETOXIFY_CONFIG_DIR)"
            )
        cfg = snap
    return DetoxifyFiles(model_type, ckpt, cfg)


class LoadedDetoxify:
    """A loaded detoxify.Detoxify plus what we need to cut text under its token limit."""

    def __init__(self, files: DetoxifyFiles, device: str = "cpu") -> None:
        force_offline()
        import detoxify  # noqa: PLC0415 - heavy import, only when a checkpoint exists

        self.files = files
        self.model = detoxify.Detoxify(
            files.model_type,
            checkpoint=str(files.checkpoint),
            device=device,
            huggingface_config_path=str(files.config_dir),
        )
        tok = self.model.tokenizer
        limit = getattr(tok, "model_max_length", None) or 512
        max_pos = getattr(self.model.model.config, "max_position_embeddings", None)
        if max_pos:
            # RoBERTa-style models reserve two positions for padding offsets.
            limit = min(limit, max_pos - (2 if getattr(self.model.model.config, "pad_token_id", None) == 1 else 0))
        self.max_tokens = int(min(limit, 512))
        self.special = tok.num_special_tokens_to_add(pair=False)
        self.lock = threading.Lock()

    def pieces(self, sent: Span) -> list[Span]:
        """Cut a sentence so each piece fits the model with its special tokens."""
        budget = self.max_tokens - self.special
        tok = self.model.tokenizer
        enc = tok(sent.text, add_special_tokens=False, return_offsets_mapping=True)
        offsets = [o for o in enc["offset_mapping"] if o[1] > o[0]]
        if len(enc["input_ids"]) <= budget or not offsets:
            return [sent]
        out: list[Span] = []
        a = 0
        s = sent.text
        while a < len(offsets):
            b = min(len(offsets), a + budget)
            if b < len(offsets):
                # back up to a token that starts a new word, if there is one in the window
                k = b
                while k > a + 1 and not offsets[k][0] > offsets[k - 1][1]:
                    k -= 1
                if k > a + 1:
                    b = k
            start, end = offsets[a][0], offsets[b - 1][1]
            out.append(Span(sent.start + start, sent.start + end, s[start:end]))
            a = b
        return out

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        with self.lock:
            res = self.model.predict(texts)
        rows: list[dict[str, float]] = [{} for _ in texts]
        for label, vals in res.items():
            if not isinstance(vals, list):
                vals = [vals]
            for i, v in enumerate(vals):
                rows[i][label] = float(v)
        return rows


_models: dict[tuple, LoadedDetoxify | BaseException] = {}
_models_lock = threading.Lock()


def _cache_key(files: DetoxifyFiles) -> tuple:
    st = files.checkpoint.stat()
    return (str(files.checkpoint), st.st_mtime_ns, st.st_size, str(files.config_dir), files.model_type)


def load_detoxify(settings) -> LoadedDetoxify:
    """The cached model for these settings (loaded once per files/mtime), or BackendUnavailable.

    A failed load is cached too (until the files change), so a broken checkpoint costs one attempt.
    """
    files = resolve_detoxify_files(settings)
    key = _cache_key(files)
    with _models_lock:
        hit = _models.get(key)
        if hit is None:
            try:
                hit = LoadedDetoxify(files)
            except BaseException as exc:  # noqa: BLE001 - any load failure is "unavailable"
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                hit = exc
            _models[key] = hit
    if isinstance(hit, BaseException):
        raise BackendUnavailable(f"Detoxify failed to load {files.checkpoint.name}: {type(hit).__name__}: {hit}")
    return hit


def loaded_detoxify(settings) -> LoadedDetoxify | None:
    """The model if it is already loaded in this process (no loading, no I/O beyond stat)."""
    try:
        files = resolve_detoxify_files(settings)
        hit = _models.get(_cache_key(files))
    except Exception:
        return None
    return hit if isinstance(hit, LoadedDetoxify) else None


def clear_model_cache() -> None:
    with _models_lock:
        _models.clear()


def run_detoxify(text: str, sents: list[Span], settings, *, batch_size: int = BATCH_SIZE) -> list[Finding]:
    model = load_detoxify(settings)
    spans = [p for s in sents for p in model.pieces(s)]
    rows: list[dict[str, float]] = []
    for i in range(0, len(spans), batch_size):
        rows.extend(model.predict([s.text for s in spans[i : i + batch_size]]))
    return findings_from_scores(
        spans, rows, labels=TOXIC_LABELS, settings=settings, rule_prefix="detoxify",
        note=f"Detoxify '{model.files.model_type}' scored this sentence {{label}} {{score:.2f}}.",
    )
