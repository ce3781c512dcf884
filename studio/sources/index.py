"""Search over source passages: BM25 (``bm25s``) always, plus embeddings when they are configured.

BM25 is the embedded default: no model, no network, deterministic. When an OpenAI-compatible
``/embeddings`` model is configured, the query's and the passages' vectors rank the same
passages by cosine similarity, and the two rankings are merged by reciprocal rank fusion (a
passage high in either list ranks high; k = 60 as in Cormack et al., 2009). Lexical search finds
the exact names, figures and product terms a marketer types; semantic search finds the passage
that says the same thing in other words.

The indexes are kept per process, keyed by the passages they cover, and built again when the
passages change (a new source, an archived one).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from studio.sources.chunking import search_tokens

RRF_K = 60
_CACHE_SIZE = 8


@dataclass(frozen=True)
class Doc:
    id: int
    text: str


@dataclass(frozen=True)
class Hit:
    id: int
    score: float  # the fused score (BM25 alone: its score)
    bm25: float
    cosine: float | None = None

    @property
    def how(self) -> str:
        if self.cosine is None:
            return "bm25"
        return "bm25+semantic" if self.bm25 > 0 else "semantic"


class LexicalIndex:
    """BM25 over a fixed set of passages."""

    def __init__(self, docs: Sequence[Doc]) -> None:
        import bm25s

        self.ids = [d.id for d in docs]
        corpus = [search_tokens(d.text) or [""] for d in docs]
        self.retriever = bm25s.BM25()
        if corpus:
            self.retriever.index(corpus, show_progress=False)

    def scores(self, query: str) -> list[tuple[int, float]]:
        """(doc id, BM25 score) for every passage that shares a word with ``query``, best first."""
        q = list(dict.fromkeys(search_tokens(query)))
        if not q or not self.ids:
            return []
        vocab = self.retriever.vocab_dict
        q = [t for t in q if t in vocab]
        if not q:
            return []
        raw = self.retriever.get_scores(q)
        ranked = sorted(((self.ids[i], float(s)) for i, s in enumerate(raw) if s > 0), key=lambda p: (-p[1], p[0]))
        return ranked


_indexes: OrderedDict[tuple[int, ...], LexicalIndex] = OrderedDict()
_lock = threading.Lock()


def lexical_index(docs: Sequence[Doc]) -> LexicalIndex:
    """The BM25 index of ``docs``, from this process's cache when it has one for exactly them."""
    # Ids and texts: another database (or an edited passage) may give the same ids other words.
    key = tuple(sorted((d.id, hash(d.text)) for d in docs))
    with _lock:
        hit = _indexes.get(key)
        if hit is not None:
            _indexes.move_to_end(key)
            return hit
    built = LexicalIndex(sorted(docs, key=lambda d: d.id))
    with _lock:
        _indexes[key] = built
        while len(_indexes) > _CACHE_SIZE:
            _indexes.popitem(last=False)
    return built


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def search(
    docs: Sequence[Doc], query: str, k: int, *, query_vector: Sequence[float] | None = None,
    vectors: dict[int, Sequence[float]] | None = None, min_cosine: float = 0.2,
) -> list[Hit]:  # fmt: skip
    """The ``k`` best passages for ``query``: BM25, fused with cosine ranks when vectors are given."""
    lexical = lexical_index(docs).scores(query)
    bm25 = dict(lexical)
    if query_vector is None or not vectors:
        return [Hit(i, s, s) for i, s in lexical[:k]]
    semantic = sorted(
        ((i, cosine(query_vector, v)) for i, v in vectors.items()), key=lambda p: (-p[1], p[0])
    )
    semantic = [(i, c) for i, c in semantic if c >= min_cosine]
    cos = dict(semantic)
    fused: dict[int, float] = {}
    for rank, (i, _) in enumerate(lexical, start=1):
        fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    for rank, (i, _) in enumerate(semantic, start=1):
        fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    ranked = sorted(fused.items(), key=lambda p: (-p[1], p[0]))[:k]
    return [Hit(i, s, bm25.get(i, 0.0), cos.get(i)) for i, s in ranked]
