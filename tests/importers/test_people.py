from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from posts.importers.people import import_people
from posts.models import AuthorProfile, Image, Series
from tests.factories import AuthorProfileFactory, ImageFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path, media_root):
    """An export of two profiles (one with an avatar) and a series, the site then emptied."""
    AuthorProfileFactory(
        user=UserFactory(username="grace"), slug="grace", website="https://g.example/",
        avatar=ImageFactory(alt_text="Grace"),
    )  # fmt: skip
    AuthorProfileFactory(user=UserFactory(username="ada"), slug="ada", bio="Hello.")
    SeriesFactory(slug="notes", title="Notes")
    call_command("export_markdown", str(tmp_path), stdout=StringIO())
    AuthorProfile.objects.all().delete()
    Image.objects.all().delete()
    Series.objects.all().delete()
    get_user_model().objects.all().delete()
    return tmp_path


def test_a_profile_file_with_bad_values_is_named_and_the_others_come_in(exported):
    grace = exported / "authors" / "grace.md"
    grace.write_text(
        grace.read_text().replace("https://g.example/", "javascript:alert(1)"), "utf-8"
    )
    (exported / "authors" / "broken.md").write_text("---\nlogin: [unclosed\n---\nBio", "utf-8")
    (exported / "authors" / "stranger.md").write_text("---\ntitle: A post\n---\nText", "utf-8")
    (exported / "series" / "notes.md").write_text("---\nkind: series\n---\n", "utf-8")

    out, err = StringIO(), StringIO()
    call_command("import_markdown", str(exported), stdout=out, stderr=err)

    assert list(AuthorProfile.objects.values_list("slug", flat=True)) == ["ada"]
    assert not get_user_model().objects.filter(username="grace").exists()
    assert "Author profiles created: 1, updated: 0, unchanged: 0" in out.getvalue()
    assert "grace.md" in err.getvalue() and "website" in err.getvalue()
    assert "broken.md" in err.getvalue()
    assert "stranger.md: not an exported author" in err.getvalue()
    assert "notes.md: not an exported series: no kind or slug" in err.getvalue()
    assert not Series.objects.exists()


def test_a_slug_another_author_holds_is_refused_and_theirs_is_kept(exported):
    AuthorProfileFactory(user=UserFactory(username="someone"), slug="ada", display_name="Other")
    report = import_people(exported)
    assert report.profiles.created == 1  # grace
    assert [problem.origin for problem in report.problems] == [str(exported / "authors/ada.md")]
    assert AuthorProfile.objects.get(slug="ada").display_name == "Other"


def test_an_avatar_that_is_no_picture_leaves_the_profile_without_one(exported):
    (avatar,) = (exported / "media").rglob("*.png")
    avatar.write_bytes(b"not a picture at all")
    report = import_people(exported)
    grace = AuthorProfile.objects.get(slug="grace")
    assert grace.avatar is None and grace.website == "https://g.example/"
    assert report.problems and report.problems[0].origin == str(avatar)
    assert not Image.objects.exists()
