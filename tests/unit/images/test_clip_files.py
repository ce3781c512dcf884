"""Where CLIP's files are looked for, and `models fetch --clip` (the download itself faked)."""

from __future__ import annotations

from types import SimpleNamespace

import huggingface_hub
import huggingface_hub.constants as hub_constants
import pytest

from studio.checks.cli import cmd_models_fetch
from studio.images import clip


def test_a_configured_directory_without_config_json_is_not_installed(tmp_path):
    st = clip.status(SimpleNamespace(studio_clip_model_dir=str(tmp_path), studio_clip_model="x/y"))
    assert st.status == "not installed" and "has no config.json" in st.reason


def test_nothing_in_the_cache_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(clip, "hf_cached_snapshot", lambda name: None)
    st = clip.status(SimpleNamespace(studio_clip_model_dir=None, studio_clip_model="openai/clip-vit-base-patch32"))
    assert st.status == "not installed"
    assert "python -m studio models fetch --clip" in st.reason and "STUDIO_CLIP_MODEL_DIR" in st.reason


def test_models_fetch_clip_downloads_only_the_files_it_loads_and_stays_offline_after(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_snapshot(repo_id, allow_patterns):
        calls.append((repo_id, allow_patterns, hub_constants.HF_HUB_OFFLINE))
        return str(tmp_path)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    assert cmd_models_fetch(SimpleNamespace(clip=True, model=None, no_tokenizer=False)) == 0
    [(repo, patterns, offline_during)] = calls
    assert repo == "openai/clip-vit-base-patch32" and offline_during is False
    assert "model.safetensors" in patterns and "preprocessor_config.json" in patterns and "*.bin" not in patterns
    assert hub_constants.HF_HUB_OFFLINE is True
    assert str(tmp_path) in capsys.readouterr().out


def test_a_failed_download_exits_1_with_the_reason(monkeypatch, capsys):
    def fail(**_kw):
        raise OSError("network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fail)
    assert cmd_models_fetch(SimpleNamespace(clip=True, model=None, no_tokenizer=False)) == 1
    assert "network is unreachable" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a.png", "b.JPEG"])
def test_open_image_names_a_file_that_is_not_one(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"GIF89a but not really")
    with pytest.raises(ValueError, match=f"{name} is not an image"):
        clip.open_image(path)
