"""What writers and editors work with besides the admin's forms: roles, revisions, the
pre-publish check, share previews, the live preview and tag housekeeping.

May use models, search, rendering and links; never views, admin, delivery or importers.
"""
