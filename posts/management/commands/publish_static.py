from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.delivery.bucket import NotOurs, publish_to_bucket
from posts.delivery.publish import WRITTEN_LIST, publish_site


class Command(BaseCommand):
    help = (
        "Write the whole public site as static files into OUT, a folder or an "
        "s3://bucket/prefix (only what changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out",
            help="The folder to write, made if missing; or s3://bucket/prefix to put the "
            "files straight into an S3-compatible bucket (reached as the media bucket is).",
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost",
            help="Where the files will be served, for feeds and canonical links "
            "(default http://localhost).",
        )

    def handle(self, *args, out: str, base_url: str, **options) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        if out.startswith("s3://"):
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                report = publish_to_bucket(out, base_url)
            except ValueError as err:
                raise CommandError(str(err)) from err
            except NotOurs as err:
                raise CommandError(
                    f"{err}: choose an empty prefix (or one an earlier publish_static wrote)."
                ) from err
            except (BotoCoreError, ClientError) as err:
                raise CommandError(f"The bucket could not be written: {err}") from err
        else:
            report = self.publish_to_folder(Path(out), base_url)
        files = ngettext("file", "files", len(report.written))
        self.stdout.write(
            f"{len(report.written)} {files} written, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed, in {out}."
        )
        if report.failed:
            raise CommandError("Some pages could not be rendered:\n  " + "\n  ".join(report.failed))

    def publish_to_folder(self, out: Path, base_url: str):
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        if out.is_dir() and any(out.iterdir()) and not (out / WRITTEN_LIST).is_file():
            raise CommandError(
                f"{out} holds files that publish_static did not write: choose an empty "
                "folder (or one an earlier publish_static wrote)."
            )
        out.mkdir(parents=True, exist_ok=True)
        return publish_site(out.resolve(), base_url)
