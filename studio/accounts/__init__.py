"""People, sign-in, roles and the permissions table.

- ``permissions``: roles and the one table of who may do what (`can`, `require`, `authorize`).
- ``passwords``: argon2 hashing and the rules for names, passwords and roles.
- ``service``: looking people up, the first admin, the CLI account, account changes.
- ``signin``: signing in and out, lockouts, the inactivity timeout.
- ``schemas``: `Person`, what pages hold instead of ORM objects.
- ``cli``: ``python -m studio users …``.
"""
