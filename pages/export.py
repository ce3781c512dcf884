"""Export: choose approved drafts, a CMS preset and a mode, preview, download; past exports."""

from functools import partial

import streamlit as st

from studio import ui
from studio.accounts.permissions import can
from studio.drafting.brief import CONTENT_TYPES
from studio.errors import user_message
from studio.export.batches import batch_reader, download_batch, past_exports
from studio.export.files import gunzip
from studio.export.picker import exportable
from studio.export.presets import PRESETS, preset_name
from studio.export.service import MODE_HELP, MODES, export_drafts, preview_export
from studio.review.rules import status_label
from studio.ui import actions, routing, tables
from studio.workspace.service import site_timezone

routing.guard(__file__)

user = ui.require_user()
st.title("Export")
ui.show_flashes()
if not can(user, "export.run"):
    st.warning("Only editors and admins can export content.")
    st.stop()


def _error(exc: Exception) -> None:
    message = user_message(exc)
    if message is None:
        raise exc
    ui.safe.message("error", message)


# -- The file just prepared (kept across reruns until the next export) ----------------------
ready = st.session_state.get("export_ready")
if ready:
    with st.container(border=True):
        n = ready["rows"]
        st.success(
            f"Export {ready['batch_id']} is done: {n} draft{'s are' if n != 1 else ' is'} marked exported. "
            "Download the file now; it also stays downloadable under Past exports below."
        )
        # The page keeps the gzip (a fifth of a CSV's size); the file is unpacked on click.
        st.download_button(
            "Download the file", data=partial(gunzip, ready["gzip"], ready["size"]), file_name=ready["filename"],
            mime=ready["mimetype"], type="primary", key="export_download", on_click="ignore",
        )  # fmt: skip
        with st.expander("Details"):
            st.text(f"File: {ready['filename']}\nRows: {n}\nSize: {ready['size']:,} bytes\n"
                    f"SHA-256: {ready['sha256']}")  # fmt: skip

# -- Filters ----------------------------------------------------------------------------------
st.subheader("1. Choose drafts")
c1, c2, c3, c4 = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
types = ["", *CONTENT_TYPES]
content_type = c1.selectbox(
    "Content type", types, format_func=lambda t: CONTENT_TYPES.get(t, "All types"), key="export_type"
)
since = c2.date_input("Approved from", value=None, key="export_since", help="Optional")
until = c3.date_input("Approved until", value=None, key="export_until", help="Optional")
include_exported = c4.checkbox(
    "Include already exported", key="export_include_exported",
    help="Exported drafts can be exported again; they keep the slug the CMS already has.",
)  # fmt: skip

try:
    candidates = ui.call(
        exportable, user, since=since, until=until, content_type=content_type or None,
        include_exported=include_exported,
    )  # fmt: skip
except Exception as exc:  # noqa: BLE001
    _error(exc)
    st.stop()

if not candidates:
    filtered = bool(content_type or since or until)
    again = "" if include_exported else " Tick “Include already exported” to export them again."
    if ready and not filtered:
        st.info(f"The approved drafts were exported (export {ready['batch_id']}); none is waiting now.{again}")
    elif filtered:
        st.info("Nothing to export: no approved drafts match these filters." + again)
    else:
        st.info("Nothing to export: no approved drafts are waiting. Drafts appear here once an editor "
                "approves them." + again)  # fmt: skip
