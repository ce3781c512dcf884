"""Review queue (editors): filter, search, pick a draft in the table, decide, go on to the next."""

import streamlit as st

from studio import ui
from studio.checks.policy import VERDICT_LABELS
from studio.drafting.brief import CONTENT_TYPES
from studio.review.queue import SORTS, QueueFilter, queue
from studio.review.rules import STATUSES, status_label
from studio.ui import routing, tables
from studio.ui.draft_view import show_draft
from studio.ui.inbox_view import QUEUE_OPEN_KEY, QUEUE_PINNED_KEY
from studio.ui.review_panel import QUEUE_DECIDED_KEY

routing.guard(__file__)

TABLE = "queue_table"
OPEN = QUEUE_OPEN_KEY  # the draft open below the table (set by the table, the buttons, the inbox)
REVIEWERS = {None: "Anyone", "me": "Assigned to me", "nobody": "Nobody yet"}
SORT_LABELS = {"updated_asc": "Oldest first", "updated_desc": "Newest first", "created_desc": "Newest created",
               "title": "Title"}  # fmt: skip

user = ui.require_user()
st.title("Review queue")
ui.show_flashes()
decided = st.session_state.pop(QUEUE_DECIDED_KEY, None)
pinned = st.session_state.pop(QUEUE_PINNED_KEY, None)  # opened from the inbox

with st.container(border=True):
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 1, 1])
    statuses = c1.multiselect(
        "Status", [s.value for s in STATUSES], default=["in_review"], format_func=status_label, key="q_status"
    )
    content_type = c2.selectbox("Type", [None, *CONTENT_TYPES], format_func=lambda v: "Any" if v is None else CONTENT_TYPES[v], key="q_type")
    verdict = c3.selectbox("Checks", [None, *VERDICT_LABELS], key="q_verdict",
                           format_func=lambda v: "Any" if v is None else VERDICT_LABELS[v])  # fmt: skip
    reviewer = c4.selectbox("Reviewer", list(REVIEWERS), format_func=REVIEWERS.get, key="q_reviewer")
    author = c5.text_input("Author (user name)", key="q_author")
    c6, c7, c8 = st.columns([2, 1, 1])
    search = c6.text_input("Search title and text", key="q_search")
    age = c7.selectbox("Age", ["any", "older than 1 day", "older than 7 days", "last 24 hours"], key="q_age",
                       format_func=str.capitalize)  # fmt: skip
    sort = c8.selectbox("Sort", list(SORTS), format_func=SORT_LABELS.get, key="q_sort")

older = {"older than 1 day": 1, "older than 7 days": 7}.get(age)
newer = 1 if age == "last 24 hours" else None
page_no = st.session_state.get("q_page", 1)
result = ui.call(queue, user, QueueFilter(
    statuses=tuple(statuses), content_type=content_type, author=author.strip() or None, verdict=verdict,
    older_than_days=older, newer_than_days=newer, search=search, sort=sort, page=page_no, page_size=20,
    reviewer=reviewer,
))  # fmt: skip

st.caption(" · ".join(f"{status_label(s)}: {n}" for s, n in result.counts.items()))
rows = result.rows
if decided is not None:
    # After a decision the queue goes on with the next draft waiting (not the one just decided).
    rows_left = [r for r in rows if r.id != decided["id"]]
    if rows_left:
        st.session_state[OPEN] = rows_left[0].id
        st.success(f"{decided['message']} Next: “{ui.md_escape(rows_left[0].title)}”, opened below.")
    else:
        st.session_state.pop(OPEN, None)
        st.success(f"{decided['message']} The queue is empty: no other draft is waiting here.")
        st.stop()
    tables.select(TABLE)
if pinned is not None and pinned not in [r.id for r in rows]:
    st.info(f"Draft #{pinned}, opened from your inbox, is not in this list with these filters; it is shown here.")
    show_draft(user, pinned)
    st.stop()
if not rows:
    st.info("Nothing matches these filters.")
    st.stop()

ids = [r.id for r in rows]
wanted = st.session_state.get(OPEN)
position = ids.index(wanted) if wanted in ids else 0
picked = tables.picked_rows(
    [
        {
            "#": r.id,
            "Title": r.title,
            "Type": CONTENT_TYPES.get(r.content_type, r.content_type),
            "Status": status_label(r.status),
            "Checks": VERDICT_LABELS.get(r.verdict, r.verdict) if r.verdict else "Not checked",
            "Reviewer": r.reviewer or "Nobody yet",
            "Author": r.author,
            "Updated": ui.friendly_time(r.updated_at),
        }
        for r in rows
    ],
    key=TABLE, row_ids=ids, alt="Drafts in the review queue: pick one to open it", selected=[position],
)

nav = st.columns([1, 1, 2, 1, 1], vertical_alignment="center")
here = picked[0] if picked else None
if nav[0].button("◀ Previous draft", disabled=here is None or here <= 0, key="q_prev_draft"):
    st.session_state[OPEN] = ids[here - 1]
    tables.select(TABLE)
    st.rerun()
if nav[1].button("Next draft ▶", disabled=here is None or here >= len(ids) - 1, key="q_next_draft"):
    st.session_state[OPEN] = ids[here + 1 if here is not None else 0]
    tables.select(TABLE)
    st.rerun()
nav[2].caption(f"Page {result.page} of {result.pages} · {result.total} draft{'s' if result.total != 1 else ''}")
if nav[3].button("Previous page", disabled=result.page <= 1, key="q_prev_page"):
    st.session_state["q_page"] = result.page - 1
    st.rerun()
if nav[4].button("Next page", disabled=result.page >= result.pages, key="q_next_page"):
    st.session_state["q_page"] = result.page + 1
    st.rerun()

if here is None:
    st.info("Pick a draft in the table (or use “Next draft”) to open it here.")
    st.stop()
open_id = ids[here]
st.session_state[OPEN] = open_id
st.divider()
show_draft(user, open_id, in_queue=True)
