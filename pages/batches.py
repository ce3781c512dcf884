"""Batches: a spreadsheet of briefs in, one draft per row out, with live progress per row."""

import zlib

import streamlit as st

from studio import ui
from studio.batch.rules import RowState
from studio.batch.service import cancel, estimate, list_batches, retry_failed, start, submit, view, workers_alive
from studio.batch.sheet import FIELDS, read_table, suggest_mapping, template_csv, template_xlsx, validate
from studio.drafting.brief import CONTENT_TYPES, FORMALITY, LANGUAGES, VOICES
from studio.errors import user_message
from studio.ui import routing
from studio.ui.draft_view import show_draft
from studio.usage.policy import money

routing.guard(__file__)

user = ui.require_user()
st.title("Batches")
ui.show_flashes()

if not ui.call(workers_alive, user):
    st.warning("No worker is running, so queued rows will wait. `make run` starts one with the app; "
               "otherwise start one with `python -m studio worker`.", icon=":material/warning:")

if st.session_state.pop("batch_show_list", False):
    st.session_state["batch_tabs"] = "Your batches"
new_tab, list_tab = st.tabs(["New batch", "Your batches"], key="batch_tabs", on_change="rerun")

with new_tab:
    st.caption("One brief per row: topic, and optionally type, audience, keywords, voice, formality, temperature, "
               "length, language and publish date. Download the template to start from.")
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button("Template (CSV)", template_csv(), "briefs-template.csv", "text/csv", key="tpl_csv",
                       icon=":material/download:")
    c2.download_button("Template (XLSX)", template_xlsx(), "briefs-template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="tpl_xlsx",
                       icon=":material/download:")
    upload = st.file_uploader("Spreadsheet of briefs", type=["csv", "xlsx"], key="batch_file",
                              help="CSV (UTF-8) or XLSX, up to 5 MB and 1,000 rows; the first row names the columns.")
    if upload is not None:
        try:
            table = read_table(upload.getvalue(), upload.name)
        except Exception as exc:  # noqa: BLE001
            message = user_message(exc)
            if message is None:
                raise
            ui.safe.message("error", message)  # may quote the file's own column names
            table = None
        if table is not None:
            st.subheader("Columns")
            suggested = suggest_mapping(table.columns)
            choices = ["(not in the file)", *table.columns]
            mapping = {}
            cols = st.columns(5)
            for i, (name, (label, _syn, _ex)) in enumerate(FIELDS.items()):
                picked = cols[i % 5].selectbox(label, choices, key=f"map_{name}",
                                               index=choices.index(suggested[name]) if suggested[name] else 0)
                mapping[name] = None if picked == choices[0] else picked
            with st.expander("Values for fields that have no column"):
                d1, d2, d3, d4 = st.columns(4)
                defaults = {
                    "content_type": d1.selectbox("Content type", list(CONTENT_TYPES), format_func=CONTENT_TYPES.get, key="def_type"),
                    "tone": d2.selectbox("Voice", list(VOICES), format_func=str.capitalize, key="def_voice"),
                    "formality": d3.select_slider("Formality", list(FORMALITY), value=3, key="def_formality",
                                                  format_func=lambda s: FORMALITY[s][0]),
                    "language": d4.selectbox("Language", list(LANGUAGES), format_func=LANGUAGES.get, key="def_language"),
                }
            try:
                checked = validate(table, mapping, defaults)
            except Exception as exc:  # noqa: BLE001
                message = user_message(exc)
                if message is None:
                    raise
                ui.safe.message("error", message)
                checked = None
            if checked is not None:
                st.subheader("Preview")
                preview = [
                    {"Row": g.line, "Type": CONTENT_TYPES[g.brief.content_type], "Topic": g.brief.topic,
                     "Voice": g.brief.tone.capitalize(), "Temperature": g.brief.temperature,
                     "Words": g.brief.target_words, "Language": g.brief.language,
                     "Publish date": g.publish_date.strftime("%Y-%m-%d %H:%M UTC") if g.publish_date else "—"}
                    for g in checked.good[:200]
                ]
                st.caption(f"{len(checked.good)} row(s) ready · {len(checked.rejected)} with problems")
                if preview:
                    st.dataframe(preview, hide_index=True, width="stretch", key="batch_preview")
                if checked.rejected:
                    lines = "\n".join(f"- **Row {r.line}:** {ui.md_escape(r.reason)}" for r in checked.rejected[:50])
                    more = f"\n\n…and {len(checked.rejected) - 50} more." if len(checked.rejected) > 50 else ""
                    st.error(f"{len(checked.rejected)} row(s) will not be written until they are fixed:\n\n{lines}{more}")
                o1, o2 = st.columns(2)
                concurrency = o1.number_input("Rows written at once", 1, 32, 4, key="batch_concurrency",
                                              help="Also limited per AI provider for all batches together (STUDIO_PROVIDER_CONCURRENCY).")
                auto = o2.checkbox("Submit each draft for review once it is written", key="batch_auto_submit")
                if checked.good:
                    guess = ui.attempt(estimate, user, checked.good)
                    if guess:
                        # Escaped: two dollar amounts in one Markdown line would be read as maths.
                        left = f" Budget left this month: {money(guess.budget_left)}." if guess.budget_left is not None else ""
                        st.info(f"**{ui.md_escape(f'Estimated cost: {money(guess.cost)}')}** for {len(checked.good)} row(s). "
                                + ui.md_escape(f"{guess.note}{left}"), icon=":material/payments:")
                        if guess.budget_warning:
                            ui.safe.message("warning", guess.budget_warning)
                if st.button(f"Start batch ({len(checked.good)} rows)", type="primary", key="batch_start",
                             disabled=not checked.good):
                    done = ui.attempt(submit, user, checked.good, filename=upload.name, concurrency=int(concurrency),
                                      auto_submit=auto, rejected=checked.rejected)
                    if done:
                        start(ui.engine(), done.batch_id)
                        st.session_state["batch_open"] = done.batch_id
                        st.session_state["batch_show_list"] = True
                        ui.flash(f"Batch {done.batch_id} started: {done.rows} row(s) queued.")
                        st.rerun()

