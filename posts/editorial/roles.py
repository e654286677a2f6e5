"""The editorial roles: Authors write their own drafts (co-written ones too), Editors publish
and manage tags, series, author profiles, pages and the menu, moderate comments, follow
mailings and keep the blog's followers on the social web."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

AUTHOR = "Author"
EDITOR = "Editor"

# app_label.codename for each group; anything else a group holds is taken away.
ROLE_PERMISSIONS = {
    AUTHOR: [
        "posts.add_entry", "posts.change_entry", "posts.view_entry",
        "posts.add_image", "posts.change_image", "posts.view_image",
        "posts.change_authorprofile", "posts.view_authorprofile", "posts.view_series",
        "posts.add_page", "posts.change_page", "posts.view_page",
    ],
    EDITOR: [
        "posts.add_entry", "posts.change_entry", "posts.delete_entry", "posts.view_entry",
        "posts.publish_entry", "posts.change_others_entry",
        "posts.add_image", "posts.change_image", "posts.delete_image", "posts.view_image",
        "posts.add_redirect", "posts.change_redirect", "posts.delete_redirect",
        "posts.view_redirect",
        "taggit.add_tag", "taggit.change_tag", "taggit.delete_tag", "taggit.view_tag",
        "posts.add_authorprofile", "posts.change_authorprofile", "posts.delete_authorprofile",
        "posts.view_authorprofile",
        "posts.add_series", "posts.change_series", "posts.delete_series", "posts.view_series",
        # Editors moderate readers' comments and Webmentions (the comments app).
        "comments.add_comment", "comments.change_comment", "comments.delete_comment",
        "comments.view_comment", "comments.add_discussion", "comments.change_discussion",
        "comments.view_discussion", "comments.view_sentmention",
        # Editors follow mailings to subscribers and hold or test one (the subscribers app);
        # the list of readers' addresses they may see, not change.
        "subscribers.add_mailing", "subscribers.change_mailing", "subscribers.view_mailing",
        "subscribers.view_delivery", "subscribers.view_subscriber",
        "posts.add_page", "posts.change_page", "posts.delete_page", "posts.view_page",
        "posts.publish_page",
        "posts.add_sitesettings", "posts.change_sitesettings", "posts.view_sitesettings",
        "posts.add_menuitem", "posts.change_menuitem", "posts.delete_menuitem",
        "posts.view_menuitem",
        "posts.add_sociallink", "posts.change_sociallink", "posts.delete_sociallink",
        "posts.view_sociallink",
        # Editors approve and remove followers, block accounts and domains, and read what the
        # social web sent and what went out to it (the social app); the rest is the worker's.
        "social.view_follower", "social.change_follower", "social.delete_follower",
        "social.add_block", "social.change_block", "social.delete_block", "social.view_block",
        "social.view_reaction", "social.view_remoteactor", "social.view_server",
        "social.view_delivery", "social.view_following", "social.view_receivedpost",
    ],
}  # fmt: skip


def can_publish(user) -> bool:
    """Return True if the user may publish, schedule and unpublish entries."""
    return user.has_perm("posts.publish_entry")


def can_publish_pages(user) -> bool:
    """Return True if the user may publish and unpublish pages."""
    return user.has_perm("posts.publish_page")


def can_edit_others(user) -> bool:
    """Return True if the user may edit entries written by someone else."""
    return user.has_perm("posts.change_others_entry")


def can_group_series(user) -> bool:
    """Return True if the user may put entries into a series and order its parts."""
    return user.has_perm("posts.change_series")


def can_edit_entry(user, entry) -> bool:
    """Return True if the user may edit this entry as far as authorship goes.

    Editors edit every entry; anyone else the entries they write or co-write. Whether a
    published entry may still change is the publish permission's say (EntryAdmin).
    """
    return can_edit_others(user) or entry.is_written_by(user)


def can_pick_pictures(user) -> bool:
    """Return True if the user may browse the picture library from the entry editor."""
    # Whoever may write an entry may put any uploaded picture in it; changing a picture is
    # a separate permission, held by ImageAdmin.
    return user.has_perm("posts.add_entry")


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
