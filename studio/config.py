"""Settings from the environment and `.streamlit/secrets.toml`.

The environment wins over the secrets file, so CI and containers can override a checked-in
set-up. Secrets are `SecretStr`: they print masked and are never written to the database.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def secrets_path() -> Path:
    return Path(os.environ.get("STUDIO_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    studio_database_url: str = "sqlite:///data/studio.db"

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    studio_provider: Literal["auto", "openai", "demo"] = "auto"
    studio_model: str = "gpt-4o-mini"
    studio_request_timeout: float = Field(default=60.0, gt=0)
    studio_max_retries: int = Field(default=2, ge=0, le=10)

    # The writing workspace (studio/writing). Per model: {"llama3.1": {"context_window": 131072,
    # "tokenizer": "estimate", "chars_per_token": 3.5}}; a key matches a model name or its prefix.
    studio_model_budgets: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Tokens the sliding window of earlier text (summaries, the previous section's ending, the
    # points already made; a revise conversation's memory) may take, at most.
    studio_context_budget_tokens: int = Field(default=2000, ge=200, le=200_000)
    # From this target length, "Automatic" writes in sections (outline first).
    studio_longform_min_words: int = Field(default=1200, ge=100, le=100_000)
    # How fast the demo writer streams (words per second); 0 = all at once (tests).
    studio_demo_words_per_second: float = Field(default=30.0, ge=0)

    # Moderation (studio/moderation). Thresholds live here; the policy that applies them lives
    # in studio/moderation/policy.py.
    studio_toxicity_model: str = "original"
    studio_detoxify_checkpoint: str | None = None
    studio_detoxify_config_dir: str | None = None
    # Detoxify's `multilingual` files, for text that is not English when the model above is not
    # the multilingual one (see studio/checks/toxicity.py).
    studio_detoxify_multilingual_checkpoint: str | None = None
    studio_detoxify_multilingual_config_dir: str | None = None
    studio_openai_moderation: bool = False
    studio_toxicity_block: float = Field(default=0.8, ge=0, le=1)
    studio_toxicity_warn: float = Field(default=0.5, ge=0, le=1)
    studio_banned_terms: list[str] = Field(default_factory=list)
    studio_allowlist: list[str] = Field(default_factory=list)
    # The workspace's own e-mail domains: addresses on them are published on purpose (a note,
    # not a warning). Read through studio.checks.pipeline.workspace_lists like the lists above.
    studio_own_domains: list[str] = Field(default_factory=list)
    # Detoxify: "auto" (a GPU when one is present, else the CPU), "cpu" or "cuda"; CPU threads
    # for it (0: the cores this process may use); "int8" runs the CPU model with dynamic int8
    # quantisation (faster, scores drift slightly; docs/moderation.md has the figures).
    studio_toxicity_device: Literal["auto", "cpu", "cuda"] = "auto"
    studio_toxicity_threads: int = Field(default=0, ge=0, le=64)
    studio_toxicity_precision: Literal["fp32", "int8"] = "int8"

    # Images (studio/images): the CLIP model that ranks candidate images, from local files only
    # (a directory with config, weights, tokenizer and processor; else the Hugging Face cache's
    # snapshot of STUDIO_CLIP_MODEL, put there by `python -m studio models fetch --clip`), and the
    # web address the chosen images are served from (the export's featured-image URL is this plus
    # the file name; empty: the file name alone, for importers that take images by name).
    studio_clip_model: str = "openai/clip-vit-base-patch32"
    studio_clip_model_dir: str | None = None
    studio_media_base_url: str = ""
    # Where images uploaded on a draft's Publishing tab are kept (one folder per draft).
    studio_media_dir: str = "data/media"

    # Languages: lingua's mode for the output-language check (low: small and quick; high: more
    # accurate on very short texts, ~300 MB).
    studio_language_detection: Literal["low", "high"] = "low"

    # Knowledge sources (studio/sources): URL fetching limits, and whether an admin allows
    # addresses on private networks or this machine (refused by default).
    studio_sources_allow_private_urls: bool = False
    studio_sources_max_bytes: int = Field(default=5_000_000, ge=1_000, le=100_000_000)
    studio_sources_fetch_timeout: float = Field(default=15.0, gt=0, le=120)
    # An OpenAI-compatible /embeddings model adds semantic search next to BM25 when set; the
    # server is STUDIO_EMBEDDINGS_BASE_URL, else OPENAI_BASE_URL (else OpenAI).
    studio_embeddings_model: str | None = None
    studio_embeddings_base_url: str | None = None

    # Claim ledger: "rules" (offline), or "model": the chat model also lists the claims.
    studio_claims_extraction: Literal["rules", "model"] = "rules"

    # The critic pass (studio/critic) after a draft is written: at most this many rounds of
    # rewriting the passages the checks and a model critic flag; 0 = no critic pass. A brief
    # may choose otherwise; admins change it on Settings.
    studio_critic_rounds: int = Field(default=0, ge=0, le=5)

    # A line the generic export adds to every row, e.g. "Drafted with AI assistance; edited by our team."
    studio_ai_disclosure: str | None = None

    # Processes that build large export files (see studio/export.py); 1 = in-process.
    studio_export_workers: int = Field(default=1, ge=1, le=16)

    # Where a generated text goes when the database cannot take it (full, busy past every
    # retry): default a `recovery` folder beside the SQLite database, else data/recovery.
    studio_recovery_dir: str | None = None

    # Batches (studio/batch): the job queue, its workers, and the limits they share.
    # None: the queue follows the database (a SQLite file beside a SQLite database, Huey's tables
    # in a PostgreSQL one); or redis://host:port/0, postgresql://…, sqlite:///path.
    studio_queue_url: str | None = None
    studio_worker_concurrency: int = Field(default=4, ge=1, le=64)
    studio_worker_processes: int = Field(default=1, ge=1, le=64)
    studio_worker_with_app: bool = True
    studio_provider_concurrency: int = Field(default=4, ge=1, le=256)
    studio_batch_max_attempts: int = Field(default=4, ge=1, le=20)
    studio_batch_lease_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)

    # Review workflow and accounts.
    studio_allow_self_approval: bool = False
    studio_session_timeout_minutes: int = Field(default=60, ge=1)
    # Signs the cookie that keeps a person signed in across a reload (studio/accounts/
    # session_cookie.py); without it each server process makes a random key at start.
    studio_session_secret: SecretStr | None = None

    # The WordPress site's time zone (IANA name), for post_date. Admins change it on Settings;
    # this is the value until they do (studio/workspace).
    studio_site_timezone: str = "UTC"

    # E-mail of the inbox (studio/inbox/mail.py): sent only when a host is set.
    studio_smtp_host: str | None = None
    studio_smtp_port: int = Field(default=587, ge=1, le=65535)
    studio_smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    studio_smtp_username: str | None = None
    studio_smtp_password: SecretStr | None = None
    studio_smtp_from: str = "Content Studio <studio@localhost>"
    studio_smtp_timeout: float = Field(default=10.0, gt=0)
    # Where people open the studio (e.g. https://studio.example.com): e-mails link to the inbox.
    studio_app_url: str | None = None

    @field_validator("openai_api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("openai_base_url", "studio_smtp_host", "studio_smtp_username", "studio_app_url",
                     "studio_smtp_password", "studio_embeddings_base_url", "studio_embeddings_model",
                     "studio_queue_url", mode="before")
    @classmethod
    def _blank_url_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = secrets_path()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def openai_configured(self) -> bool:
        return bool(self.openai_api_key) or bool(self.openai_base_url)

    def masked_key(self) -> str:
        if not self.openai_api_key:
            return "not set"
        raw = self.openai_api_key.get_secret_value()
        return f"{raw[:3]}…{raw[-4:]}" if len(raw) > 10 else "set (hidden)"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reload_settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()
