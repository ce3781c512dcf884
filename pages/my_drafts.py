"""My drafts: the person's drafts; the one picked in the table opens below."""

import streamlit as st

from studio import ui
from studio.drafting.brief import CONTENT_TYPES
from studio.drafting.service import list_own_drafts
from studio.review.rules import status_label
from studio.ui import routing, tables
from studio.ui.draft_view import show_draft
from studio.ui.inbox_view import MY_DRAFTS_OPEN_KEY

routing.guard(__file__)

TABLE = "my_drafts_table"

user = ui.require_user()
st.title("My drafts")
ui.show_flashes()

rows = ui.call(list_own_drafts, user)

if not rows:
    st.info("No drafts yet. Start one on the **New draft** page.")
    st.page_link("pages/draft.py", label="New draft", icon=":material/edit_note:")
    st.stop()

ids = [r.id for r in rows]
wanted = st.session_state.get(MY_DRAFTS_OPEN_KEY)
picked = tables.picked_rows(
    [
        {
            "#": r.id,
            "Title": r.title,
            "Type": CONTENT_TYPES.get(r.content_type, r.content_type),
            "Status": status_label(r.status) + (" · incomplete" if r.incomplete else ""),
            "Updated": ui.friendly_time(r.updated_at),
        }
        for r in rows
    ],
    key=TABLE, row_ids=ids, alt="Your drafts: pick one to open it", selected=[ids.index(wanted) if wanted in ids else 0],
)
here = picked[0] if picked else None
nav = st.columns([1, 1, 4])
if nav[0].button("◀ Previous draft", disabled=here is None or here <= 0, key="mine_prev"):
    st.session_state[MY_DRAFTS_OPEN_KEY] = ids[here - 1]
    tables.select(TABLE)
    st.rerun()
if nav[1].button("Next draft ▶", disabled=here is None or here >= len(ids) - 1, key="mine_next"):
    st.session_state[MY_DRAFTS_OPEN_KEY] = ids[here + 1 if here is not None else 0]
    tables.select(TABLE)
    st.rerun()
if here is None:
    st.info("Pick a draft in the table (or use “Next draft”) to open it here.")
    st.stop()
st.session_state[MY_DRAFTS_OPEN_KEY] = ids[here]
st.divider()
show_draft(user, ids[here])
