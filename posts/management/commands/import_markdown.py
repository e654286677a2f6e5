from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from tqdm import tqdm

from posts.importers.command import add_shared_options, check_report_file, write_summary
from posts.importers.markdown import Options, find_files, read_batches
from posts.importers.pages import import_pages, pages_folder
from posts.importers.people import export_root, import_people
from posts.importers.records import Author, ImportFailed, Report
from posts.importers.sites import read_redirects
from posts.importers.writer import Importer


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
            help="The old site's permalink setting (for Jekyll a style such as pretty, or a "
            "pattern such as /:year/:month/:day/:title/; for Hugo a pattern for every section), "
            "for the old addresses; default: the site's _config.yml or hugo.toml/config.*.",
        )
        parser.add_argument(
            "--site-url",
            action="append",
            default=[],
            help="The old site's address (https://example.org): its absolute picture "
            "addresses are looked up locally. Repeat for several.",
        )
        parser.add_argument(
            "--site-root",
            type=Path,
            default=None,
            help="The old site's folder, where pictures with site-absolute addresses "
            "(/assets/…, /images/… in static/) are read from; default: the folder above "
            "_posts/ or content/, or the nearest one holding the site's config.",
        )
        parser.add_argument(
            "--author", default="", help="Username for posts whose front matter names none."
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, skip_invalid: bool, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        check_report_file(options["report"])
        report = Report()
        settings = Options(
            permalink=options["permalink"],
            site_urls=tuple(options["site_url"]),
            default_author=Author(options["author"]) if options["author"] else None,
            skip_invalid=skip_invalid,
            site_root=options["site_root"],
        )
        try:
            redirects = read_redirects(paths, report)
            with tqdm(total=len(find_files(paths)), unit="post", disable=None) as bar:
                # Posts are written as they are read: workers read on while a batch goes in.
                batches = read_batches(paths, settings, report)
                Importer(dry_run=dry_run, report=report).run(batches, redirects, bar.update)
        except ImportFailed as err:
            count = len(err.problems)
            found = ngettext("%(count)d problem", "%(count)d problems", count) % {"count": count}
            raise CommandError(f"Nothing was imported: {found}.\n{err}") from err
        write_summary(self, report, dry_run, options["report"])
        pages = pages_folder(paths)
        if pages is not None:
            done = import_pages(pages, dry_run=dry_run)
            for problem in done.problems:
                self.stderr.write(f"Page not imported: {problem}")
            self.stdout.write(
                f"Pages created: {done.created}, updated: {done.updated}, "
                f"unchanged: {done.unchanged}"
            )
        root = export_root(paths)
        if root is not None:
            people = import_people(root, dry_run=dry_run)
            for problem in people.problems:
                self.stderr.write(f"Not imported: {problem}")
            self.stdout.write(people.series.line("Series", dry_run))
            self.stdout.write(people.profiles.line("Author profiles", dry_run))
