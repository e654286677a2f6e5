from django.core.management.base import BaseCommand, CommandError

from social.remote import ActorUnavailable


class Command(BaseCommand):
    help = "Answer a post elsewhere from the blog, as a public reply to its author."

    def add_arguments(self, parser) -> None:
        parser.add_argument("post", help="the address of the post answered")
        parser.add_argument("text", help="the reply, plain text (blank lines part paragraphs)")

    def handle(self, *args, post: str, text: str, **options) -> None:
        from django.db import transaction

        from social.outgoing import reply

        if not text.strip():
            raise CommandError("The reply is empty.")
        try:
            with transaction.atomic():
                note = reply(post, text)
        except ActorUnavailable as err:
            raise CommandError(str(err)) from err
        self.stdout.write(self.style.SUCCESS(f"Replied to {note.in_reply_to}"))
