"""Audit trail (admins): every decision, edit, sign-in and account change, filterable, as CSV."""

from datetime import datetime, time, timezone

import streamlit as st

from studio import ui
from studio.audit.download import audit_csv
from studio.audit.labels import action_label, filter_choices
from studio.audit.service import count, events
from studio.review.rules import status_label
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Audit trail")

choices = dict(filter_choices())  # label -> code
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
picked = c1.multiselect("What happened", list(choices), key="audit_actions", placeholder="Everything")
actor = c2.text_input("Who (user name)", key="audit_actor")
draft = c3.number_input("Draft #", min_value=0, value=0, step=1, key="audit_draft", help="0 = any draft")
since = c4.date_input("Since", value=None, key="audit_since")

filters = dict(
    action=[choices[label] for label in picked] or None,
    actor_name=actor.strip() or None,
    draft_id=int(draft) or None,
    since=datetime.combine(since, time.min, tzinfo=timezone.utc) if since else None,
)
shown = ui.call(events, user, limit=500, **filters)
total = ui.call(count, user, **filters)
csv_bytes = ui.call(audit_csv, user, **filters)

st.caption(f"{total} events; newest 500 shown. The download has all of them, with the action codes.")
st.download_button("Download CSV", csv_bytes, file_name="audit-trail.csv", mime="text/csv")
st.dataframe(
    [
        {"When (UTC)": e.created_at.strftime("%Y-%m-%d %H:%M:%S"), "Who": e.actor_name,
         "What": action_label(e.action),
         # Text throughout: a draft number beside empty cells would make the column mixed.
         "Draft": f"#{e.draft_id}" if e.draft_id else "",
         "From": status_label(e.from_status) if e.from_status else "",
         "To": status_label(e.to_status) if e.to_status else "", "Comment": e.comment}
        for e in shown
    ],
    hide_index=True, width="stretch", alt="Audit events, newest first",
)  # fmt: skip
