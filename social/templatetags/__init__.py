"""Template tags for the social web's admin pages (likes and boosts of an entry)."""
