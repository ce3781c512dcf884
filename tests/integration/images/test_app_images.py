"""AppTest: the draft's Publishing tab shows its image slots; suggestions, an edit of the alt text
with its findings, candidates ranked with the tiny CLIP model, and one chosen as the hero."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from streamlit.testing.v1 import AppTest

from studio.config import get_settings, reload_settings
from studio.db import session_scope
from studio.images import service

sys.path.insert(0, str(Path(__file__).parent))
import tiny_clip
from support import make_draft

APP = str(Path(__file__).resolve().parents[3] / "app.py")


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error])


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_publishing_tab_suggests_edits_ranks_and_chooses_images(engine, people, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_PROVIDER", "demo")
    monkeypatch.setenv("STUDIO_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("STUDIO_CLIP_MODEL_DIR", str(tiny_clip.build(tmp_path)))
    reload_settings()
    draft_id = make_draft(engine, people.marketer)
    png = tmp_path / "x.png"
    for colour in ("red", "blue"):
        Image.new("RGB", (40, 40), colour).save(png)
        with session_scope(engine) as s:
            service.upload_candidates(s, draft_id, people.marketer, [(f"{colour}.png", png.read_bytes())])

    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["studio_user_id"] = people.marketer.id
    at.run()
    at.switch_page("pages/my_drafts.py").run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander][:4] == ["Hero image", "Section 1: Pick three themes",
                                                   "Section 2: Book the dates", "Section 3: Leave room for news"]
    _button(at, "Suggest prompts and alt text").click().run()
    assert not at.exception, at.exception
    assert "Image prompts and alt text suggested. Written from the headings" in _texts(at)

    alt = next(t for t in at.text_input if t.label == "Alt text")
    assert alt.value == "Illustration for Spring planning for small teams"
    alt.input("The chairman plans the spring calendar")
    hero_save = next(b for b in at.button if b.label == "Save" and b.key.startswith(f"img_{draft_id}_hero_"))
    hero_save.click().run()
    assert not at.exception, at.exception
    assert "Image text saved." in _texts(at)
    at.run()  # the check ran once the save committed: its finding shows under the alt text
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "The <mark" in html and "chairman</mark>" in html and 'class="finding bias"' in html

    _button(at, "Rank 2 images with CLIP").click().run()
    assert not at.exception, at.exception
    shown = _texts(at)
    assert "1. " in shown and "red.png" in shown and "blue.png" in shown and "score" in shown
    next(b for b in at.button if b.label == "Use this image").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        [hero] = [v for v in service.list_images(s, draft_id, people.marketer) if v.slot == "hero"]
    assert Path(hero.chosen_file).parent == Path(get_settings().studio_media_dir) / f"draft-{draft_id}"
    assert hero.score is not None and hero.alt_text == "The chairman plans the spring calendar"


def test_an_upload_that_is_not_an_image_is_refused_and_nothing_is_kept(engine, people, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_MEDIA_DIR", str(tmp_path / "media"))
    reload_settings()
    draft_id = make_draft(engine, people.marketer)
    png = tmp_path / "ok.png"
    Image.new("RGB", (8, 8), "red").save(png)
    with session_scope(engine) as s:
        try:
            service.upload_candidates(s, draft_id, people.marketer,
                                      [("ok.png", png.read_bytes()), ("../../evil.png", b"<script>")])  # fmt: skip
        except service.ImageError as exc:
            assert "evil.png does not open as an image" in str(exc) and "Nothing was uploaded" in str(exc)
        else:
            raise AssertionError("a file that is not an image was taken")
    with session_scope(engine) as s:
        assert service.uploaded_candidates(s, draft_id, people.marketer) == []
        saved = service.upload_candidates(s, draft_id, people.marketer, [("../../ok.png", png.read_bytes())])
        assert saved == ["ok.png"]
        [path] = service.uploaded_candidates(s, draft_id, people.marketer)
        assert path.parent == tmp_path / "media" / f"draft-{draft_id}"
