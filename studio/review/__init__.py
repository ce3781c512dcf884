"""The editorial review.

- ``rules``: statuses and their labels, the transition table, who may edit, available actions
  (pure, no database).
- ``service``: one transition at a time, with its checks (submit runs the checks, approve
  weighs their verdict).
- ``bulk``: many drafts at once, all or nothing.
- ``queue``: the editors' filtered, searched, paged list.
- ``comments``, ``diff``: talking about a draft; revisions compared.
- ``cli``: ``python -m studio review …``.
"""
