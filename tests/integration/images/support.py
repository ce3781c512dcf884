"""Helpers for the images tests: the CLI in this process, and a draft with sections."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from studio.cli import main
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft

BODY = (
    "# Spring planning for small teams\n\nA calendar keeps a small team calm.\n\n"
    "## Pick three themes\n\nChoose themes your customers care about.\n\n"
    "## Book the dates\n\nPut every post on the shared calendar.\n\n"
    "### Leave room for news\n\nKeep one slot a month open.\n"
)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def studio(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def make_draft(engine, author, *, body: str = BODY, title: str = "Spring planning for small teams",
               status: str = "draft") -> int:  # fmt: skip
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="spring content planning"), author)
        add_revision(s, d, body, author, "generated", run_checks=False)
        d.title = title
        d.status = status
        s.flush()
        return d.id
