"""Toxicity backends, in tiers: Detoxify (primary, local files only), OpenAI moderation
(optional, when enabled and configured) and alt-profanity-check (embedded offline fallback).

Every backend reports a `BackendStatus`; none raises out of `run_toxicity`.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .policy import score_severity, thresholds
from .report import BackendStatus, Finding
from .text import Span, sentences

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
# Detoxify's labels that are toxicity (the "unbiased" model also predicts identity mentions such
# as "female" or "muslim"; those are not findings).
TOXIC_LABELS = (
    "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit",
)
# Advice per label (goes in the note; model findings have no replacement suggestions).
LABEL_ADVICE = {
    "toxicity": "Rephrase in a neutral tone.",
    "severe_toxicity": "Remove the sentence.",
    "obscene": "Remove the profanity.",
    "threat": "Remove the threat.",
    "insult": "Remove the insult; criticise the idea, not the person.",
    "identity_attack": "Remove the attack on a group.",
    "sexual_explicit": "Remove the sexual content.",
    "profanity": "Remove the profanity or insult.",
    "violence": "Remove the violent description.",
    "self_harm": "Remove the self-harm content, or add support resources if the topic is intended.",
    "sexual_minors": "Remove the sentence.",
    "illicit": "Remove the instructions for wrongdoing.",
}
BATCH_SIZE = 16
OPENAI_MODEL = "omni-moderation-latest"
OPENAI_BATCH = 32
# OpenAI moderation category -> our toxicity label.
OPENAI_LABELS = {
    "harassment": "insult",
    "harassment/threatening": "threat",
    "hate": "identity_attack",
    "hate/threatening": "identity_attack",
    "violence": "threat",
    "violence/graphic": "violence",
    "sexual": "sexual_explicit",
    "sexual/minors": "sexual_minors",
    "self-harm": "self_harm",
    "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm",
    "illicit": "illicit",
    "illicit/violent": "illicit",
}


class BackendUnavailable(Exception):
    """A backend cannot run; the message is the reason shown to users."""


# --- Detoxify -------------------------------------------------------------------------------

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


def _findings_from_scores(
    spans: list[Span], rows: list[dict[str, float]], *, labels, settings, rule_prefix: str, note: str,
    flagged: list[set[str]] | None = None,
) -> list[Finding]:
    warn, block = thresholds(settings)
    out: list[Finding] = []
    for i, (sp, row) in enumerate(zip(spans, rows)):
        for label in labels:
            if label not in row:
                continue
            score = row[label]
            sev = score_severity(score, warn=warn, block=block)
            if sev is None and flagged and label in flagged[i]:
                sev = "warn"
            if sev is None:
                continue
            out.append(
                Finding(
                    category="toxicity", label=label, start=sp.start, end=sp.end, text=sp.text,
                    severity=sev, score=round(score, 4),
                    suggestions=[],
                    rule=f"{rule_prefix}.{label}",
                    note=note.format(label=label, score=score) + " " + LABEL_ADVICE.get(label, "Rephrase."),
                )
            )
    return out


def run_detoxify(text: str, sents: list[Span], settings, *, batch_size: int = BATCH_SIZE) -> list[Finding]:
    model = load_detoxify(settings)
    spans = [p for s in sents for p in model.pieces(s)]
    rows: list[dict[str, float]] = []
    for i in range(0, len(spans), batch_size):
        rows.extend(model.predict([s.text for s in spans[i : i + batch_size]]))
    return _findings_from_scores(
        spans, rows, labels=TOXIC_LABELS, settings=settings, rule_prefix="detoxify",
        note=f"Detoxify '{model.files.model_type}' scored this sentence {{label}} {{score:.2f}}.",
    )


# --- OpenAI moderation ----------------------------------------------------------------------

def make_openai_client(settings):
    """The OpenAI client for moderation (tests replace this)."""
    import openai

    raw = settings.openai_api_key
    key = (raw.get_secret_value() if hasattr(raw, "get_secret_value") else str(raw)) if raw else "not-needed"
    return openai.OpenAI(
        api_key=key,
        base_url=settings.openai_base_url or None,
        timeout=getattr(settings, "studio_request_timeout", 60.0),
        max_retries=getattr(settings, "studio_max_retries", 2),
    )


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "model_dump"):
        return obj.model_dump(by_alias=True)
    return dict(vars(obj))


def run_openai(text: str, sents: list[Span], settings, *, client=None) -> list[Finding]:
    client = client or make_openai_client(settings)
    rows: list[dict[str, float]] = []
    flagged: list[set[str]] = []
    for i in range(0, len(sents), OPENAI_BATCH):
        batch = sents[i : i + OPENAI_BATCH]
        resp = client.moderations.create(model=OPENAI_MODEL, input=[s.text for s in batch])
        results = list(resp.results)
        if len(results) != len(batch):
            raise BackendUnavailable(f"OpenAI moderation returned {len(results)} results for {len(batch)} inputs")
        for r in results:
            scores = _as_dict(r.category_scores)
            cats = _as_dict(getattr(r, "categories", None))
            row: dict[str, float] = {}
            fl: set[str] = set()
            for cat, label in OPENAI_LABELS.items():
                v = scores.get(cat, scores.get(cat.replace("/", "_").replace("-", "_")))
                if v is None:
                    continue
                row[label] = max(row.get(label, 0.0), float(v))
                if cats.get(cat, cats.get(cat.replace("/", "_").replace("-", "_"))):
                    fl.add(label)
            rows.append(row)
            flagged.append(fl)
    labels = sorted(set(OPENAI_LABELS.values()))
    return _findings_from_scores(
        sents, rows, labels=labels, settings=settings, rule_prefix="openai", flagged=flagged,
        note=f"OpenAI moderation ({OPENAI_MODEL}) scored this sentence {{label}} {{score:.2f}}.",
    )


# --- alt-profanity-check (embedded fallback) -------------------------------------------------

class ProfanityScorer:
    """alt-profanity-check's model (TF-IDF + LinearSVC, sigmoid-calibrated in k folds), scored
    with one sparse matrix product instead of sklearn's per-call validation (about 10 ms of fixed
    overhead per call). The result is checked against `profanity_check.predict_prob` when the
    scorer is built; if they ever disagree, the library function is used instead."""

    SELF_CHECK = [
        "We love our customers.", "You are a fucking idiot.", "This is shit.", "Thanks, everyone!",
        "What the hell is this crap", "Quarterly revenue grew 12 percent.", "screw you", "",
    ]

    def __init__(self) -> None:
        import numpy as np
        import profanity_check.profanity_check as pc

        self._np = np
        self._pc = pc
        self.fast = False
        try:
            coefs, icpts, a, b = [], [], [], []
            for cc in pc.model.calibrated_classifiers_:
                (cal,) = cc.calibrators
                coefs.append(np.asarray(cc.estimator.coef_, dtype=float).ravel())
                icpts.append(float(np.ravel(cc.estimator.intercept_)[0]))
                a.append(float(cal.a_))
                b.append(float(cal.b_))
            self.W = np.stack(coefs, axis=1)
            self.c = np.asarray(icpts)
            self.a = np.asarray(a)
            self.b = np.asarray(b)
            ref = pc.predict_prob(self.SELF_CHECK)
            self.fast = bool(np.allclose(self._fast(self.SELF_CHECK), ref, atol=1e-9))
        except Exception:  # noqa: BLE001 - any surprise: use the library path
            self.fast = False

    def _fast(self, texts: list[str]):
        np = self._np
        d = self._pc.vectorizer.transform(texts) @ self.W + self.c
        p = 1.0 / (1.0 + np.exp(self.a * d + self.b))
        return p.mean(axis=1)

    def __call__(self, texts: list[str]) -> list[float]:
        if not texts:
            return []
        probs = self._fast(texts) if self.fast else self._pc.predict_prob(texts)
        return [float(p) for p in probs]


_profanity: ProfanityScorer | None = None
_profanity_lock = threading.Lock()


def profanity_scorer() -> ProfanityScorer:
    global _profanity
    with _profanity_lock:
        if _profanity is None:
            _profanity = ProfanityScorer()
        return _profanity


def run_profanity(text: str, sents: list[Span], settings, *, why: str) -> list[Finding]:
    if not sents:
        profanity_scorer()  # still prove the model loads
        return []
    probs = profanity_scorer()([s.text for s in sents])
    rows = [{"profanity": float(p)} for p in probs]
    return _findings_from_scores(
        sents, rows, labels=("profanity",), settings=settings, rule_prefix="profanity-check",
        note="alt-profanity-check (offline fallback, used because Detoxify did not run: "
        + why.replace("{", "(").replace("}", ")")
        + ") scored this sentence {label} {score:.2f}.",
    )


# --- the tiers together ---------------------------------------------------------------------

def _reason(exc: BaseException) -> str:
    if isinstance(exc, BackendUnavailable):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def openai_moderation_not_usable(settings) -> BackendStatus | None:  # type: ignore[no-untyped-def]
    """Why the OpenAI tier cannot run (off, or no key/server), or None when it can.

    One rule for both the check and the Settings page, so they never disagree.
    """
    if not settings.studio_openai_moderation:
        return BackendStatus("openai-moderation", "skipped", "disabled (STUDIO_OPENAI_MODERATION is off)", "optional")
    if not settings.openai_configured:
        return BackendStatus(
            "openai-moderation", "unavailable", "enabled, but no OpenAI API key or base URL is configured", "optional"
        )
    return None


def run_toxicity(text: str, settings, sents: list[Span] | None = None) -> tuple[list[BackendStatus], list[Finding]]:
    sents = sentences(text) if sents is None else sents
    statuses: list[BackendStatus] = []
    findings: list[Finding] = []

    detox_reason = ""
    try:
        findings += run_detoxify(text, sents, settings)
        statuses.append(BackendStatus("detoxify", "ran", f"model '{settings.studio_toxicity_model}'", "primary"))
        detox_ran = True
    except Exception as exc:  # noqa: BLE001
        detox_reason = _reason(exc)
        statuses.append(BackendStatus("detoxify", "unavailable", detox_reason, "primary"))
        detox_ran = False

    not_usable = openai_moderation_not_usable(settings)
    if not_usable is not None:
        statuses.append(not_usable)
    else:
        try:
            findings += run_openai(text, sents, settings)
            statuses.append(BackendStatus("openai-moderation", "ran", OPENAI_MODEL, "optional"))
        except Exception as exc:  # noqa: BLE001
            statuses.append(BackendStatus("openai-moderation", "unavailable", _reason(exc), "optional"))

    if detox_ran:
        statuses.append(BackendStatus("profanity-check", "skipped", "Detoxify ran; the fallback is not needed", "fallback"))
    else:
        try:
            findings += run_profanity(text, sents, settings, why=detox_reason)
            statuses.append(
                BackendStatus("profanity-check", "ran", f"fallback because Detoxify did not run: {detox_reason}", "fallback")
            )
        except Exception as exc:  # noqa: BLE001
            statuses.append(BackendStatus("profanity-check", "unavailable", _reason(exc), "fallback"))
    return statuses, findings


def toxicity_statuses(settings, *, load: bool = False) -> list[BackendStatus]:
    """Which toxicity backend would run, without checking any text.

    Here "ran" means "would run". With ``load=True`` the Detoxify model is loaded (and cached) so a
    broken checkpoint is reported now rather than at the first check.
    """
    out: list[BackendStatus] = []
    try:
        if load:
            m = load_detoxify(settings)
            reason = f"loaded '{m.files.model_type}' from {m.files.checkpoint} (config {m.files.config_dir})"
        else:
            m = loaded_detoxify(settings)
            files = resolve_detoxify_files(settings)
            state = "loaded" if m else "found, loads on first check"
            reason = f"{state}: '{files.model_type}' checkpoint {files.checkpoint} (config {files.config_dir})"
        out.append(BackendStatus("detoxify", "ran", reason, "primary"))
        detox_ok, why = True, ""
    except Exception as exc:  # noqa: BLE001
        why = _reason(exc)
        out.append(BackendStatus("detoxify", "unavailable", why, "primary"))
        detox_ok = False
    not_usable = openai_moderation_not_usable(settings)
    if not_usable is not None:
        out.append(not_usable)
    else:
        where = settings.openai_base_url or "api.openai.com"
        out.append(BackendStatus("openai-moderation", "ran", f"{OPENAI_MODEL} at {where}", "optional"))
    if detox_ok:
        out.append(BackendStatus("profanity-check", "skipped", "Detoxify is available; the fallback is not needed", "fallback"))
    else:
        try:
            import profanity_check  # noqa: F401

            out.append(BackendStatus("profanity-check", "ran", f"fallback because Detoxify cannot run: {why}", "fallback"))
        except Exception as exc:  # noqa: BLE001
            out.append(BackendStatus("profanity-check", "unavailable", _reason(exc), "fallback"))
    return out
