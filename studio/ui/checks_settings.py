"""Settings page section: each check backend's status, the verdict policy and the thresholds."""

from __future__ import annotations

import streamlit as st

from studio.checks.pipeline import backend_statuses
from studio.checks.policy import ACKNOWLEDGEMENTS, policy_rows
from studio.config import Settings

STATUS_WORDS = {"ran": "ready", "unavailable": "not available", "skipped": "off"}
TIER_WORDS = {"primary": "toxicity, tier 1", "optional": "toxicity, tier 2", "fallback": "toxicity, fallback", "rules": "rules"}


@st.cache_data(ttl=60, show_spinner=False)
def _statuses(settings_json: str) -> list[dict[str, str]]:
    settings = Settings.model_validate_json(settings_json)
    return [
        {"Backend": b.name, "Kind": TIER_WORDS.get(b.tier, b.tier), "Status": STATUS_WORDS.get(b.status, b.status),
         "Why": b.reason}
        for b in backend_statuses(settings)
    ]


def show_check_settings(settings: Settings) -> None:
    st.subheader("Checks")
    st.caption(
        "Every revision is checked automatically. If no toxicity backend can run, drafts are marked "
        "“needs manual review”; they never pass unchecked."
    )
    # Secrets are excluded from the cache key and never shown.
    rows = _statuses(
        settings.model_dump_json(exclude={"openai_api_key", "studio_smtp_password", "studio_session_secret"})
    )
    st.dataframe(rows, hide_index=True, width="stretch", alt="Check backends and their status")
    st.markdown("**Verdict policy** (one table; the first row that matches a finding decides)")
    st.dataframe(policy_rows(settings), hide_index=True, width="stretch", key="verdict_policy",
                 alt="The verdict policy: what each kind of finding counts as and what approving it needs")
    st.caption(
        "Approving a draft with warnings means ticking each warned category: "
        + "; ".join(f"“{a.label}” ({a.meaning[:1].lower()}{a.meaning[1:-1]})" for a in ACKNOWLEDGEMENTS.values())
        + ". The ticks are recorded in the audit trail. docs/verdict-policy.md holds the same table."
    )
    c1, c2 = st.columns(2)
    c1.metric("Toxicity blocks at", f"{settings.studio_toxicity_block:.2f}")
    c2.metric("Toxicity warns at", f"{settings.studio_toxicity_warn:.2f}")
    st.caption(
        "Thresholds: STUDIO_TOXICITY_BLOCK and STUDIO_TOXICITY_WARN. Detoxify model: "
        f"{settings.studio_toxicity_model} (STUDIO_TOXICITY_MODEL; files via `python -m studio models fetch`). "
        f"OpenAI moderation: {'on' if settings.studio_openai_moderation else 'off'} (STUDIO_OPENAI_MODERATION). "
        f"Banned terms: {len(settings.studio_banned_terms)}; allowed phrases: {len(settings.studio_allowlist)} "
        "(Workspace, above)."
    )
