"""Every audit action the studio writes has a label people read."""

from __future__ import annotations

import re
from pathlib import Path

from studio.audit.labels import ACTION_LABELS, action_label, filter_choices
from studio.drafting.service import _DONE

ROOT = Path(__file__).resolve().parents[3]
ACTION = re.compile(r'"((?:auth|user|draft|review|export|workspace)\.[a-z_]+)"')
# Permission names share the dotted style; they are not audit actions.
NOT_ACTIONS = {"draft.create", "draft.edit_own", "draft.edit_any", "draft.submit", "draft.view_all", "draft.withdraw",
               "review.override_block", "export.run", "users.manage", "draft.localise", "workspace.read"}  # fmt: skip


def test_every_action_written_in_the_code_has_a_label():
    written = set()
    for path in (ROOT / "studio").rglob("*.py"):
        written |= set(ACTION.findall(path.read_text(encoding="utf-8")))
    written |= {f"review.{a}" for a in ("submit", "approve", "reject", "request_changes", "export", "withdraw")}
    written |= {f"draft.{r}" for r in ("edited", "suggestion_applied")}
    assert not (written - NOT_ACTIONS - set(ACTION_LABELS)), written - NOT_ACTIONS - set(ACTION_LABELS)
    assert set(_DONE) <= set(ACTION_LABELS)


def test_labels_are_words_not_codes():
    assert action_label("review.approve") == "Approved"
    assert action_label("review.something_new") == "Something new"
    assert all("." not in label and "_" not in label for label in ACTION_LABELS.values())
    assert filter_choices()[0][0] <= filter_choices()[-1][0]
