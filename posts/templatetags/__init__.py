"""Template tags for pictures, entry cards and sharing metadata; they use rendering and links."""
