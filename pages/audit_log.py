"""Audit trail (admins): every decision, edit, sign-in and account change, filterable, as CSV."""

from datetime import datetime, time, timezone

import streamlit as st

from studio import ui
from studio.audit.download import audit_csv
from studio.audit.service import count, events
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Audit trail")

c1, c2, c3, c4 = st.columns(4)
action = c1.text_input("Action (e.g. review.approve)", key="audit_action")
actor = c2.text_input("Who (user name)", key="audit_actor")
draft = c3.number_input("Draft #", min_value=0, value=0, step=1, key="audit_draft", help="0 = any draft")
since = c4.date_input("Since", value=None, key="audit_since")

filters = dict(
    action=action.strip() or None,
    actor_name=actor.strip() or None,
    draft_id=int(draft) or None,
    since=datetime.combine(since, time.min, tzinfo=timezone.utc) if since else None,
)
shown = ui.call(events, user, limit=500, **filters)
total = ui.call(count, user, **filters)
csv_bytes = ui.call(audit_csv, user, **filters)

st.caption(f"{total} events; newest 500 shown. The download has all of them.")
st.download_button("Download CSV", csv_bytes, file_name="audit-trail.csv", mime="text/csv")
st.dataframe(
    [
        {"When": e.created_at.strftime("%Y-%m-%d %H:%M:%S"), "Who": e.actor_name, "Action": e.action,
         # One type per column (text): a column of numbers and blanks fails Arrow's conversion.
         "Draft": str(e.draft_id) if e.draft_id else "", "From": e.from_status or "", "To": e.to_status or "", "Comment": e.comment}
        for e in shown
    ],
    hide_index=True, use_container_width=True,
)
