"""The publishing-fields panel shown next to a draft's text.

Plain widgets (not an ``st.form``) so every change reruns and the character counts under the
fields stay current; the meta description also has ``max_chars``, whose counter Streamlit updates
as the person types. Save calls :func:`studio.publishing.service.update_publishing` with the version the
panel was drawn from, so a change made meanwhile by someone else is refused, not overwritten.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

import streamlit as st

from studio import ui
from studio.accounts.schemas import Person
from studio.checks.report import FIELD_LABELS
from studio.drafting.schemas import DraftDetail
from studio.errors import user_message
from studio.publishing.fields import (
    EXCERPT_MAX,
    META_MAX,
    PUBLISH_STATUS_LABELS,
    PUBLISH_STATUSES,
    TITLE_MAX,
    PublishingError,
)
from studio.publishing.service import confirm_fields, update_publishing
from studio.ui import actions, safe
from studio.ui.findings_panel import field_findings


def _count(text: str, limit: int) -> str:
    n = len(" ".join((text or "").split()))
    flag = " — too long" if n > limit else ""
    return f"{n}/{limit} characters{flag}"


def show_publishing_panel(user: Person, view: DraftDetail) -> None:
    """Title, slug, excerpt, meta description, tags, categories, publish status and date."""
    draft_id, values, version, blocked = view.id, view.publishing, view.version, view.fields_refusal

    k = f"pub_{draft_id}_{version}_"  # a new version (after a save) draws fresh widgets
    st.markdown("**Publishing**")
    if blocked:
        safe.message("caption", blocked)
    disabled = blocked is not None

    _stale(user, view, disabled)
    title = st.text_input("Title", value=values["title"], key=k + "title", disabled=disabled)
    st.caption(_count(st.session_state.get(k + "title", title), TITLE_MAX))
    field_findings(user, view, "title", values["title"])
    slug = st.text_input(
        "Slug", value=values["slug"], key=k + "slug", disabled=disabled,
        help="The address of the post (my-post-title). It follows the title until the post is first "
        "exported; leave it empty to make it from the title.",
    )  # fmt: skip
    field_findings(user, view, "slug", values["slug"])
    excerpt = st.text_area("Excerpt", value=values["excerpt"], key=k + "excerpt", height=90, disabled=disabled)
    st.caption(_count(st.session_state.get(k + "excerpt", excerpt), EXCERPT_MAX))
    field_findings(user, view, "excerpt", values["excerpt"])
    stored_meta = values["meta_description"]
    if len(stored_meta) > META_MAX:
        st.warning(f"The stored meta description is {len(stored_meta)} characters; only the first {META_MAX} are shown.")
        stored_meta = stored_meta[:META_MAX]
    meta = st.text_area(
        "Meta description", value=stored_meta, key=k + "meta", height=90, max_chars=META_MAX,
        disabled=disabled, help="What search engines show under the title: at most 160 characters.",
    )  # fmt: skip
    st.caption(_count(st.session_state.get(k + "meta", meta), META_MAX))
    field_findings(user, view, "meta_description", values["meta_description"])
    tags = st.text_input("Tags (comma-separated)", value=", ".join(values["tags"]), key=k + "tags", disabled=disabled)
    field_findings(user, view, "tags", ", ".join(values["tags"]))
    categories = st.text_input(
        "Categories (comma-separated)", value=", ".join(values["categories"]), key=k + "categories", disabled=disabled
    )
    field_findings(user, view, "categories", ", ".join(values["categories"]))
    status = st.selectbox(
        "Publish status", PUBLISH_STATUSES, index=PUBLISH_STATUSES.index(values["publish_status"])
        if values["publish_status"] in PUBLISH_STATUSES else 0,
        format_func=PUBLISH_STATUS_LABELS.get, key=k + "status", disabled=disabled,
    )  # fmt: skip
    current: datetime | None = values["publish_date"]
    has_date = st.checkbox(
        "Set a publish date", value=current is not None or status == "future", key=k + "has_date", disabled=disabled
    )
    when: datetime | None = None
    if has_date:
        shown = (current or datetime.now(timezone.utc)).astimezone(timezone.utc)
        c1, c2 = st.columns(2)
        day = c1.date_input("Publish date (UTC)", value=shown.date(), key=k + "date", disabled=disabled)
        at = c2.time_input("Time (UTC)", value=time(shown.hour, shown.minute), key=k + "time", disabled=disabled)
        when = datetime.combine(day, at, tzinfo=timezone.utc)

    if st.button("Save publishing fields", key=k + "save", type="primary", disabled=disabled):
        fields = {
            "title": title, "slug": slug, "excerpt": excerpt, "meta_description": meta,
            "tags": tags, "categories": categories, "publish_status": status, "publish_date": when,
        }  # fmt: skip
        try:
            new_version = ui.call(_save, draft_id, user, fields, version)
        except PublishingError as exc:
            for problem in exc.problems.values():
                safe.message("error", problem)
        except Exception as exc:  # noqa: BLE001 - refusals are shown, bugs propagate
            message = user_message(exc)
            if message is None:
                raise
            safe.message("error", message)
        else:
            if new_version == version:
                st.info("Nothing changed.")
            else:
                ui.flash("Saved the publishing fields.")
                st.rerun()


def _stale(user: Person, view: DraftDetail, disabled: bool) -> None:
    """Fields set by hand whose source changed: say so, and let the person keep them as they are."""
    if not view.stale_fields:
        return
    names = ", ".join(FIELD_LABELS.get(n, n) for n in view.stale_fields)
    st.warning(
        f"May be out of date: {names}. Set by hand, and the text they came from changed since. "
        "Edit them below, or keep them as they are."
    )
    if not disabled:
        actions.button(
            "Keep them as they are", key=f"pub_keep_{view.id}_{view.version}",
            action=lambda _v: actions.said(ui.call(_confirm, view.id, user, list(view.stale_fields), view.version),
                                           "Kept the fields as they are."),
        )  # fmt: skip


def _confirm(session, draft_id: int, user: Person, names: list[str], version: int) -> int:  # type: ignore[no-untyped-def]
    return confirm_fields(session, draft_id, user, names, version).version


def _save(session, draft_id: int, user: Person, fields: dict, version: int) -> int:  # type: ignore[no-untyped-def]
    return update_publishing(session, draft_id, user, fields, version).version
