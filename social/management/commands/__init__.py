"""social_follow and social_reply: each parses its arguments, calls social.outgoing, prints."""
