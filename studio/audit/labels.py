"""What each audit action is called where people read it (the draft's timeline, the audit
trail page, the inbox). The codes stay in the CSV download and the command line."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "draft.created": "Draft created",
    "draft.generated": "Text generated",
    "draft.generation_failed": "Generation failed",
    "draft.edited": "Text edited",
    "draft.suggestion_applied": "Suggestion applied",
    "draft.revised_by_instruction": "Revised by instruction",
    "draft.revise_undone": "Revise turn undone",
    "draft.critic_pass": "Critic pass",
    "draft.outline_saved": "Outline saved",
    "draft.variants_written": "Variants written",
    "draft.variant_kept": "Variant kept",
    "draft.partial": "Partial text saved",
    "draft.publishing_updated": "Publishing fields changed",
    "draft.fields_proposed": "Publishing fields proposed",
    "draft.localised": "Localised from another draft",
    "draft.localised_to": "Localised into another language",
    "draft.restored_attempt": "Unfinished generation restored",
    "review.submit": "Submitted for review",
    "review.withdraw": "Withdrawn from review",
    "review.assign": "Reviewer assigned",
    "review.unassign": "Reviewer removed",
    "review.claim": "Review taken",
    "review.approve": "Approved",
    "review.request_changes": "Changes requested",
    "review.reject": "Rejected",
    "review.reopen": "Back to review after a change to what ships",
    "review.comment": "Comment",
    "review.export": "Exported",
    "export.batch": "Export file made",
    "feedback.export": "Training data exported",
    "finding.dismissed": "Check finding dismissed",
    "prompts.added": "Prompt version added",
    "prompts.split": "Prompt version's share of new drafts set",
    "prompts.promoted": "Prompt version promoted",
    "prompts.retired": "Prompt version retired",
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.locked": "Account locked",
    "auth.sign_out": "Signed out",
    "user.created": "Person added",
    "user.disabled": "Person disabled",
    "user.enabled": "Person re-enabled",
    "user.roles_changed": "Roles changed",
    "user.password_reset": "Password reset",
    "user.email_changed": "E-mail address changed",
    "user.email_notifications": "E-mail of the inbox turned on or off",
    "workspace.setting_changed": "Workspace setting changed",
    "workspace.setting_reset": "Workspace setting reset",
    "voice.created": "Brand voice created",
    "voice.edited": "Brand voice edited",
    "voice.default": "Default brand voice set",
    "voice.archived": "Brand voice archived",
    "source.added": "Knowledge source added",
    "source.archived": "Knowledge source archived",
}


def action_label(action: str) -> str:
    """The label of an action; an action without one reads as its last word(s), capitalised."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    words = action.rpartition(".")[2].replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else action


def filter_choices() -> list[tuple[str, str]]:
    """(label, code) pairs for a filter, by label."""
    return sorted(((label, code) for code, label in ACTION_LABELS.items()), key=lambda p: p[0])
