"""Brand voices: a workspace's way of writing, measured from samples and applied when writing.

- ``profile``: the measured features of a text (pure); ``baseline``: general English to compare
  go-to words against; ``rules``: the voice's rules (avoid/prefer terms, spelling, Oxford comma,
  headline case, terms kept in every language) and their check findings.
- ``match``: the voice-match score, feature by feature (pure, deterministic).
- ``describe``: the model writes the description; ``service``: voices created, edited, versioned,
  the default, the guide a prompt carries; ``schemas``, ``cli`` (``python -m studio voices …``).
"""
