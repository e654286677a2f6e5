"""Work on the whole site, run by commands: backup and restore, demo and generated content,
rendering every entry again, database upkeep.

May use delivery (to mark pages stale), search, models and rendering; never views or admin.
"""
