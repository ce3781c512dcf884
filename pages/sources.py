"""Sources: the workspace's knowledge sources (files, pasted text, web pages) as the text the
writer reads."""

import streamlit as st

from studio import ui
from studio.sources.extract import SUFFIXES
from studio.sources.service import add_source, archive_source, list_sources, source_detail
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Sources")
st.caption(
    "Facts the writer may state, and where they come from. A brief picks sources (or searches all); the best "
    "passages go into the prompt with ids the writer cites ([S1], [S2] …), and the claim ledger checks the "
    "draft's statements against them."
)
ui.show_flashes()
rows = ui.call(list_sources, user)

with st.expander("Add a source", expanded=not rows):
    upload_tab, paste_tab, url_tab = st.tabs(["Upload a file", "Paste text", "Web address"])
    with upload_tab, st.form("source_upload", clear_on_submit=False):
        upload = st.file_uploader("File", type=sorted({s.lstrip(".") for s in SUFFIXES}), key="source_file",
                                  help="Markdown, plain text, PDF, Word (.docx) or HTML.")
        upload_title = st.text_input("Title (optional)", key="source_file_title")
        add_file = st.form_submit_button("Add the file", type="primary")
    with paste_tab, st.form("source_paste"):
        pasted = st.text_area("Text", height=200, key="source_paste_text")
        paste_title = st.text_input("Title (optional)", key="source_paste_title")
        add_paste = st.form_submit_button("Add the text", type="primary")
    with url_tab, st.form("source_url"):
        url = st.text_input("Web address", placeholder="https://example.com/press-release", key="source_url_value")
        url_title = st.text_input("Title (optional)", key="source_url_title")
        st.caption("http and https only; pages on this machine or a private network are refused unless an admin "
                   "allows them. Size and time are limited.")
        add_url = st.form_submit_button("Fetch and add", type="primary")

added = None
if add_file:
    if upload is None:
        st.error("Choose a file first.")
    else:
        added = ui.attempt(add_source, user, data=upload.getvalue(), filename=upload.name, title=upload_title)
elif add_paste:
    added = ui.attempt(add_source, user, text=pasted, title=paste_title)
elif add_url:
    with st.spinner("Fetching…"):
        added = ui.attempt(add_source, user, url=url, title=url_title)
if added:
    note = f" {added.note}" if added.note else ""
    ui.flash(f"Added source #{added.id} “{added.title}”: {added.chars:,} characters in {len(added.passages)} "
             f"passages.{note}")
    st.session_state["open_source_id"] = added.id
    for key in ("source_paste_text", "source_paste_title", "source_url_value", "source_url_title", "source_file_title"):
        st.session_state.pop(key, None)
    st.rerun()

if not rows:
    st.info("No sources yet: add a fact sheet, a press release or a product page above.")
    st.stop()
st.dataframe(
    [{"#": r.id, "Title": r.title, "Kind": r.kind_label, "Passages": r.chunks, "Characters": r.chars,
      "Language": r.language or "—", "Added by": r.added_by, "Added": ui.friendly_time(r.created_at)} for r in rows],
    hide_index=True, width="stretch",
)  # fmt: skip
ids = [r.id for r in rows]
titles = {r.id: r.title for r in rows}
remembered = st.session_state.get("open_source_id")
open_id = st.selectbox("Open source", ids, index=ids.index(remembered) if remembered in ids else 0,
                       format_func=lambda i: f"#{i} · {titles[i]}", key="open_source_select")
st.session_state["open_source_id"] = open_id
detail = ui.attempt(source_detail, open_id, user)
if detail:
    st.subheader(ui.md_escape(detail.title))
    meta = [detail.kind_label, f"{detail.chars:,} characters", f"{len(detail.passages)} passage{'' if len(detail.passages) == 1 else 's'}"]
    if detail.url:
        meta.append(detail.url)
    st.caption(" · ".join(meta))
    st.markdown("**The text the writer reads** (as extracted)")
    with st.container(border=True, height=420, key=f"source_text_{detail.id}"):
        st.text(detail.text)
    if st.button("Archive this source", key=f"archive_source_{detail.id}",
                 help="Takes it out of search and pickers; drafts written from it keep their passages."):
        if ui.attempt(archive_source, detail.id, user) is not ui.REFUSED:
            ui.flash(f"Archived “{detail.title}”.")
            st.session_state.pop("open_source_id", None)
            st.rerun()
