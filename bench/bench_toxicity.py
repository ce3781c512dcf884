"""The toxicity tier at its real size: Detoxify ``original`` (BERT-base) and ``multilingual``
(XLM-RoBERTa-base), random weights of the released shapes (``bench/toxicity_models.py``), loaded
through the studio's real Detoxify loading code, offline, on one core.

For an ~800-word draft it prints, side by side in one run:

* a fresh check (nothing cached) and a re-check after one paragraph was edited, through
  ``studio.checks.pipeline.check`` (the rules included), for:
  - Detoxify's own ``predict`` in batches of 16 (how the studio called it before: fp32,
    ``no_grad``, sentences in text order),
  - the studio's path in fp32 (``inference_mode``, length-sorted batches, threads, cache),
  - the same with dynamic int8 quantisation (the default),
* the score drift of int8 against fp32 on the same sentences (the draft and the labelled
  fixture's texts): largest and mean absolute difference, and verdict flips at the thresholds,
* the embedded tier (profanity-check) on the same draft.

    python -m bench.bench_toxicity [--repeat 5] [--models original,multilingual] [--out DIR]

Times are medians over ``--repeat`` runs of wall time on one pinned core; the machine is shared,
so the CPU time of the process is printed too (less sensitive to other load). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import toxicity_models  # noqa: E402


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU core {core}"
    return "not pinned (no sched_setaffinity)"


def _timed(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """Median wall seconds, median CPU seconds, last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def _draft() -> tuple[str, str]:
    from bench.bench_checks import draft

    text = draft(800)
    paragraphs = text.split("\n\n")
    edited = paragraphs[2].replace("Security matters as much as speed.", "Security matters more than ever.")
    edited = edited.replace("in one place.", "in one place, every week.")
    return text, text.replace(paragraphs[2], edited)


def _fixture_texts() -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "tests" / "fixtures" / "moderation_cases.yaml").read_text(encoding="utf-8"))
    return [c["text"] for c in data["cases"]]