with list_tab:
    batches = ui.call(list_batches, user)
    if not batches:
        st.info("No batches yet.")
    else:
        ids = [b.id for b in batches]
        wanted = st.session_state.get("batch_open", ids[0])
        # The rows' progress lives below, refreshed while the batch runs; a label names the
        # status. Streamlit keeps showing a keyed selectbox's old label when only its text
        # changes, so the key follows the labels: a batch that finishes gets a fresh widget.
        labels = {b.id: f"#{b.id} · {b.filename or 'no name'} · {b.status_label} · {b.total} rows · "
                        f"{ui.friendly_time(b.created_at)}" for b in batches}  # fmt: skip
        open_id = st.selectbox(
            "Batch", ids, index=ids.index(wanted) if wanted in ids else 0, format_func=labels.__getitem__,
            key=f"batch_pick_{zlib.crc32(''.join(labels.values()).encode())}",
        )
        st.session_state["batch_open"] = open_id

        running = next((b.status == "running" for b in batches if b.id == open_id), False)

        def show_batch(batch_id: int) -> None:
            v = ui.call(view, user, batch_id)
            if running and v.status != "running":
                st.rerun()  # finished: the whole page shows it (and stops refreshing)
            st.progress(v.progress, text=f"{v.ended} of {v.total} rows ended · {v.counts['done']} done · "
                                         f"{v.counts['failed']} failed · {v.counts['writing'] + v.counts['checked']} writing · "
                                         f"{v.counts['queued']} queued")
            ui.safe.message("caption", f"{v.status_label} · {v.owner} · {v.model} · {v.concurrency} at once"
                            + (" · submitted for review when written" if v.auto_submit else "")
                            + f" · estimated {money(v.estimated_cost)}, spent so far {money(v.cost_so_far)}")
            b1, b2, _ = st.columns([1, 1, 3])
            if v.status == "running" and b1.button("Cancel batch", key=f"cancel_{v.id}"):
                if ui.attempt(cancel, user, v.id) is not ui.REFUSED:
                    ui.flash(f"Batch {v.id} cancelled.")
                    st.rerun()
            if (v.counts["failed"] or v.counts["cancelled"]) and b2.button("Retry failed rows", key=f"retry_{v.id}"):
                again = ui.attempt(retry_failed, user, v.id)
                if again:
                    from studio.batch import queue

                    queue.send(ui.engine(), again)
                    ui.flash(f"{len(again)} row(s) of batch {v.id} queued again.")
                    st.rerun()
            table = [
                {"Row": r.number, "Topic": r.topic, "Status": r.state_label,
                 "Draft": f"#{r.draft_id}" if r.draft_id and r.state == RowState.DONE.value else "",
                 "Attempts": r.attempts,
                 "Publish date": r.publish_date.strftime("%Y-%m-%d %H:%M") if r.publish_date else "",
                 "Reason": r.error or ""}
                for r in v.rows
            ]
            picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                                  selection_mode="single-row", key=f"rows_{v.id}")
            rows = picked.selection.rows if picked else []
            chosen = v.rows[rows[0]].draft_id if rows else None
            written = {r.draft_id: r for r in v.rows if r.draft_id and r.state == RowState.DONE.value}
            opened = st.selectbox("Open the draft of row", [None, *written], key=f"open_{v.id}",
                                  format_func=lambda d: "—" if d is None else f"Row {written[d].number}: #{d} · {written[d].topic}")
            chosen = chosen or opened
            if chosen and chosen != st.session_state.get("batch_draft"):
                st.session_state["batch_draft"] = chosen
                st.rerun()  # the draft opens below the list, outside this live-updating part
            if v.status == "running" and not st.session_state.get("batch_draft"):
                st.caption("Select a row to open its draft. The list updates every few seconds while the batch runs.")

        st.fragment(show_batch, run_every=2 if running else None)(open_id)
        draft_id = st.session_state.get("batch_draft")
        if draft_id:
            st.divider()
            show_draft(user, draft_id)
