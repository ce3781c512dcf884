"""Toxicity backends, in tiers: Detoxify (primary, local files only), OpenAI moderation
(optional, when enabled and configured) and alt-profanity-check (embedded offline fallback).

Every backend reports a `BackendStatus`; none raises out of `run_toxicity`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from studio.checks.detoxify import CACHE_SENTENCES, load_detoxify, loaded_detoxify, resolve_detoxify_files, run_detoxify
from studio.checks.report import BackendStatus, Finding
from studio.checks.scoring import BackendUnavailable, findings_from_scores
from studio.checks.text import Span, sentences
from studio.languages.catalog import DETOXIFY_MULTILINGUAL, base_code, is_english, language_name, names

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


# --- OpenAI moderation ----------------------------------------------------------------------

def make_openai_client(settings):
    """The OpenAI client for moderation (tests replace this)."""
    import openai

    raw = settings.openai_api_key
    key = (raw.get_secret_value() if hasattr(raw, "get_secret_value") else str(raw)) if raw else "not-needed"
    from studio.usage.recorder import track_calls

    client = openai.OpenAI(
        api_key=key,
        base_url=settings.openai_base_url or None,
        timeout=getattr(settings, "studio_request_timeout", 60.0),
        max_retries=getattr(settings, "studio_max_retries", 2),
    )
    return track_calls(client, settings.openai_base_url)


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
    return findings_from_scores(
        sents, rows, labels=labels, settings=settings, rule_prefix="openai", flagged=flagged,
        note=f"OpenAI moderation ({OPENAI_MODEL}) scored this sentence {{label}} {{score:.2f}}.",
    )


# --- alt-profanity-check (embedded fallback) -------------------------------------------------

class ProfanityScorer:
    """alt-profanity-check's model (TF-IDF + LinearSVC, sigmoid-calibrated in k folds), scored
    with one sparse matrix product instead of sklearn's per-call validation (a fixed
    overhead per call). The result is checked against `profanity_check.predict_prob` when the
    scorer is built; if they ever disagree, the library function is used instead.

    Like Detoxify's runtime, it keeps the scores of the sentences it has seen: a draft is checked
    again whenever its fields or a few of its sentences change, and only new sentences need the
    model."""

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
        self.cache: OrderedDict[str, float] = OrderedDict()
        self.lock = threading.Lock()
        self.scored = 0  # sentences the model has read (the rest came from the cache)
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
        with self.lock:
            found = {t: self.cache[t] for t in texts if t in self.cache}
            for t in found:
                self.cache.move_to_end(t)
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                probs = self._fast(missing) if self.fast else self._pc.predict_prob(missing)
                for t, p in zip(missing, probs):
                    found[t] = self.cache[t] = float(p)
                self.scored += len(missing)
                while len(self.cache) > CACHE_SENTENCES:
                    self.cache.popitem(last=False)
        return [found[t] for t in texts]


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
    return findings_from_scores(
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


def run_toxicity(
    text: str, settings, sents: list[Span] | None = None, *, language: str = "en"
) -> tuple[list[BackendStatus], list[Finding]]:
    sents = sentences(text) if sents is None else sents
    if not is_english(language):
        return _run_toxicity_other_language(text, settings, sents, language)
    statuses: list[BackendStatus] = []
    findings: list[Finding] = []

    detox_reason = ""
    try:
        findings += run_detoxify(text, sents, settings)
        loaded = loaded_detoxify(settings)
        how = f" ({loaded.runtime.describe()})" if loaded is not None else ""
        statuses.append(BackendStatus("detoxify", "ran", f"model '{settings.studio_toxicity_model}'{how}", "primary"))
        detox_ran = True
    except Exception as exc:  # noqa: BLE001
        detox_reason = _reason(exc)
        statuses.append(BackendStatus("detoxify", "unavailable", detox_reason, "primary"))
        detox_ran = False

    statuses += _run_openai_tier(text, sents, settings, findings)

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


def _run_openai_tier(text: str, sents: list[Span], settings, findings: list[Finding]) -> list[BackendStatus]:
    not_usable = openai_moderation_not_usable(settings)
    if not_usable is not None:
        return [not_usable]
    try:
        findings += run_openai(text, sents, settings)
        return [BackendStatus("openai-moderation", "ran", OPENAI_MODEL, "optional")]
    except Exception as exc:  # noqa: BLE001
        return [BackendStatus("openai-moderation", "unavailable", _reason(exc), "optional")]


def multilingual_settings(settings):  # type: ignore[no-untyped-def]
    """Settings that load Detoxify's `multilingual` model: the configured one when it is that
    model, else the multilingual files named by STUDIO_DETOXIFY_MULTILINGUAL_* (or the caches)."""
    if settings.studio_toxicity_model == "multilingual":
        return settings
    return settings.model_copy(update={
        "studio_toxicity_model": "multilingual",
        "studio_detoxify_checkpoint": settings.studio_detoxify_multilingual_checkpoint,
        "studio_detoxify_config_dir": settings.studio_detoxify_multilingual_config_dir,
    })  # fmt: skip


def _run_toxicity_other_language(
    text: str, settings, sents: list[Span], language: str
) -> tuple[list[BackendStatus], list[Finding]]:
    """Text that is not English: Detoxify's `multilingual` model where it was trained on the
    language, OpenAI moderation when enabled, and never the English profanity model. When none
    of them runs the verdict is "needs manual review" (policy), never a pass."""
    statuses: list[BackendStatus] = []
    findings: list[Finding] = []
    name = language_name(language)
    if base_code(language) not in DETOXIFY_MULTILINGUAL:
        statuses.append(BackendStatus(
            "detoxify", "unavailable",
            f"Detoxify's multilingual model covers {names(sorted(DETOXIFY_MULTILINGUAL))}; not {name}", "primary",
        ))  # fmt: skip
    else:
        try:
            findings += run_detoxify(text, sents, multilingual_settings(settings))
            statuses.append(BackendStatus("detoxify", "ran", f"model 'multilingual' ({name})", "primary"))
        except Exception as exc:  # noqa: BLE001
            statuses.append(BackendStatus(
                "detoxify", "unavailable", f"{name} text needs the 'multilingual' model: {_reason(exc)}", "primary"
            ))  # fmt: skip
    statuses += _run_openai_tier(text, sents, settings, findings)
    statuses.append(BackendStatus(
        "profanity-check", "skipped", f"reads English only, so it cannot pass {name} text", "fallback"
    ))  # fmt: skip
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
            reason = (
                f"loaded '{m.files.model_type}' from {m.files.checkpoint} (config {m.files.config_dir}; "
                f"{m.runtime.describe()})"
            )
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
