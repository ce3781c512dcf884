"""The review part of the draft view: where the draft stands and who has it (shown on the draft
itself, for the author too), the reviewer's controls (claim, assign, unassign), withdraw, submit
and the editor's decision."""

from __future__ import annotations

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.drafting.schemas import DraftDetail
from studio.review.assignment import assign, claim, reviewers, unassign
from studio.review.rules import DECISION_LABELS, DECISIONS
from studio.review.service import submit, transition

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


def _done(message: str | None) -> None:
    if message:
        ui.flash(message)
    st.rerun()


def _reviewer_controls(user: Person, view: DraftDetail) -> None:
    state = view.review
    if not {"claim", "assign", "unassign"} & set(view.actions):
        return
    st.markdown("**Reviewer**")
    st.caption(f"Reviewer: {ui.md_escape(state.reviewer) if state and state.reviewer else 'nobody yet'}")
    cols = st.columns([1, 2, 1], vertical_alignment="bottom")
    if "claim" in view.actions and cols[0].button("Review this draft", key=f"claim_{view.id}",
                                                  help="Take it: it is assigned to you."):
        if ui.attempt(claim, view.id, user, view.version) is not ui.REFUSED:
            _done(f"You review {_title(view)} now.")
    if "assign" in view.actions:
        people = ui.call(reviewers, user)
        # Not the reviewer it has already, nor its author (the service refuses both).
        choices = [p.id for p in people
                   if p.id != (state.reviewer_id if state else None) and p.id != view.author_id]
        labels = {p.id: p.label for p in people}
        if choices:
            with cols[1].form(f"assign_form_{view.id}", border=False):
                inner = st.columns([3, 1], vertical_alignment="bottom")
                who = inner[0].selectbox("Assign to", choices, format_func=labels.get, key=f"assign_to_{view.id}")
                go = inner[1].form_submit_button("Assign")
            if go and ui.attempt(assign, view.id, user, who, view.version) is not ui.REFUSED:
                _done(f"{ui.md_escape(labels[who])} reviews {_title(view)} now.")
    if "unassign" in view.actions and cols[2].button("Remove reviewer", key=f"unassign_{view.id}"):
        if ui.attempt(unassign, view.id, user, view.version) is not ui.REFUSED:
            _done(f"Nobody reviews {_title(view)} now.")


def _withdraw(user: Person, view: DraftDetail) -> None:
    state = view.review
    if "withdraw" in view.actions:
        st.caption("Nobody has started reviewing it yet, so you can take it back to change it.")
        if st.button("Withdraw from review", key=f"withdraw_{view.id}"):
            if ui.attempt(transition, view.id, user, "withdraw", expected_version=view.version) is not ui.REFUSED:
                _done(f"Withdrawn: {_title(view)} is a draft again, yours to change.")
    elif view.status == "in_review" and view.author_id == user.id and state and state.withdraw_refusal:
        st.caption(state.withdraw_refusal)


def _submit(user: Person, view: DraftDetail) -> None:
    if "submit" not in view.actions:
        return
    label = "Resubmit for review" if view.status == "changes_requested" else "Submit for review"
    with st.form(f"submit_{view.id}"):
        note = st.text_input("Note for the editor (optional)", key=f"submit_note_{view.id}")
        go = st.form_submit_button(label, type="primary")
    if go and ui.attempt(submit, view.id, user, view.version, note) is not ui.REFUSED:
        _done("Submitted for review.")


def _decide(user: Person, view: DraftDetail, *, in_queue: bool) -> bool:
    decisions = [d for d in DECISIONS if d in view.actions]
    if not decisions:
        return False
    if view.author_id == user.id and "approve" not in decisions:
        st.caption("You wrote this draft; another editor must approve it (unless self-approval is allowed).")
    with st.form(f"decide_{view.id}"):
        decision = st.radio("Decision", decisions, format_func=DECISION_LABELS.get, horizontal=True,
                            key=f"decision_{view.id}")
        comment = st.text_area("Comment", key=f"decision_comment_{view.id}",
                               help="Required when requesting changes or rejecting.")
        override = ""
        manual = False
        if view.verdict == "block":
            override = st.text_input("Override reason (the checks blocked this draft)", key=f"override_{view.id}")
        if view.verdict in (None, "unavailable"):
            manual = st.checkbox("I reviewed this manually", key=f"manual_{view.id}")
        go = st.form_submit_button("Record decision", type="primary")
    if go:
        done = ui.attempt(transition, view.id, user, decision, expected_version=view.version, comment=comment,
                          override_reason=override, manual_review_confirmed=manual)  # fmt: skip
        if done is not ui.REFUSED:
            message = f"{DECIDED[decision]} {_title(view)}."
            if in_queue:
                # The queue opens the next draft waiting and says so (or that the queue is empty).
                st.session_state[QUEUE_DECIDED_KEY] = {"id": view.id, "message": message}
                message = None
            _done(message)
    return True


def show_review_tab(user: Person, view: DraftDetail, *, in_queue: bool = False) -> None:
    """The Review tab: state, reviewer, withdraw, submit, decision."""
    _reviewer_controls(user, view)
    _withdraw(user, view)
    _submit(user, view)
    decided = _decide(user, view, in_queue=in_queue)
    if view.status not in {"draft", "changes_requested", "in_review"}:
        st.info(f"This draft is {view.review.status_label.lower() if view.review else view.status}.")
    elif not {"submit", "withdraw", "claim", "assign"} & set(view.actions) and not decided:
        st.caption("No review actions for you on this draft.")
