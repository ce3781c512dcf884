"""Real-size Detoxify checkpoints for the benchmark, built here from local configs (no download).

Detoxify's ``original`` model is a BERT-base (bert-base-uncased: 12 layers, hidden 768, 30,522
word pieces) and ``multilingual`` an XLM-RoBERTa-base (12 layers, hidden 768, 250,002
sentence pieces). Their weights cannot be fetched here, so this builds models of exactly those
shapes with random weights, plus tokenizers with a vocabulary trained on local English text
(the docstrings of the installed Python packages and this repository's documents) and padded
to the real vocabulary size. The checkpoint has Detoxify's own format and names the base model
the way the released checkpoints do (``"bert-base-uncased"``), and the config sits in a local
Hugging Face cache, so `studio.checks.detoxify` loads it through Detoxify's real loading code,
offline, exactly as it would load the released file.

Random weights make the scores meaningless as toxicity (the bench measures time and the drift
between precisions, not accuracy). The classifier's bias is set to -3 so clean text scores
around 0.05, as with a trained model, instead of hovering at the 0.5 warn threshold.

    python -m bench.toxicity_models [--out DIR]      # builds both (≈ 1.6 GB on disk), prints paths
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(os.environ.get("STUDIO_BENCH_MODELS", "/tmp/studio-bench-models"))
CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
# The multilingual checkpoint's classes (Jigsaw multilingual): the same toxicity labels.
SPECS = {
    "original": dict(base="bert-base-uncased", arch="BertForSequenceClassification", tok="BertTokenizer",
                     vocab=30522),
    "multilingual": dict(base="xlm-roberta-base", arch="XLMRobertaForSequenceClassification",
                         tok="XLMRobertaTokenizer", vocab=250002),
}  # fmt: skip
COMMIT = "0" * 40  # the snapshot name in the local Hugging Face cache


@dataclass(frozen=True)
class Built:
    model_type: str
    checkpoint: Path
    config_dir: Path  # the snapshot directory (config.json + tokenizer files)
    hf_home: Path  # point HF_HOME here so "bert-base-uncased" resolves offline


def corpus(limit_chars: int = 12_000_000) -> list[str]:
    """English prose found on this machine: docstrings of installed packages, our documents."""
    texts: list[str] = []
    total = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    for path in sorted(site.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="ignore"))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=True)
                if doc and len(doc) > 80:
                    texts.append(doc)
                    total += len(doc)
        if total > limit_chars:
            break
    return texts


def _bert_tokenizer(out: Path, texts: list[str], size: int) -> None:
    from tokenizers import BertWordPieceTokenizer

    tok = BertWordPieceTokenizer(lowercase=True)
    tok.train_from_iterator(texts, vocab_size=size, min_frequency=2,
                            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])  # fmt: skip
    vocab = sorted(tok.get_vocab().items(), key=lambda kv: kv[1])
    words = [w for w, _ in vocab]
    n = 0
    while len(words) < size:  # BERT's own vocabulary has [unusedN] slots too
        words.append(f"[unused{n}]")
        n += 1
    (out / "vocab.txt").write_text("\n".join(words[:size]) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}),
        encoding="utf-8",
    )
    import transformers

    transformers.BertTokenizer.from_pretrained(str(out), local_files_only=True).save_pretrained(str(out))


def _xlmr_tokenizer(out: Path, texts: list[str], size: int) -> None:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=48_000, special_tokens=specials, unk_token="<unk>")
    tok.train_from_iterator(texts, trainer=trainer)
    model = json.loads(tok.to_str())["model"]
    pieces = [(p, s) for p, s in model["vocab"]]
    n = 0
    while len(pieces) < size - 1:  # pad to XLM-R's size with pieces no text produces
        pieces.append((f"▁\u2063{n}", -100.0))
        n += 1
    pieces.append(("<mask>", 0.0))
    full = Tokenizer(models.Unigram(pieces, unk_id=3))
    full.normalizer = normalizers.NFKC()
    full.pre_tokenizer = pre_tokenizers.Metaspace()
    full.decoder = decoders.Metaspace()
    full.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    import transformers

    wrapped = transformers.XLMRobertaTokenizer(
        tokenizer_object=full, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512,
    )  # fmt: skip
    wrapped.save_pretrained(str(out))


def build(model_type: str, out_dir: Path = DEFAULT_DIR, *, texts: list[str] | None = None) -> Built:
    """Build (once) the ``model_type`` checkpoint and its config; later calls reuse the files."""
    spec = SPECS[model_type]
    hf_home = out_dir / "hf_home"
    repo = hf_home / "hub" / f"models--{spec['base']}"
    snap = repo / "snapshots" / COMMIT
    ckpt = out_dir / f"{model_type}-random-00000000.ckpt"
    if ckpt.is_file() and (snap / "config.json").is_file():
        return Built(model_type, ckpt, snap, hf_home)
    import torch
    import transformers

    snap.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(COMMIT, encoding="utf-8")
    texts = corpus() if texts is None else texts
    if model_type == "original":
        _bert_tokenizer(snap, texts, spec["vocab"])
        config = transformers.BertConfig(vocab_size=spec["vocab"], num_labels=len(CLASSES))
    else:
        _xlmr_tokenizer(snap, texts, spec["vocab"])
        config = transformers.XLMRobertaConfig(
            vocab_size=spec["vocab"], max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
            bos_token_id=0, eos_token_id=2, num_labels=len(CLASSES),
        )  # fmt: skip
    config.save_pretrained(str(snap))
    torch.manual_seed(13)
    model = getattr(transformers, spec["arch"])(config)
    with torch.no_grad():
        model.classifier.out_proj.bias.fill_(-3.0) if hasattr(model.classifier, "out_proj") else model.classifier.bias.fill_(-3.0)
    torch.save(
        {
            "config": {
                "arch": {"args": {"model_type": spec["base"], "model_name": spec["arch"],
                                  "tokenizer_name": spec["tok"], "num_classes": len(CLASSES)}},
                "dataset": {"args": {"classes": CLASSES}},
            },
            "state_dict": model.state_dict(),
        },
        ckpt,
    )  # fmt: skip
    return Built(model_type, ckpt, snap, hf_home)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--model", choices=sorted(SPECS), action="append")
    args = ap.parse_args()
    texts = corpus()
    print(f"corpus: {len(texts)} texts, {sum(map(len, texts)) / 1e6:.1f} M characters")
    for name in args.model or sorted(SPECS, reverse=True):
        b = build(name, args.out, texts=texts)
        print(f"{name}: checkpoint {b.checkpoint} ({b.checkpoint.stat().st_size / 2**20:.0f} MiB), config {b.config_dir}")


if __name__ == "__main__":
    main()
