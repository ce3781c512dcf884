"""Image suggestions and chosen images for a draft's hero and sections (studio.images).

Part of the one schema `studio.models` exports; kept apart so no module grows past the
layout's size limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from studio.tables.base import Base, utcnow


class DraftImage(Base):  # one image slot of a draft: the hero (featured image) or one section

    __tablename__ = "draft_images"
    __table_args__ = (UniqueConstraint("draft_id", "slot", name="uq_draft_images_draft_id_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    slot: Mapped[str] = mapped_column(String(40))  # "hero" | "section-1", "section-2", …
    position: Mapped[int] = mapped_column(Integer, default=0)  # 0 for the hero, then section order
    heading: Mapped[str] = mapped_column(String(300), default="")  # the headline or section heading
    prompt: Mapped[str] = mapped_column(Text, default="")  # what an image generator or designer is asked for
    alt_text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="")  # model | demo | person
    chosen_file: Mapped[str] = mapped_column(String(500), default="")  # the chosen image's file name
    chosen_url: Mapped[str] = mapped_column(String(1000), default="")  # where the CMS fetches it
    score: Mapped[float | None] = mapped_column(Float, default=None)  # its CLIP score when ranked
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
