from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from posts.operations.demo import ADMIN_USERNAME, ensure_demo_admin


class Command(BaseCommand):
    help = "Make sure a local admin account exists, printing its generated password once."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the site is served, for the admin address printed "
            "(default http://127.0.0.1:8000; `make run` passes its HOST and PORT).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_admin is for local runs (DEBUG=1). "
                "In production, use `python manage.py createsuperuser`."
            )
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        address = base_url.rstrip("/") + reverse("admin:index")
        password = ensure_demo_admin()
        if password is None:
            self.stdout.write(
                f"Admin account '{ADMIN_USERNAME}' exists: log in at {address}. Forgot its "
                f"password? Run: python manage.py changepassword {ADMIN_USERNAME}"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Made the admin account for {address}\n"
                f"  user:     {ADMIN_USERNAME}\n"
                f"  password: {password}\n"
                "This password is shown only now."
            )
        )
