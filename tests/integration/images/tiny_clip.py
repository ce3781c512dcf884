"""Build a tiny, randomly initialised CLIP checkpoint with its tokenizer and image processor in
a local directory: the files `python -m studio models fetch --clip` would put in place, a few
hundred kilobytes, no download. The vocabulary is CLIP's byte alphabet (each character a token)."""

from __future__ import annotations

import json
from pathlib import Path


def _byte_alphabet() -> list[str]:
    # GPT-2/CLIP's reversible byte → printable character table.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def build(tmp: Path, *, seed: int = 0) -> Path:
    """Write the model directory ``<tmp>/clip`` and return it."""
    import torch
    import transformers

    out = tmp / "clip"
    out.mkdir(parents=True, exist_ok=True)
    chars = _byte_alphabet()
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    (out / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (out / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = transformers.CLIPTokenizer(str(out / "vocab.json"), str(out / "merges.txt"))
    images = transformers.CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32},
    )
    transformers.CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(str(out))
    config = transformers.CLIPConfig(
        text_config=dict(vocab_size=len(tokens), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=77,
                         bos_token_id=len(tokens) - 2, eos_token_id=len(tokens) - 1, pad_token_id=len(tokens) - 1),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=8,
    )
    torch.manual_seed(seed)
    transformers.CLIPModel(config).save_pretrained(str(out))
    return out
