"""Prompt versions per content type, measured by what editors do with their drafts.

- ``schemas``: what the writer and pages read (``PromptTemplate``, ``VersionView``, ``VersionStats``).
- ``rules``: pure decisions: template validation, the A/B pick, the shares, the 95% intervals.
- ``service``: versions added, split, promoted, retired (audited); the version a new draft gets;
  the outcome statistics per version.
- ``cli``: ``python -m studio prompts list|add|split|promote|retire|stats``.
"""
