"""Images for each post: prompts and alt text per slot, CLIP ranking, the chosen image."""
