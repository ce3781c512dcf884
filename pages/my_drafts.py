"""My drafts: the person's drafts, one opened to read, edit and see how it was made."""

import streamlit as st

from studio import ui
from studio.drafting.brief import CONTENT_TYPES
from studio.drafting.service import list_own_drafts
from studio.review.rules import status_label
from studio.ui import routing
from studio.ui.draft_view import show_draft

routing.guard(__file__)

user = ui.require_user()
st.title("My drafts")
ui.show_flashes()

rows = ui.call(list_own_drafts, user)

if not rows:
    st.info("No drafts yet. Start one on the **New draft** page.")
    st.page_link("pages/draft.py", label="New draft", icon=":material/edit_note:")
    st.stop()

table = [
    {
        "#": r.id,
        "Title": r.title,
        "Type": CONTENT_TYPES.get(r.content_type, r.content_type),
        "Status": status_label(r.status) + (" · incomplete" if r.incomplete else ""),
        "Updated": ui.friendly_time(r.updated_at),
    }
    for r in rows
]
selection = st.dataframe(
    table,
    hide_index=True,
    use_container_width=True,
    on_select="rerun",
    selection_mode="single-row",
    key="my_drafts_table",
)
picked = selection.selection.rows if selection else []
default_id = st.session_state.get("open_draft_id", rows[0].id)
if picked:
    default_id = rows[picked[0]].id
ids = [r.id for r in rows]
open_id = st.selectbox(
    "Open draft",
    ids,
    index=ids.index(default_id) if default_id in ids else 0,
    format_func=lambda i: f"#{i} · {next(r.title for r in rows if r.id == i)}",
)
st.session_state["open_draft_id"] = open_id
st.divider()
show_draft(user, open_id)
