import pytest

from studio.config import Settings


@pytest.fixture
def make_settings(tmp_path):
    """Settings with Detoxify pointed at a file that does not exist, so every test runs the
    same tiers (profanity-check fallback) whatever this machine has cached. Keyword arguments
    override (and are validated like environment values)."""
    base = dict(
        studio_toxicity_model="original",
        studio_detoxify_checkpoint=str(tmp_path / "missing-00000000.ckpt"),
        studio_detoxify_config_dir=str(tmp_path / "missing-config"),
        studio_openai_moderation=False,
        studio_toxicity_block=0.8,
        studio_toxicity_warn=0.5,
        studio_banned_terms=[],
        studio_allowlist=[],
        openai_api_key=None,
        openai_base_url=None,
    )

    def make(**kw):
        return Settings(**{**base, **kw})

    return make


@pytest.fixture
def settings(make_settings):
    return make_settings()
