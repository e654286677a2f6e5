from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from posts.demo import ADMIN_USERNAME, ensure_demo_admin


class Command(BaseCommand):
    help = "Make sure a local admin account exists, printing its generated password once."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_admin is for local runs (DEBUG=1). "
                "In production, use `python manage.py createsuperuser`."
            )
        password = ensure_demo_admin()
        if password is None:
            self.stdout.write(
                f"Admin account '{ADMIN_USERNAME}' exists. Forgot its password? "
                f"Run: python manage.py changepassword {ADMIN_USERNAME}"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Made the admin account for http://127.0.0.1:8000/admin/\n"
                f"  user:     {ADMIN_USERNAME}\n"
                f"  password: {password}\n"
                "This password is shown only now."
            )
        )
