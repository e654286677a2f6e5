from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from posts.importers.command import add_shared_options, check_report_file, write_summary
from posts.importers.records import ImportFailed, Report
from posts.importers.wordpress import read_posts
from posts.importers.writer import Importer


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools > Export, a WXR .xml file): posts of every status, "
        "tags and categories, authors, pictures from --media-dir. Running it again updates the "
        "same entries (matched by their source)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", type=Path, help="The WXR export file (or several, in order)."
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="WordPress's wp-content/uploads/ folder, copied from the old server.",
        )
        add_shared_options(parser)

    def handle(self, *args, files: list[Path], media_dir: Path | None, dry_run: bool, **options):
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a folder.")
        check_report_file(options["report"])
        report = Report()
        posts, problems = [], []
        for file in files:
            try:
                posts += read_posts(file, media_dir, report)
            except ImportFailed as err:
                problems += err.problems
        if problems and not options["skip_invalid"]:
            raise CommandError("Nothing was imported.\n" + "\n".join(map(str, problems)))
        report.skipped += problems
        try:
            with tqdm(total=len(posts), unit="post", disable=None) as bar:
                Importer(dry_run=dry_run, report=report).run(posts, progress=bar.update)
        except ImportFailed as err:
            raise CommandError(f"Nothing was imported.\n{err}") from err
        write_summary(self, report, dry_run, options["report"])
