"""Check precision from editors: how often editors act on each check rule's findings.

- ``rules``: what became of a finding (pure); ``service``: the report (admins), dismissals
  (editors) and allowing a phrase (admins); ``schemas``; ``cli``: ``python -m studio checks …``.
"""
