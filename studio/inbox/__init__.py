"""Each person's inbox: what happened that concerns them, in the app and, optionally, by e-mail.

- ``rules``: the kinds of entry, their labels and sentences, and who gets each (pure).
- ``service``: entries written by the workflow's services; the inbox read, counted, marked read.
- ``mail``: the same entries by e-mail through the workspace's SMTP settings, after the commit.
- ``schemas``: what the Inbox page reads.
- ``cli``: ``python -m studio inbox``.
"""
