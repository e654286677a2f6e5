"""Template tags for the statistics script on public pages and the admin's charts."""
