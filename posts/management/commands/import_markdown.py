from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from posts.importers.base import Author, Importer, ImportFailed, Report
from posts.importers.command import add_shared_options, write_summary
from posts.importers.markdown import Options, find_files, read_batches, read_redirects


class Command(BaseCommand):
    help = (
        "Import Markdown posts with front matter: a Jekyll _posts/ folder, a Hugo content/ "
        "folder, single files, or a folder made by export_markdown. Running it again updates "
        "the same entries (matched by their source)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Folders or .md files.")
        add_shared_options(parser)
        parser.add_argument(
            "--permalink",
            default="",
            help="Jekyll's permalink setting (a style such as pretty, or a pattern such as "
            "/:year/:month/:day/:title/), for the old addresses; default: _config.yml's, "
            "else Jekyll's default.",
        )
        parser.add_argument(
            "--site-url",
            action="append",
            default=[],
            help="The old site's address (https://example.org): its absolute picture "
            "addresses are looked up locally. Repeat for several.",
        )
        parser.add_argument(
            "--author", default="", help="Username for posts whose front matter names none."
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, skip_invalid: bool, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        report = Report()
        settings = Options(
            permalink=options["permalink"],
            site_urls=tuple(options["site_url"]),
            default_author=Author(options["author"]) if options["author"] else None,
            skip_invalid=skip_invalid,
        )
        try:
            redirects = read_redirects(paths, report)
            with tqdm(total=len(find_files(paths)), unit="post", disable=None) as bar:
                # Posts are written as they are read: workers read on while a batch goes in.
                batches = read_batches(paths, settings, report)
                Importer(dry_run=dry_run, report=report).run(batches, redirects, bar.update)
        except ImportFailed as err:
            raise CommandError(
                f"Nothing was imported: {len(err.problems)} problem(s).\n{err}"
            ) from err
        write_summary(self, report, dry_run)
