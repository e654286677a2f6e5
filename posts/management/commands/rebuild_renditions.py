from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from tqdm import tqdm

from posts.models import Image


class Command(BaseCommand):
    help = "Make every picture's resized renditions again (after changing widths or formats)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these Image ids.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be rebuilt, change nothing."
        )

    def handle(self, *args, ids: list[int], dry_run: bool = False, **options) -> None:
        images = Image.objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
            missing = set(ids) - set(images.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No Image with id {', '.join(map(str, sorted(missing)))}.")
        total = images.count()
        pictures = ngettext("picture", "pictures", total)
        if dry_run:
            self.stdout.write(f"Would rebuild the renditions of {total} {pictures}.")
            return
        failed = []
        for image in tqdm(images.iterator(), total=total, unit="picture", disable=total == 0):
            try:
                image.rebuild_renditions()
            except OSError as err:  # a file gone from storage, or unreadable
                failed.append(f"{image.pk} ({image.file.name}): {err}")
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {total - len(failed)} of {total} {pictures}.")
        )
        if failed:
            raise CommandError("Could not rebuild:\n  " + "\n  ".join(failed))
