"""Build a tiny Detoxify-format checkpoint (BERT, hand-set weights) and a local tokenizer dir.

The weights are set so that the toxicity-type labels score high exactly when a sentence contains
one of TOXIC_WORDS: embeddings carry a "toxic" signal in dimension 0, attention is drawn to the
toxic tokens, and the classifier reads dimension 0 of the pooled output.
No download, no hub: the vocabulary is written here.
"""

from __future__ import annotations

import json
from pathlib import Path

TOXIC_WORDS = ["idiot", "idiots", "stupid", "moron", "trash"]
CLEAN_WORDS = (
    "the a an is are you we our your this that it to of and for with in on at be was were "
    "love customers team product launch great new feature today release notes thanks everyone "
    "happy help people customer support quarter crushing killer sales growth record "
    "plan pricing simple fast secure data report week month year"
).split()
CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
HIDDEN = 16


def build(tmp: Path, *, model_max_length: int = 64) -> tuple[Path, Path]:
    """Write `<tmp>/cfg` (config + tokenizer) and `<tmp>/toxic_tiny-00000000.ckpt`."""
    import torch
    import transformers

    cfg_dir = tmp / "cfg"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789.,!?'-")
    vocab = specials + TOXIC_WORDS + CLEAN_WORDS + chars + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    (cfg_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (cfg_dir / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": True, "model_max_length": model_max_length, "tokenizer_class": "BertTokenizer"}),
        encoding="utf-8",
    )
    # Load from the directory (works across transformers 4/5) and save the full tokenizer files.
    tok = transformers.BertTokenizer.from_pretrained(str(cfg_dir), local_files_only=True)
    assert tok.tokenize("idiot") == ["idiot"], "tiny vocabulary not loaded"
    tok.save_pretrained(str(cfg_dir))
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=HIDDEN, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=8, max_position_embeddings=128, num_labels=len(CLASSES),
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )
    config.save_pretrained(str(cfg_dir))

    model = transformers.BertForSequenceClassification(config)
    sd = model.state_dict()
    for k in sd:
        sd[k] = torch.zeros_like(sd[k])
    base = torch.tensor([0.0] + [(-1.0) ** i for i in range(HIDDEN - 1)])
    emb = base.repeat(len(vocab), 1)
    for w in TOXIC_WORDS:
        emb[vocab.index(w), 0] = 6.0
    sd["bert.embeddings.word_embeddings.weight"] = emb
    eye = torch.eye(HIDDEN)
    for name in list(sd):
        if name.endswith("LayerNorm.weight"):
            sd[name] = torch.ones_like(sd[name])
    p = "bert.encoder.layer.0."
    # Attention: a constant query against key = "toxic" dimension, so every position attends to
    # the toxic words when there are any (and uniformly otherwise).
    sd[p + "attention.self.query.bias"][0] = 10.0
    sd[p + "attention.self.key.weight"][0, 0] = 1.0
    sd[p + "attention.self.value.weight"] = eye.clone()
    sd[p + "attention.output.dense.weight"] = eye.clone()
    sd["bert.pooler.dense.weight"] = eye.clone()
    cls_w = torch.zeros(len(CLASSES), HIDDEN)
    cls_w[:, 0] = 8.0
    sd["classifier.weight"] = cls_w
    sd["classifier.bias"] = torch.full((len(CLASSES),), -4.0)
    model.load_state_dict(sd)

    ckpt = tmp / "toxic_tiny-00000000.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        # Detoxify resolves this with from_pretrained(); a local dir keeps it offline.
                        "model_type": str(cfg_dir),
                        "model_name": "BertForSequenceClassification",
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": len(CLASSES),
                    }
                },
                "dataset": {"args": {"classes": CLASSES}},
            },
            "state_dict": model.state_dict(),
        },
        ckpt,
    )
    return ckpt, cfg_dir
