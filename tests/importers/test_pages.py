"""Pages read back from an export: broken files are reported, never half-imported."""

from io import StringIO

import pytest
from django.core.management import call_command

from posts.importers.pages import import_pages
from posts.models import Page
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def exported(tmp_path):
    PageFactory(slug="about", title="About")
    call_command("export_markdown", str(tmp_path / "out"), stdout=StringIO())
    for page in Page.objects.all():
        page.delete()
    return tmp_path / "out" / "pages"


def test_a_broken_page_file_is_reported_and_the_others_come_in(tmp_path):
    folder = exported(tmp_path)
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody", encoding="utf-8")
    (folder / "stranger.md").write_text("---\ntitle: Not ours\n---\nBody", encoding="utf-8")
    (folder / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    report = import_pages(folder)
    assert report.created == 1 and list(Page.objects.values_list("path", flat=True)) == ["/about/"]
    assert len(report.problems) == 3


def test_a_picture_outside_the_export_is_never_read(tmp_path):
    folder = exported(tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for import")
    text = (folder / "about.md").read_text("utf-8")
    text = text.replace(
        "generator:",
        'cover: "../media/../../secret.png"\n'
        'pictures:\n- file: "../media/../../secret.png"\ngenerator:',
        1,
    )
    (folder / "about.md").write_text(text, encoding="utf-8")
    import_pages(folder)
    assert Page.objects.get().cover is None


def test_a_dry_run_imports_nothing(tmp_path):
    folder = exported(tmp_path)
    report = import_pages(folder, dry_run=True)
    assert report.created == 1 and not Page.objects.exists()
