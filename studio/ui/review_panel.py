"""The review part of the draft view: where the draft stands and who has it (shown on the draft
itself, for the author too), the reviewer's controls (claim, assign, unassign), withdraw, submit
and the editor's decision, with the claims an approval acknowledges."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.grounding import Grounding
from studio.drafting.schemas import DraftDetail
from studio.review.assignment import assign, claim, reviewers, unassign
from studio.review.rules import DECISION_LABELS, DECISIONS
from studio.review.service import submit, transition
from studio.ui import actions
from studio.ui.grounding import acknowledge_claims, acknowledged

# What a decision is called once it is done: "Approved “Spring launch”."
DECIDED = {"approve": "Approved", "request_changes": "Changes requested for", "reject": "Rejected"}
# The review queue reads this after a decision made there, to open the next draft waiting.
QUEUE_DECIDED_KEY = "queue_decided"


def _title(view: DraftDetail) -> str:
    """The title inside a message (messages are Markdown: the title stays text)."""
    return f"“{ui.md_escape(view.title)}”"


def show_review_state(view: DraftDetail) -> None:
    """Where the draft stands, who has it, and the latest request for changes, above the tabs."""
    state = view.review
    if state is None:
        return
    with st.container(border=True, key=f"review_state_{view.id}"):
        st.markdown(f"**Review:** {ui.md_escape(state.status_label)} · {ui.md_escape(state.summary)}")
        st.caption(f"Who has it now: {ui.md_escape(state.holder)}")
        note = state.latest_request
        if note is not None and view.status in ("changes_requested", "in_review", "draft"):
            st.markdown(
                f"**Latest request for changes** from {ui.md_escape(note.by)}, {ui.friendly_time(note.at)}:"
            )
            st.text(note.comment or "(no comment)")
        decision = state.decision
        if decision is not None and decision.comment:
            what = "Rejected" if view.status == "rejected" else "Approved"
            st.markdown(f"**{what}** by {ui.md_escape(decision.by)}, {ui.friendly_time(decision.at)}:")
            st.text(decision.comment)


def _reviewer_controls(user: Person, view: DraftDetail) -> None:
    state = view.review
    if not {"claim", "assign", "unassign"} & set(view.actions):
        return
    st.markdown("**Reviewer**")
    st.caption(f"Reviewer: {ui.md_escape(state.reviewer) if state and state.reviewer else 'nobody yet'}")
    cols = st.columns([1, 2, 1], vertical_alignment="bottom")
    if "claim" in view.actions:
        with cols[0]:
            actions.button("Review this draft", key=f"claim_{view.id}", help="Take it: it is assigned to you.",
                           action=lambda _v: actions.said(ui.call(claim, view.id, user, view.version),
                                                          f"You review {_title(view)} now."))  # fmt: skip
    if "assign" in view.actions:
        people = ui.call(reviewers, user)
        # Not the reviewer it has already, nor its author (the service refuses both).
        choices = [p.id for p in people
                   if p.id != (state.reviewer_id if state else None) and p.id != view.author_id]
        labels = {p.id: p.label for p in people}
        if choices:
            with cols[1].form(f"assign_form_{view.id}", border=False):
                inner = st.columns([3, 1], vertical_alignment="bottom")
                inner[0].selectbox("Assign to", choices, format_func=labels.get, key=f"assign_to_{view.id}")
                with inner[1]:
                    actions.form_submit(
                        "Assign", key=f"assign_go_{view.id}", fields={"who": f"assign_to_{view.id}"},
                        action=lambda v: actions.said(ui.call(assign, view.id, user, v["who"], view.version),
                                                      f"{ui.md_escape(labels.get(v['who'], ''))} reviews {_title(view)} now."),
                    )  # fmt: skip
    if "unassign" in view.actions:
        with cols[2]:
            actions.button("Remove reviewer", key=f"unassign_{view.id}",
                           action=lambda _v: actions.said(ui.call(unassign, view.id, user, view.version),
                                                          f"Nobody reviews {_title(view)} now."))  # fmt: skip


def _withdraw(user: Person, view: DraftDetail) -> None:
    state = view.review
    if "withdraw" in view.actions:
        st.caption("Nobody has started reviewing it yet, so you can take it back to change it.")
        actions.button(
            "Withdraw from review", key=f"withdraw_{view.id}_{view.version}",
            action=lambda _v: actions.said(
                ui.call(transition, view.id, user, "withdraw", expected_version=view.version),
                f"Withdrawn: {_title(view)} is a draft again, yours to change.",
            ),
        )  # fmt: skip
    elif view.status == "in_review" and view.author_id == user.id and state and state.withdraw_refusal:
        st.caption(state.withdraw_refusal)


def _submit(user: Person, view: DraftDetail) -> None:
    if "submit" not in view.actions:
        return
    # The buttons' keys carry the version: a double-click is one submission, but submitting
    # again after a withdrawal (a new version) within seconds is a new one.
    label = "Resubmit for review" if view.status == "changes_requested" else "Submit for review"
    with st.form(f"submit_{view.id}"):
        st.text_input("Note for the editor (optional)", key=f"submit_note_{view.id}")
        actions.form_submit(
            label, key=f"submit_go_{view.id}_{view.version}", type="primary", fields={"note": f"submit_note_{view.id}"},
            action=lambda v: actions.said(ui.call(submit, view.id, user, view.version, v["note"] or ""),
                                   "Submitted for review."),
        )  # fmt: skip


def _decide(user: Person, view: DraftDetail, *, in_queue: bool, grounding: Grounding | None) -> bool:
    decisions = [d for d in DECISIONS if d in view.actions]
    if not decisions:
        return False
    if view.author_id == user.id and "approve" not in decisions:
        st.caption("You wrote this draft; another editor must approve it (unless self-approval is allowed).")
    fields = {"decision": f"decision_{view.id}", "comment": f"decision_comment_{view.id}"}
    with st.form(f"decide_{view.id}"):
        st.radio("Decision", decisions, format_func=DECISION_LABELS.get, horizontal=True, key=fields["decision"])
        st.text_area("Comment", key=fields["comment"], help="Required when requesting changes or rejecting.")
        if view.verdict == "block":
            fields["override"] = f"override_{view.id}"
            st.text_input("Override reason (the checks blocked this draft)", key=fields["override"])
        if view.verdict in (None, "unavailable"):
            fields["manual"] = f"manual_{view.id}"
            st.checkbox("I reviewed this manually", key=fields["manual"])
        if "approve" in decisions and grounding is not None:
            fields.update(acknowledge_claims(grounding, key=str(view.id)))
        actions.form_submit("Record decision", key=f"decide_go_{view.id}", type="primary", fields=fields,
                            action=lambda v: _decided(user, view, v, in_queue=in_queue))
    return True


def _decided(user: Person, view: DraftDetail, values: dict, *, in_queue: bool) -> str | None:
    """The decision's action (run once per click, in the button's callback)."""
    decision = values["decision"]
    ui.call(transition, view.id, user, decision, expected_version=view.version, comment=values["comment"] or "",
            override_reason=values.get("override") or "", manual_review_confirmed=bool(values.get("manual")),
            acknowledged_claims=acknowledged(values) if decision == "approve" else [])
    message = f"{DECIDED[decision]} {_title(view)}."
    if in_queue:
        # The queue opens the next draft waiting and says so (or that the queue is empty).
        st.session_state[QUEUE_DECIDED_KEY] = {"id": view.id, "message": message}
        return None
    return message


def show_review_tab(
    user: Person, view: DraftDetail, *, in_queue: bool = False, grounding: Grounding | None = None
) -> None:
    """The Review tab: state, reviewer, withdraw, submit, decision (approving acknowledges each
    claim of ``grounding``'s ledger that its sources do not fully support)."""
    _reviewer_controls(user, view)
    _withdraw(user, view)
    _submit(user, view)
    decided = _decide(user, view, in_queue=in_queue, grounding=grounding)
    if view.status not in {"draft", "changes_requested", "in_review"}:
        st.info(f"This draft is {view.review.status_label.lower() if view.review else view.status}.")
    elif not {"submit", "withdraw", "claim", "assign"} & set(view.actions) and not decided:
        st.caption("No review actions for you on this draft.")