else:
    table = [
        {
            "#": c.id,
            "Title": c.title or "(no title)",
            "Type": CONTENT_TYPES.get(c.content_type, c.content_type),
            "Status": status_label(c.status),
            "Author": c.author,
            "Approved": c.approved_at.strftime("%Y-%m-%d %H:%M") if c.approved_at else "—",
            "Last exported": c.last_exported_at.strftime("%Y-%m-%d %H:%M") if c.last_exported_at else "—",
            "Publish": c.publish_status,
            "Problem": c.problem or "",
        }
        for c in candidates
    ]
    # The ticks in the table are the selection: "Select all" ticks every row's own box.
    wanted = set(st.session_state.get("export_wanted", []))
    rows = tables.picked_rows(
        table, key="export_table", alt="Approved drafts to export: tick the ones to export", multi=True,
        row_ids=[c.id for c in candidates], selected=[i for i, c in enumerate(candidates) if c.id in wanted],
    )  # fmt: skip
    chosen = [candidates[i] for i in rows]
    st.session_state["export_wanted"] = [c.id for c in chosen]
    b1, b2, b3 = st.columns([1, 1, 3], vertical_alignment="center")
    if b1.button(f"Select all {len(candidates)}", key="export_select_all", disabled=len(rows) == len(candidates)):
        st.session_state["export_wanted"] = [c.id for c in candidates]
        tables.select("export_table")
        st.rerun()
    if b2.button("Clear selection", key="export_clear", disabled=not rows):
        st.session_state["export_wanted"] = []
        tables.select("export_table")
        st.rerun()
    b3.caption(f"{len(chosen)} of {len(candidates)} selected. Tick rows in the table, or select all.")

    # -- Preset and mode ----------------------------------------------------------------------
    st.subheader("2. Choose the format")
    c1, c2 = st.columns(2)
    preset = c1.selectbox(
        "CMS preset", list(PRESETS), format_func=lambda p: PRESETS[p].label, key="export_preset"
    )
    if PRESETS[preset].notes:
        c1.caption(PRESETS[preset].notes)
    if preset == "wordpress":
        zone = ui.attempt(site_timezone)
        if zone:
            c1.caption(f"Site time zone: {zone} (admins change it on Settings).")
    is_json = PRESETS[preset].file_format == "json"
    mode = c2.radio(
        "Mode", list(MODES), format_func=MODES.get, key="export_mode", horizontal=True, disabled=is_json,
    )  # fmt: skip
    if is_json:
        mode = "cms"
        c2.caption("JSON carries every value as it is; spreadsheet mode and BOM apply to CSV only.")
    else:
        c2.caption(MODE_HELP[mode])
    bom = None
    if not is_json:
        bom = c2.checkbox(
            "Byte-order mark (for Excel)", value=mode == "spreadsheet", key=f"export_bom_{mode}",
            help="Excel needs it to read accents and emoji; PHP importers such as WP All Import prefer none.",
        )  # fmt: skip

    # -- Preview and export -------------------------------------------------------------------
    st.subheader("3. Preview and export")
    if not chosen:
        st.info("Select at least one draft to preview the file.")
    else:
        selection = {c.id: c.version for c in chosen}
        preview = ui.call(preview_export, user, selection, preset, mode=mode, bom=bom, include_exported=include_exported)
        if preview.problems:
            st.error("This selection can't be exported yet:")
            for problem in preview.problems:
                st.text(problem)
        else:
            st.caption(f"The first {len(preview.rows)} of {preview.total} row(s), as the file will have them (long cells cut here only).")
            st.dataframe(preview.rows, hide_index=True, width="stretch", key="export_preview")
        count = f"{len(chosen)} draft{'s' if len(chosen) != 1 else ''}"
        st.caption(f"Exporting makes the file and marks the {count} exported; the file stays downloadable "
                   "under Past exports.")  # fmt: skip

        def export_now(_values: dict, selection=selection, preset=preset, mode=mode, bom=bom,
                       include_exported=include_exported) -> None:  # fmt: skip
            # Runs in the button's callback, once per click (a double-click exports once).
            done = ui.call(export_drafts, user, selection, preset, mode=mode, bom=bom, include_exported=include_exported)
            file = done.file
            st.session_state["export_ready"] = {
                "batch_id": done.batch_id, "rows": file.row_count, "filename": file.filename_suggestion,
                "gzip": file.content_gzip, "size": file.size, "mimetype": file.mimetype, "sha256": file.sha256,
            }  # fmt: skip
            st.session_state["export_wanted"] = []
            tables.select("export_table")
            st.session_state.pop("export_past_pick", None)  # "Download again" offers the new one

        actions.button(f"Export {count}", type="primary", disabled=bool(preview.problems), key="export_run",
                       action=export_now, fields={"selection": "export_wanted", "preset": "export_preset",
                                                  "mode": "export_mode"})  # fmt: skip

# -- Past exports -----------------------------------------------------------------------------


def _size(n: int | None) -> str:
    if n is None:
        return ""
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


st.divider()
st.subheader("Past exports")
batches = ui.call(past_exports, user)
if not batches:
    st.caption("No exports yet.")
else:
    st.dataframe(
        [
            {
                "Export": b.id,
                "When (UTC)": b.created_at.strftime("%Y-%m-%d %H:%M"),
                "By": b.actor,
                "Preset": preset_name(b.preset),
                "Rows": b.row_count,
                "File": b.filename,
                "Size": _size(b.size),
                "SHA-256": b.checksum[:16] + "…",
            }
            for b in batches
        ],
        hide_index=True, width="stretch", key="export_past",
    )  # fmt: skip
    by_id = {b.id: b for b in batches}
    picked_batch = st.selectbox(
        "Download again", list(by_id),
        format_func=lambda i: f"Export {i} · {preset_name(by_id[i].preset)} · {by_id[i].row_count} row(s) · "
        f"{by_id[i].created_at.strftime('%Y-%m-%d %H:%M')}",
        key="export_past_pick",
    )  # fmt: skip
    # The stored file is checked (unpacked, SHA-256) once per export per visit, not on every
    # rerun; the click reads and checks it again.
    verified = st.session_state.setdefault("export_verified", {})
    if picked_batch not in verified:
        try:
            name, _content, mimetype = ui.call(download_batch, user, picked_batch)
            del _content
            verified[picked_batch] = (name, mimetype)
        except Exception as exc:  # noqa: BLE001
            _error(exc)
    if picked_batch in verified:
        name, mimetype = verified[picked_batch]
        st.download_button(
            f"Download {name}", data=batch_reader(ui.engine(), user, picked_batch),
            file_name=name, mime=mimetype, key=f"export_past_download_{picked_batch}", on_click="ignore",
        )  # fmt: skip
