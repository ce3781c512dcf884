import hashlib
from pathlib import Path

import pytest

from studio.checks.detoxify import DETOXIFY_BASE, DETOXIFY_FILES
from studio.checks.fetch import FetchError, air_gap_instructions, fetch, verify_checkpoint

PAYLOAD = b"pretend checkpoint bytes"
PREFIX = hashlib.sha256(PAYLOAD).hexdigest()[:8]


def test_file_table_matches_installed_detoxify():
    from detoxify.detoxify import MODEL_URLS

    assert {k: v.rsplit("/", 1)[-1] for k, v in MODEL_URLS.items()} == DETOXIFY_FILES
    assert set(DETOXIFY_BASE) == set(DETOXIFY_FILES)


def test_verify_checkpoint(tmp_path):
    good = tmp_path / f"toxic_test-{PREFIX}.ckpt"
    good.write_bytes(PAYLOAD)
    assert verify_checkpoint(good).startswith(PREFIX)
    bad = tmp_path / "toxic_test-deadbeef.ckpt"
    bad.write_bytes(PAYLOAD)
    with pytest.raises(FetchError, match="does not start with deadbeef"):
        verify_checkpoint(bad)
    with pytest.raises(FetchError, match="no SHA-256 prefix"):
        verify_checkpoint(tmp_path / "nohash.ckpt")


def test_fetch_downloads_verifies_and_places(tmp_path):
    urls = {"original": f"https://example.invalid/v1/toxic_test-{PREFIX}.ckpt"}
    got = []

    def download(url, dst):
        got.append(url)
        Path(dst).write_bytes(PAYLOAD)

    res = fetch("original", urls=urls, checkpoints_dir=tmp_path / "checkpoints", download=download,
                hf_fetch=lambda repo: tmp_path / "hf" / repo, out=lambda m: None)
    assert res.checkpoint == tmp_path / "checkpoints" / f"toxic_test-{PREFIX}.ckpt"
    assert res.checkpoint.read_bytes() == PAYLOAD and res.downloaded
    assert res.config_dir == tmp_path / "hf" / "bert-base-uncased"
    assert list((tmp_path / "checkpoints").iterdir()) == [res.checkpoint]  # no temp files left
    # second run: verified in place, no download
    res2 = fetch("original", urls=urls, checkpoints_dir=tmp_path / "checkpoints", download=download,
                 with_tokenizer=False, out=lambda m: None)
    assert not res2.downloaded and len(got) == 1


def test_fetch_rejects_a_corrupt_download(tmp_path):
    urls = {"original": "https://example.invalid/toxic_test-deadbeef.ckpt"}
    with pytest.raises(FetchError, match="does not start with deadbeef"):
        fetch("original", urls=urls, checkpoints_dir=tmp_path, download=lambda u, d: Path(d).write_bytes(PAYLOAD),
              with_tokenizer=False, out=lambda m: None)
    assert list(tmp_path.iterdir()) == []


def test_unknown_model(tmp_path):
    with pytest.raises(FetchError, match="unknown model"):
        fetch("huge", urls={}, checkpoints_dir=tmp_path, out=lambda m: None)


def test_air_gap_instructions_name_the_files():
    text = air_gap_instructions("original")
    assert "toxic_original-c1212f89.ckpt" in text and "models--bert-base-uncased" in text
