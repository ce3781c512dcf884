"""Prompt versions (editors and admins): each content type's versions, their A/B shares and what
happened to the drafts written with them."""

import streamlit as st

from studio import ui
from studio.drafting.brief import CONTENT_TYPES
from studio.prompts.service import add_version, list_versions, promote, retire, split, stats
from studio.ui import routing

routing.guard(__file__)

user = ui.require_user()
st.title("Prompt versions")
st.caption(
    "Each content type's prompt is versioned. Test a new version on a share of new drafts, compare what "
    "editors did with each version's drafts, then promote the better one. Intervals are 95%."
)
ui.show_flashes()

content_type = st.segmented_control("Content type", list(CONTENT_TYPES), format_func=CONTENT_TYPES.get,
                                    default="blog", key="prompts_type") or "blog"  # fmt: skip
found = ui.call(stats, user, content_type)
st.dataframe([{
    "Version": f"v{s.version.number}" + (f" · {s.version.label}" if s.version.label else ""),
    "State": s.version.status_label, "Share": f"{s.version.share:.0%}", "Drafts": s.drafts,
    "Approved/rejected/open": f"{s.approved}/{s.rejected}/{s.pending}",
    "Approval rate": s.approval_rate.text(percent=True),
    "Words edited": s.edit_distance.text(),
    "Findings /1,000 words": s.findings_per_1000_words.text(),
    "Hours to approval": s.hours_to_approval.text(),
} for s in found], hide_index=True, width="stretch", key="prompts_table")
st.caption("Share: of new drafts. Approval rate: approved out of decided drafts. Words edited (median): from the "
           "generated text to the approved one, less is better. Findings: the checks' findings in the generated "
           "text. Hours to approval (median): from the draft's start.")

for s in found:
    v = s.version
    with st.expander(f"v{v.number} · {v.status_label}" + (f" · {v.label}" if v.label else "")):
        if v.note:
            st.text(v.note)
        st.caption("System prompt")
        st.code(v.system, language=None, wrap_lines=True)
        st.caption("Brief message")
        st.code(v.human, language=None, wrap_lines=True)
        if v.status == "retired":
            continue
        if v.status != "live":
            c1, c2, c3 = st.columns([2, 1, 1])
            share = c1.slider("Share of new drafts", 0, 100, int(round(v.share * 100)), 5, format="%d%%",
                              key=f"prompts_share_{v.id}")  # fmt: skip
            if c1.button("Set share", key=f"prompts_split_{v.id}"):
                if ui.attempt(split, user, content_type, v.number, share / 100) is not ui.REFUSED:
                    ui.flash(f"Version {v.number} now gets {share}% of new drafts.")
                    st.rerun()
            if c2.button("Promote", key=f"prompts_promote_{v.id}", type="primary"):
                if ui.attempt(promote, user, content_type, v.number) is not ui.REFUSED:
                    ui.flash(f"Version {v.number} is now the live prompt.")
                    st.rerun()
            if c3.button("Retire", key=f"prompts_retire_{v.id}"):
                if ui.attempt(retire, user, content_type, v.number) is not ui.REFUSED:
                    ui.flash(f"Version {v.number} is retired.")
                    st.rerun()
        else:
            st.caption("The live version gets every new draft the versions under test do not take.")

live = next((v for v in ui.call(list_versions, user, content_type) if v.status == "live"), None)
with st.expander("Write a new version"):
    st.caption("Placeholders such as {topic}, {audience} or {voice_block} are filled from the brief; write {{ and }} "
               "for a literal brace. A new version is not used until you give it a share or promote it.")
    with st.form(f"prompts_new_{content_type}"):
        label = st.text_input("Label", key=f"prompts_new_label_{content_type}", placeholder="e.g. shorter intro")
        system = st.text_area("System prompt", value=live.system if live else "", height=260,
                              key=f"prompts_new_system_{content_type}")  # fmt: skip
        human = st.text_area("Brief message", value=live.human if live else "", height=200,
                             key=f"prompts_new_human_{content_type}")  # fmt: skip
        note = st.text_input("What changed and why", key=f"prompts_new_note_{content_type}")
        save = st.form_submit_button("Add version", type="primary")
    if save:
        made = ui.attempt(add_version, user, content_type, system=system, human=human, label=label, note=note)
        if made is not ui.REFUSED:
            ui.flash(f"Added version {made.number}. Give it a share of new drafts to test it.")
            st.rerun()
