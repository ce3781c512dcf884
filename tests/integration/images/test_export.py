"""The chosen hero image and its alt text go into the export: WordPress's featured-image columns,
the generic CSV's and JSON's fields."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from studio.config import reload_settings
from studio.db import session_scope
from studio.images import service
from studio.models import Draft

sys.path.insert(0, str(Path(__file__).parent))
from support import make_draft, studio


def _approve(engine, draft_id):
    with session_scope(engine) as s:
        s.get(Draft, draft_id).status = "approved"


def test_the_featured_image_and_its_alt_text_are_exported(engine, people, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MEDIA_BASE_URL", "https://cdn.example.com/media/")
    reload_settings()
    with_image = make_draft(engine, people.marketer, title="Spring planning")
    without = make_draft(engine, people.marketer, title="No picture here", status="approved")
    by_url = make_draft(engine, people.marketer, title="Hosted elsewhere")
    chosen = studio("images", "choose", str(with_image), str(tmp_path / "media" / "calendar wall.jpg"),
                    "--alt", "A wall calendar with three colours", "--as", "mara")  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    assert studio("images", "choose", str(by_url), "", "--url", "https://img.example.org/a.png",
                  "--alt", "A notebook", "--as", "mara").returncode == 0  # fmt: skip
    # A section's image does not become the featured image.
    assert studio("images", "choose", str(without), "x.png", "--slot", "section-1", "--alt", "A list",
                  "--as", "dana").returncode == 0  # fmt: skip
    _approve(engine, with_image)
    _approve(engine, by_url)
    with session_scope(engine) as s:  # a section image does not ship, so the draft stays approved
        assert s.get(Draft, without).status == "approved"

    out = tmp_path / "wp.csv"
    result = studio("export", "--preset", "wordpress", "--out", str(out), "--as", "dana")
    assert result.returncode == 0, result.stderr
    rows = {r["post_title"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert rows["Spring planning"]["featured_image"] == "https://cdn.example.com/media/calendar wall.jpg"
    assert rows["Spring planning"]["featured_image_alt"] == "A wall calendar with three colours"
    assert rows["Hosted elsewhere"]["featured_image"] == "https://img.example.org/a.png"
    assert rows["No picture here"]["featured_image"] == "" and rows["No picture here"]["featured_image_alt"] == ""

    out = tmp_path / "all.json"
    result = studio("export", "--preset", "json", "--out", str(out), "--as", "dana", "--include-exported")
    assert result.returncode == 0, result.stderr
    items = {i["title"]: i for i in json.loads(out.read_text(encoding="utf-8"))}
    assert items["Hosted elsewhere"]["featured_image_url"] == "https://img.example.org/a.png"
    assert items["Hosted elsewhere"]["featured_image_alt"] == "A notebook"
    assert items["No picture here"]["featured_image_url"] == ""


def test_an_image_needs_alt_text_and_a_url_must_be_a_web_address(engine, people):
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "choose", str(draft_id), "hero.jpg", "--as", "mara")
    assert result.returncode == 1 and "Write alt text for this image first" in result.stderr
    result = studio("images", "choose", str(draft_id), "", "--url", "javascript:alert(1)", "--alt", "A", "--as", "mara")
    assert result.returncode == 1 and "is not a web address" in result.stderr
    assert studio("images", "choose", str(draft_id), "hero.jpg", "--alt", "A calendar", "--as", "mara").returncode == 0
    result = studio("images", "edit", str(draft_id), "--alt", "   ", "--as", "mara")
    assert result.returncode == 1 and "needs alt text" in result.stderr
    with session_scope(engine) as s:
        [hero] = [v for v in service.list_images(s, draft_id, people.marketer) if v.slot == "hero"]
        assert (hero.chosen_file, hero.alt_text, hero.chosen_url) == ("hero.jpg", "A calendar", "hero.jpg")
