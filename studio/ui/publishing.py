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
from studio.publishing.service import update_publishing
from studio.ui import safe


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

    title = st.text_input("Title", value=values["title"], key=k + "title", disabled=disabled)
    st.caption(_count(st.session_state.get(k + "title", title), TITLE_MAX))
    slug = st.text_input(
        "Slug", value=values["slug"], key=k + "slug", disabled=disabled,
        help="The address of the post (my-post-title). Leave empty to make it from the title.",
    )  # fmt: skip
    excerpt = st.text_area("Excerpt", value=values["excerpt"], key=k + "excerpt", height=90, disabled=disabled)
    st.caption(_count(st.session_state.get(k + "excerpt", excerpt), EXCERPT_MAX))
    stored_meta = values["meta_description"]
    if len(stored_meta) > META_MAX:
        st.warning(f"The stored meta description is {len(stored_meta)} characters; only the first {META_MAX} are shown.")
        stored_meta = stored_meta[:META_MAX]
    meta = st.text_area(
        "Meta description", value=stored_meta, key=k + "meta", height=90, max_chars=META_MAX,
        disabled=disabled, help="What search engines show under the title: at most 160 characters.",
    )  # fmt: skip
    st.caption(_count(st.session_state.get(k + "meta", meta), META_MAX))
    tags = st.text_input("Tags (comma-separated)", value=", ".join(values["tags"]), key=k + "tags", disabled=disabled)
    categories = st.text_input(
        "Categories (comma-separated)", value=", ".join(values["categories"]), key=k + "categories", disabled=disabled
    )
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


def _save(session, draft_id: int, user: Person, fields: dict, version: int) -> int:  # type: ignore[no-untyped-def]
    return update_publishing(session, draft_id, user, fields, version).version
