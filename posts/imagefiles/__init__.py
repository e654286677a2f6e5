"""Picture files: checked, cleaned of metadata, turned upright and resized, with Pillow.

Works on bytes and storages, not on models: posts.models.Image calls it when a picture is
stored, and the importers and the admin call its checks.
"""
