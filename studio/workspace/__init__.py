"""Workspace settings that admins change in the app, stored in the database and audited.

- ``rules``: the one typed list of such settings (each with its label, its parser and the
  environment variable that gives its value until an admin changes it). Pure.
- ``service``: read them, change or reset one (audited), and the effective ``Settings`` the
  services use (the environment's, with the workspace's values over it).
- ``cli``: ``python -m studio workspace``.
"""
