"""Publishing fields (title, slug, excerpt, meta description, tags, categories, publish status and
date): ``fields`` holds their rules and derivation (pure), ``service`` applies proposals and saves
people's edits."""
