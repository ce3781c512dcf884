"""Knowledge sources: what the writer may state as fact, and where it comes from.

- ``extract``: text out of .txt/.md/.pdf/.docx/.html (also used for brand-voice samples).
- ``fetch``: a web page within limits (http/https, size, time, no private addresses by default).
- ``chunking``: passages and search tokens; ``index``: BM25 (bm25s), fused with embeddings;
  ``embeddings``: the optional OpenAI-compatible /embeddings endpoint.
- ``service``: sources added, listed, archived and searched; the passages a draft was written from.
- ``citations``: ``[S2]`` in a text, turned into footnotes with links or removed (pure).
- ``schemas``, ``cli`` (``python -m studio sources …``).
"""
