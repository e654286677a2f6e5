"""Template tags for the sign-up form on public pages and the subscribers' admin."""
