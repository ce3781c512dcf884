"""Review queue (editors): filter, search, open a draft and decide."""

import streamlit as st

from studio import ui
from studio.drafting.brief import CONTENT_TYPES
from studio.review.queue import SORTS, QueueFilter, queue
from studio.review.rules import STATUSES, status_label
from studio.ui import routing
from studio.ui.draft_view import show_draft

routing.guard(__file__)

user = ui.require_user()
st.title("Review queue")
ui.show_flashes()

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    statuses = c1.multiselect(
        "Status", [s.value for s in STATUSES], default=["in_review"], format_func=status_label, key="q_status"
    )
    content_type = c2.selectbox("Type", [None, *CONTENT_TYPES], format_func=lambda v: "Any" if v is None else CONTENT_TYPES[v], key="q_type")
    verdict = c3.selectbox("Checks", [None, "pass", "warn", "block", "unavailable"],
                           format_func=lambda v: "Any" if v is None else v, key="q_verdict")
    author = c4.text_input("Author (user name)", key="q_author")
    c5, c6, c7 = st.columns([2, 1, 1])
    search = c5.text_input("Search title and text", key="q_search")
    age = c6.selectbox("Age", ["any", "older than 1 day", "older than 7 days", "last 24 hours"], key="q_age")
    sort = c7.selectbox("Sort", list(SORTS), format_func={
        "updated_asc": "Oldest first", "updated_desc": "Newest first", "created_desc": "Newest created", "title": "Title"}.get,
        key="q_sort")

older = {"older than 1 day": 1, "older than 7 days": 7}.get(age)
newer = 1 if age == "last 24 hours" else None
page_no = st.session_state.get("q_page", 1)
result = ui.call(queue, user, QueueFilter(
    statuses=tuple(statuses), content_type=content_type, author=author.strip() or None, verdict=verdict,
    older_than_days=older, newer_than_days=newer, search=search, sort=sort, page=page_no, page_size=20,
))

st.caption(" · ".join(f"{status_label(s)}: {n}" for s, n in result.counts.items()))
if not result.rows:
    st.info("Nothing matches these filters.")
    st.stop()

table = [
    {
        "#": r.id,
        "Title": r.title,
        "Type": CONTENT_TYPES.get(r.content_type, r.content_type),
        "Status": status_label(r.status),
        "Checks": r.verdict or "—",
        "Author": r.author,
        "Updated": ui.friendly_time(r.updated_at),
    }
    for r in result.rows
]
st.dataframe(table, hide_index=True, use_container_width=True)
nav = st.columns([1, 2, 1])
if nav[0].button("◀ Previous", disabled=result.page <= 1):
    st.session_state["q_page"] = result.page - 1
    st.rerun()
nav[1].caption(f"Page {result.page} of {result.pages} · {result.total} draft{'s' if result.total != 1 else ''}")
if nav[2].button("Next ▶", disabled=result.page >= result.pages):
    st.session_state["q_page"] = result.page + 1
    st.rerun()

ids = [r.id for r in result.rows]
titles = {r.id: r.title for r in result.rows}
remembered = st.session_state.get("queue_open_id")
open_id = st.selectbox(
    "Open draft", ids, index=ids.index(remembered) if remembered in ids else 0,
    format_func=lambda i: f"#{i} · {titles[i]}", key="queue_open_select",
)
st.session_state["queue_open_id"] = open_id
st.divider()
show_draft(user, open_id)
