from django.core.management.base import BaseCommand, CommandError

from social.remote import ActorUnavailable, resolve_handle


class Command(BaseCommand):
    help = "Follow an account elsewhere from the blog (@name@host or its address)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("handle", help="@name@host, or the actor's https address")

    def handle(self, *args, handle: str, **options) -> None:
        from django.db import transaction

        from social.outgoing import follow

        try:
            with transaction.atomic():
                following = follow(resolve_handle(handle))
        except ActorUnavailable as err:
            raise CommandError(str(err)) from err
        self.stdout.write(self.style.SUCCESS(f"Asked to follow {following.actor.uri}"))
