"""Editor feedback as training data: what models wrote, what editors approved, changed or rejected.

- ``rules``: pure decisions: word-level edit distance, when an edit counts, personal data
  redacted, the JSONL rows (OpenAI fine-tuning chat format, TRL DPO preference format).
- ``service``: the pairs read from the drafts, their revisions and generations; the audited export.
- ``cli``: ``python -m studio feedback export``.
"""
