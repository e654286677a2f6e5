"""Template tags for the comment form, the list of comments and their admin."""
