"""CLIP ranking through the real loading code (transformers' CLIPModel and CLIPProcessor from a
local directory, hub offline) with a tiny randomly initialised checkpoint built here, and the
"not installed" state without one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

from studio.config import reload_settings

sys.path.insert(0, str(Path(__file__).parent))
import tiny_clip
from support import make_draft, studio


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    return tiny_clip.build(tmp_path_factory.mktemp("tinyclip"))


@pytest.fixture
def candidates(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    for name, colour in (("red.png", "red"), ("blue.jpg", "blue"), ("green.webp", "green")):
        Image.new("RGB", (48, 40), colour).save(folder / name)
    Image.new("RGB", (48, 40), "red").save(folder / "red-copy.png")
    (folder / "broken.png").write_bytes(b"not an image at all")
    (folder / "notes.txt").write_text("not a candidate", encoding="utf-8")
    return folder


def _expected(clip_dir: Path, text: list[str], files: list[Path]) -> dict[str, float]:
    """The cosine similarities computed here, straight from transformers."""
    import torch
    from transformers import CLIPModel, CLIPProcessor

    model = CLIPModel.from_pretrained(str(clip_dir), local_files_only=True).eval()
    proc = CLIPProcessor.from_pretrained(str(clip_dir), local_files_only=True)
    with torch.no_grad():
        t = model.get_text_features(**proc(text=text, return_tensors="pt", padding=True))
        t = getattr(t, "pooler_output", t)
        t = torch.nn.functional.normalize(torch.nn.functional.normalize(t, dim=-1).mean(0, keepdim=True), dim=-1)
        imgs = [Image.open(f).convert("RGB") for f in files]
        v = model.get_image_features(**proc(images=imgs, return_tensors="pt"))
        v = torch.nn.functional.normalize(getattr(v, "pooler_output", v), dim=-1)
    return {str(f): float(s) for f, s in zip(files, (v @ t.T).squeeze(-1).tolist())}


def test_rank_prints_every_image_best_first_with_its_clip_score(engine, people, clip_dir, candidates, monkeypatch):
    monkeypatch.setenv("STUDIO_CLIP_MODEL_DIR", str(clip_dir))
    reload_settings()
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "rank", str(draft_id), str(candidates), "--json", "--as", "mara")
    assert result.returncode == 0, result.stderr
    ranked = json.loads(result.stdout)
    assert all(set(r) == {"file", "score"} for r in ranked)
    names = sorted(Path(r["file"]).name for r in ranked)
    assert names == ["blue.jpg", "green.webp", "red-copy.png", "red.png"]  # no .txt, no broken file
    assert "broken.png is not an image" in result.stderr
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0 for s in scores)
    by_name = {Path(r["file"]).name: r["score"] for r in ranked}
    assert by_name["red.png"] == pytest.approx(by_name["red-copy.png"])  # same pixels, same score
    files = [candidates / n for n in ("red.png", "blue.jpg", "green.webp")]
    expected = _expected(clip_dir, ["Spring planning for small teams"], files)
    for f in files:
        assert by_name[f.name] == pytest.approx(expected[str(f)], abs=1e-4)

    # A section is ranked against its own heading: other scores than the headline's.
    section = json.loads(studio("images", "rank", str(draft_id), str(candidates), "--slot", "section-1",
                                "--json", "--as", "mara").stdout)  # fmt: skip
    expected = _expected(clip_dir, ["Pick three themes"], files)
    got = {Path(r["file"]).name: r["score"] for r in section}
    assert got["blue.jpg"] == pytest.approx(expected[str(candidates / "blue.jpg")], abs=1e-4)
    assert got["blue.jpg"] != pytest.approx(by_name["blue.jpg"], abs=1e-6)

    status = studio("images", "status", "--load", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["status"] == "installed"


def test_without_the_model_it_says_not_installed_and_how_to_install(engine, people, candidates, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf"))
    reload_settings()
    draft_id = make_draft(engine, people.marketer)
    result = studio("images", "rank", str(draft_id), str(candidates), "--json", "--as", "mara")
    assert result.returncode == 1 and result.stdout == ""
    assert "not installed" in result.stderr and "models fetch --clip" in result.stderr
    status = studio("images", "status", "--json")
    assert status.returncode == 1 and json.loads(status.stdout)["status"] == "not installed"


def test_bad_folders_and_slots_are_refused_with_a_reason(engine, people, clip_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_CLIP_MODEL_DIR", str(clip_dir))
    reload_settings()
    draft_id = make_draft(engine, people.marketer)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = studio("images", "rank", str(draft_id), str(empty), "--json", "--as", "mara")
    assert result.returncode == 1 and "holds no images" in result.stderr
    result = studio("images", "rank", str(draft_id), str(tmp_path / "missing"), "--as", "mara")
    assert result.returncode == 1 and "is not a folder" in result.stderr
    result = studio("images", "rank", str(draft_id), str(empty), "--slot", "section-9", "--as", "mara")
    assert result.returncode == 1 and "no image slot" in result.stderr
    result = studio("images", "rank", str(draft_id), str(empty), "--as", "milo")  # not their draft
    assert result.returncode == 1 and "your own drafts" in result.stderr
