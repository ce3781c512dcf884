"""Calendar: planned, in-review, approved and exported content by its publish date, week by week."""

from datetime import date, timedelta

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.planning.calendar import STAGE_ORDER, monday_of
from studio.planning.service import calendar
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Calendar")

STAGE_COLOURS = {"Planned": "gray", "In review": "blue", "Approved": "green", "Exported": "violet"}

monday = st.session_state.get("cal_monday", monday_of(date.today()))
c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 2, 2])
if c1.button("← Earlier", key="cal_prev"):
    monday -= timedelta(weeks=1)
if c2.button("This week", key="cal_today"):
    monday = monday_of(date.today())
if c3.button("Later →", key="cal_next"):
    monday += timedelta(weeks=1)
st.session_state["cal_monday"] = monday
count = c4.selectbox("Weeks", [1, 2, 4, 8], index=2, key="cal_weeks")
mine = c5.toggle("Only mine", key="cal_mine") if can(user, "draft.view_all") else True
st.caption(" ".join(f":{STAGE_COLOURS[s]}-badge[{s}]" for s in STAGE_ORDER)
           + " · by publish date (UTC); drafts without a publish date are not shown.")

weeks = ui.call(calendar, user, monday, count, mine_only=mine)
for week in weeks:
    counts = " · ".join(f"{s} {n}" for s, n in week.counts.items() if n) or "nothing planned"
    st.markdown(f"**Week of {week.monday:%d %b %Y}** — {counts}")
    cols = st.columns(7)
    for col, day in zip(cols, week.days):
        with col.container(border=True):
            st.caption(f"{day.day:%a %d %b}")
            for piece in day.pieces:
                st.markdown(f":{STAGE_COLOURS[piece.stage]}-badge[{piece.stage}] "
                            f"{piece.publish_date:%H:%M} · #{piece.draft_id}")
                st.caption(ui.md_escape(piece.title) + (" · incomplete" if piece.incomplete else ""))