def bench_model(model_type: str, out_dir: Path, repeat: int, real: tuple[Path, Path] | None = None) -> dict:
    from studio.checks import detoxify
    from studio.checks.pipeline import check
    from studio.checks.text import sentences
    from studio.config import Settings

    if real is not None:  # released weights, where a site has them (python -m studio models fetch)
        built = toxicity_models.Built(model_type, real[0], real[1], out_dir / "hf_home")
    else:
        built = toxicity_models.build(model_type, out_dir)
    text, edited = _draft()
    base = dict(
        studio_toxicity_model=model_type, studio_detoxify_checkpoint=str(built.checkpoint),
        studio_detoxify_config_dir=str(built.config_dir), studio_toxicity_threads=1, studio_toxicity_device="cpu",
    )  # fmt: skip
    fp32 = Settings(**base, studio_toxicity_precision="fp32")
    int8 = Settings(**base, studio_toxicity_precision="int8")
    t0 = time.perf_counter()
    m32 = detoxify.load_detoxify(fp32)
    load32 = time.perf_counter() - t0
    t0 = time.perf_counter()
    m8 = detoxify.load_detoxify(int8)
    load8 = time.perf_counter() - t0
    spans = m32.pieces_of(sentences(text))
    n_tokens = [len(m32.model.tokenizer(s.text)["input_ids"]) for s in spans]
    print(f"\n{model_type}: {type(m32.model.model).__name__}, "
          f"{sum(p.numel() for p in m32.model.model.parameters()) / 1e6:.0f} M parameters, "
          f"vocabulary {m32.model.model.config.vocab_size:,}; checkpoint {built.checkpoint.stat().st_size / 2**20:.0f} MiB")
    print(f"  draft: {len(text.split())} words, {len(spans)} sentences, "
          f"{statistics.mean(n_tokens):.1f} tokens per sentence (max {max(n_tokens)}) with special tokens")
    print(f"  load: fp32 {load32:.1f} s, int8 {load8:.1f} s (quantising included)")

    rows = []

    # Detoxify's own predict, batches of 16 in text order (the studio's path before this change),
    # with one thread like the rest (torch would start two on this two-core machine).
    import torch

    torch.set_num_threads(1)

    def detoxify_predict():
        texts = [s.text for s in m32.pieces_of(sentences(text))]
        for i in range(0, len(texts), 16):
            m32.model.predict(texts[i : i + 16])

    wall, cpu, _ = _timed(detoxify_predict, repeat)
    rows.append(("Detoxify.predict, fp32, batches of 16 in text order (model only)", wall, cpu, None, None))

    for label, settings, model in (("studio path, fp32", fp32, m32), ("studio path, int8", int8, m8)):
        def fresh():
            model.cache.clear()
            return check(text, settings, target_words=800)

        wall, cpu, report = _timed(fresh, repeat)
        assert {b.name: b.status for b in report.backends}["detoxify"] == "ran"

        def recheck():
            model.cache.clear()
            check(text, settings, target_words=800)
            before = model.scored
            w, c = time.perf_counter(), time.process_time()
            check(edited, settings, target_words=800)
            return time.perf_counter() - w, time.process_time() - c, model.scored - before

        results = [recheck() for _ in range(repeat)]
        rw = statistics.median(r[0] for r in results)
        rc = statistics.median(r[1] for r in results)
        rows.append((f"{label}: check() with all rules", wall, cpu, rw, rc, results[0][2]))

    print(f"  {'path':<66} {'fresh s':>8} {'(cpu)':>7} {'re-check s':>11} {'(cpu)':>7}")
    for row in rows:
        name, wall, cpu, rw, rc = row[:5]
        re = f"{rw:>11.3f} {rc:>7.3f}" if rw is not None else f"{'—':>11} {'':>7}"
        print(f"  {name:<66} {wall:>8.3f} {cpu:>7.3f} {re}")
    print(f"  the re-check ran the model on {rows[-1][5]} of {len(spans)} sentences (the edited paragraph); "
          "the rest came from the cache")

    # Score drift of int8 against fp32, on the same inputs.
    inputs = [s.text for s in spans]
    for t in _fixture_texts():
        inputs += [s.text for s in m32.pieces_of(sentences(t))]
    inputs = list(dict.fromkeys(inputs))
    m32.cache.clear()
    m8.cache.clear()
    a = m32.predict(inputs)
    b = m8.predict(inputs)
    diffs = [abs(x[k] - y[k]) for x, y in zip(a, b) for k in x]
    flips = 0
    for x, y in zip(a, b):
        for k in x:
            for th in (fp32.studio_toxicity_warn, fp32.studio_toxicity_block):
                flips += (x[k] >= th) != (y[k] >= th)
    scores = [v for x in a for v in x.values()]
    print(f"  int8 vs fp32 on {len(inputs)} sentences × {len(a[0])} labels: largest |Δ| {max(diffs):.4f}, "
          f"mean |Δ| {statistics.mean(diffs):.5f}, threshold flips {flips} "
          f"(fp32 scores {min(scores):.3f}–{max(scores):.3f})")
    return {"model": model_type, "rows": rows, "max_drift": max(diffs)}


def bench_embedded(repeat: int) -> None:
    from studio.checks.pipeline import check
    from studio.config import Settings

    text, _ = _draft()
    s = Settings(studio_detoxify_checkpoint="/nonexistent/none-00000000.ckpt", studio_openai_moderation=False)
    check(text, s, target_words=800)
    wall, cpu, _ = _timed(lambda: check(text, s, target_words=800), max(repeat, 20))
    print(f"\nembedded tier (profanity-check) + all rules, same draft: {wall * 1000:.1f} ms per check (cpu {cpu * 1000:.1f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--models", default="original,multilingual")
    ap.add_argument("--out", type=Path, default=toxicity_models.DEFAULT_DIR)
    ap.add_argument("--checkpoint", type=Path, help="a released Detoxify checkpoint instead of random weights "
                    "(with --config-dir; one model, named by --models)")
    ap.add_argument("--config-dir", type=Path)
    args = ap.parse_args()
    real = (args.checkpoint, args.config_dir) if args.checkpoint else None
    # Both bases resolve from the local Hugging Face cache the builder wrote (never the network).
    os.environ["HF_HOME"] = str(args.out / "hf_home")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    print(_pin_one_core(), f"· load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    import torch

    print(f"torch {torch.__version__}, GPU: {'yes' if torch.cuda.is_available() else 'none here (the studio uses one when present)'}")
    for name in args.models.split(","):
        bench_model(name.strip(), args.out, args.repeat, real)
    bench_embedded(args.repeat)


if __name__ == "__main__":
    main()
