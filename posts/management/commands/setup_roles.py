from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.editorial.roles import ROLE_PERMISSIONS, setup_roles


class Command(BaseCommand):
    help = "Create or update the Author and Editor groups and their permissions."

    def handle(self, *args, **options) -> None:
        try:
            created = setup_roles()
        except LookupError as err:
            raise CommandError(str(err)) from err
        for name, is_new in created.items():
            count = len(ROLE_PERMISSIONS[name])
            verb = "Created" if is_new else "Updated"
            permissions = ngettext("permission", "permissions", count)
            self.stdout.write(self.style.SUCCESS(f"{verb} group {name} ({count} {permissions})."))
