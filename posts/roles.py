"""The editorial roles: Authors write their own drafts, Editors publish and manage tags."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

AUTHOR = "Author"
EDITOR = "Editor"

# app_label.codename for each group; anything else a group holds is taken away.
ROLE_PERMISSIONS = {
    AUTHOR: [
        "posts.add_entry", "posts.change_entry", "posts.view_entry",
        "posts.add_image", "posts.change_image", "posts.view_image",
    ],
    EDITOR: [
        "posts.add_entry", "posts.change_entry", "posts.delete_entry", "posts.view_entry",
        "posts.publish_entry", "posts.change_others_entry",
        "posts.add_image", "posts.change_image", "posts.delete_image", "posts.view_image",
        "posts.add_redirect", "posts.change_redirect", "posts.delete_redirect",
        "posts.view_redirect",
        "taggit.add_tag", "taggit.change_tag", "taggit.delete_tag", "taggit.view_tag",
    ],
}  # fmt: skip


def can_publish(user) -> bool:
    """Return True if the user may publish, schedule and unpublish entries."""
    return user.has_perm("posts.publish_entry")


def can_edit_others(user) -> bool:
    """Return True if the user may edit entries written by someone else."""
    return user.has_perm("posts.change_others_entry")


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = [
        permission
        for permission in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _app, codename in wanted]
        )
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Permissions not found (run migrate first): {sorted(missing)}")
    return found


@transaction.atomic
def setup_roles() -> dict[str, bool]:
    """Make the Author and Editor groups hold exactly their permissions; return {name: created}."""
    created = {}
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, created[name] = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_names))
    return created
