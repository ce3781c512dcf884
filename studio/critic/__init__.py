"""The critic pass (generator against discriminator): after writing, the checks and a model
critic score a draft against a rubric, and only the flagged passages are rewritten.

- ``rubric``: pure: the five scores, the flags, passages from flags, putting rewrites back.
- ``prompts``: the critic's and the rewrite's prompts, and reading their JSON answers.
- ``service``: ``CriticPass`` (rounds, saved as revisions with the critic's notes) and
  ``after_writing`` (the option a brief or the workspace turns on for the writer).
- ``cli``: ``python -m studio critic DRAFT_ID``.
"""
