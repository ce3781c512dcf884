"""The claim ledger: statements that need support, and the passage that supports each.

- ``extract``: claims found by rules (figures, percentages, dates, quotes, named studies,
  superlatives; per language), ``model``: by the chat model where configured.
- ``support``: each claim linked to the passage that supports it, or not (pure).
- ``service``: the ledger of a revision (stored), what approval must acknowledge; ``schemas``;
  ``cli`` (``python -m studio claims …``).
"""
