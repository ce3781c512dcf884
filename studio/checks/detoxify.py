"""Detoxify, the primary toxicity tier: its real loading code pointed at local files only (the
torch hub cache, or a checkpoint and a config directory), with the Hugging Face hub kept offline.

Scoring is ours, around Detoxify's model and tokenizer, for speed on a CPU (``bench/
bench_toxicity.py`` measures each step against Detoxify's own ``predict``):

* ``torch.inference_mode`` and sentences sorted by length, so a batch pads little;
* the model's CPU threads set to the cores this process may use (``STUDIO_TOXICITY_THREADS``);
* dynamic int8 quantisation of the linear layers on the CPU (``STUDIO_TOXICITY_PRECISION``,
  default ``int8``; ``fp32`` keeps the model as released), a GPU when one is present
  (``STUDIO_TOXICITY_DEVICE=auto``);
* a per-sentence cache of scores, so a new revision runs the model only on sentences it has not
  scored before (an edited paragraph, not the whole draft).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
CACHE_SENTENCES = 20_000  # scores kept per loaded model (a few MB)



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


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Runtime:
    """How the model runs: device, CPU threads, precision."""

    device: str = "cpu"
    threads: int = 1
    precision: str = "fp32"  # fp32 | int8 (CPU only)

    @classmethod
    def from_settings(cls, settings) -> Runtime:  # type: ignore[no-untyped-def]
        wanted = getattr(settings, "studio_toxicity_device", "auto") or "auto"
        device = wanted
        if wanted == "auto":
            device = "cuda" if _cuda_available() else "cpu"
        threads = int(getattr(settings, "studio_toxicity_threads", 0) or 0) or cpu_count()
        precision = getattr(settings, "studio_toxicity_precision", "fp32") or "fp32"
        return cls(device, threads, precision if device == "cpu" else "fp32")

    def describe(self) -> str:
        if self.device != "cpu":
            return self.device
        return f"cpu, {self.threads} thread{'s' if self.threads != 1 else ''}, {self.precision}"


def _cuda_available() -> bool:
    import torch  # noqa: PLC0415 - only when a checkpoint exists (the caller loads the model next)

    return bool(torch.cuda.is_available())


class LoadedDetoxify:
    """A loaded detoxify.Detoxify plus what we need to cut text under its token limit, score it
    fast and remember the scores of sentences already seen."""

    def __init__(self, files: DetoxifyFiles, device: str = "cpu", runtime: Runtime | None = None) -> None:
        force_offline()
        import detoxify  # noqa: PLC0415 - heavy import, only when a checkpoint exists
        import torch  # noqa: PLC0415

        self.runtime = runtime or Runtime(device=device)
        self.files = files
        self.model = detoxify.Detoxify(
            files.model_type,
            checkpoint=str(files.checkpoint),
            device=self.runtime.device,
            huggingface_config_path=str(files.config_dir),
        )
        self.net = self.model.model.eval()
        if self.runtime.precision == "int8":
            with warnings.catch_warnings():  # torch.ao's quantisation API is deprecated in favour of torchao
                warnings.simplefilter("ignore")
                self.net = torch.ao.quantization.quantize_dynamic(self.net, {torch.nn.Linear}, dtype=torch.qint8)
        tok = self.model.tokenizer
        limit = getattr(tok, "model_max_length", None) or 512
        max_pos = getattr(self.model.model.config, "max_position_embeddings", None)
        if max_pos:
            # RoBERTa-style models reserve two positions for padding offsets.
            limit = min(limit, max_pos - (2 if getattr(self.model.model.config, "pad_token_id", None) == 1 else 0))
        self.max_tokens = int(min(limit, 512))
        self.special = tok.num_special_tokens_to_add(pair=False)
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
        self.lock = threading.Lock()
        self.cache: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self.scored = 0  # sentences that went through the model (not from the cache)

    def pieces_of(self, sents: list[Span]) -> list[Span]:
        """Every sentence, cut where needed so each piece fits the model with its special tokens
        (one tokenizer call for all of them)."""
        if not sents:
            return []
        budget = self.max_tokens - self.special
        enc = self.model.tokenizer([s.text for s in sents], add_special_tokens=False, return_offsets_mapping=True)
        out: list[Span] = []
        for sent, ids, offsets in zip(sents, enc["input_ids"], enc["offset_mapping"]):
            if len(ids) <= budget:
                out.append(sent)
            else:
                out.extend(self._cut(sent, [o for o in offsets if o[1] > o[0]], budget))
        return out

    def pieces(self, sent: Span) -> list[Span]:
        """Cut a sentence so each piece fits the model with its special tokens."""
        return self.pieces_of([sent])

    @staticmethod
    def _cut(sent: Span, offsets: list[Any], budget: int) -> list[Span]:
        if not offsets:
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

    def predict(self, texts: list[str], *, batch_size: int = BATCH_SIZE) -> list[dict[str, float]]:
        """Scores per text (label → probability); texts scored before come from the cache."""
        names = self.model.class_names
        found: dict[str, tuple[float, ...]] = {}
        with self.lock:
            for t in texts:
                hit = self.cache.get(t)
                if hit is not None:
                    self.cache.move_to_end(t)
                    found[t] = hit
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                for t, row in zip(missing, self._run(missing, batch_size)):
                    found[t] = row
                    self.cache[t] = row
                while len(self.cache) > CACHE_SENTENCES:
                    self.cache.popitem(last=False)
        return [dict(zip(names, found[t])) for t in texts]

    def _run(self, texts: list[str], batch_size: int) -> list[tuple[float, ...]]:
        """The model on ``texts``, shortest first so each batch pads little."""
        import torch  # noqa: PLC0415

        if self.runtime.device == "cpu" and torch.get_num_threads() != self.runtime.threads:
            torch.set_num_threads(self.runtime.threads)
        ids = self.model.tokenizer(texts, truncation=True, max_length=self.max_tokens)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        out: list[tuple[float, ...] | None] = [None] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                width = max(len(ids[i]) for i in batch)
                input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):
                    input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                    mask[row, : len(ids[i])] = 1
                logits = self.net(input_ids=input_ids.to(self.runtime.device), attention_mask=mask.to(self.runtime.device))[0]
                for row, probs in zip(batch, torch.sigmoid(logits).float().cpu().tolist()):
                    out[row] = tuple(float(p) for p in probs)
        self.scored += len(texts)
        return [r for r in out if r is not None]


_models: dict[tuple, LoadedDetoxify | BaseException] = {}
_models_lock = threading.Lock()


def _cache_key(files: DetoxifyFiles, runtime: Runtime) -> tuple:
    st = files.checkpoint.stat()
    return (str(files.checkpoint), st.st_mtime_ns, st.st_size, str(files.config_dir), files.model_type, runtime)


def load_detoxify(settings) -> LoadedDetoxify:
    """The cached model for these settings (loaded once per files/mtime), or BackendUnavailable.

    A failed load is cached too (until the files change), so a broken checkpoint costs one attempt.
    """
    files = resolve_detoxify_files(settings)
    runtime = Runtime.from_settings(settings)
    key = _cache_key(files, runtime)
    with _models_lock:
        hit = _models.get(key)
        if hit is None:
            try:
                hit = LoadedDetoxify(files, runtime=runtime)
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
        hit = _models.get(_cache_key(files, Runtime.from_settings(settings)))
    except Exception:
        return None
    return hit if isinstance(hit, LoadedDetoxify) else None


def clear_model_cache() -> None:
    with _models_lock:
        _models.clear()


def run_detoxify(text: str, sents: list[Span], settings, *, batch_size: int = BATCH_SIZE) -> list[Finding]:
    model = load_detoxify(settings)
    spans = model.pieces_of(sents)
    rows = model.predict([s.text for s in spans], batch_size=batch_size)
    return findings_from_scores(
        spans, rows, labels=TOXIC_LABELS, settings=settings, rule_prefix="detoxify",
        note=f"Detoxify '{model.files.model_type}' scored this sentence {{label}} {{score:.2f}}.",
    )
