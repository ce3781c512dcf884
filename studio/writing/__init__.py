"""The writing workspace: long-form drafts written in sections (outline, sliding-window prompts,
summaries, repetition findings), variants side by side, revise by instruction with memory, and
the token budgets they share."""
