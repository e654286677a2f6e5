from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from posts.models import Entry, Image
from tests.factories import EntryFactory, ImageFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_body_is_rendered_and_summary_derived_on_save():
    entry = EntryFactory(body="First *para*.\n\nSecond.", excerpt="")
    assert entry.body_html == "<p>First <em>para</em>.</p>\n<p>Second.</p>\n"
    assert entry.summary == "First para."
    entry.excerpt = "Hand-written."
    entry.save()
    assert entry.summary == "Hand-written."


def test_slug_is_made_from_the_title_and_kept_unique():
    first = EntryFactory(title="Hello, World!")
    second = EntryFactory(title="Hello, World!")
    third = EntryFactory(title="Hello, World!")
    assert [first.slug, second.slug, third.slug] == [
        "hello-world",
        "hello-world-2",
        "hello-world-3",
    ]


def test_slug_keeps_non_ascii_titles_readable():
    assert EntryFactory(title="Größe und Maß").slug == "größe-und-maß"
    assert EntryFactory(title="日本語のブログ").slug == "日本語のブログ"
    assert EntryFactory(title="🎉🎉").slug == "entry"


def test_an_explicit_slug_is_kept_and_a_slug_does_not_change_with_the_title():
    entry = EntryFactory(title="Original", slug="chosen")
    entry.title = "Renamed"
    entry.save()
    entry.refresh_from_db()
    assert entry.slug == "chosen"


def test_publishing_without_a_date_publishes_now():
    before = timezone.now()
    entry = EntryFactory(status=Entry.Status.PUBLISHED, published_at=None)
    assert before <= entry.published_at <= timezone.now()
    draft = EntryFactory(status=Entry.Status.DRAFT, published_at=None)
    assert draft.published_at is None


def test_published_is_the_one_definition_of_visible():
    visible = EntryFactory()
    EntryFactory(status=Entry.Status.DRAFT)
    EntryFactory(status=Entry.Status.DRAFT, published_at=timezone.now() - timedelta(days=3))
    scheduled = EntryFactory(published_at=timezone.now() + timedelta(hours=1))
    assert list(Entry.objects.published()) == [visible]
    assert list(Entry.objects.scheduled()) == [scheduled]
    assert visible.is_published and not scheduled.is_published and scheduled.is_scheduled


def test_a_scheduled_entry_appears_by_itself_at_its_time():
    publish_at = timezone.now() + timedelta(hours=2)
    entry = EntryFactory(published_at=publish_at)
    assert entry not in Entry.objects.published()
    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert entry in Entry.objects.published()


def test_entries_are_newest_first():
    old = EntryFactory(published_at=timezone.now() - timedelta(days=10))
    new = EntryFactory(published_at=timezone.now() - timedelta(days=1))
    assert list(Entry.objects.published()) == [new, old]


def test_absolute_url_uses_the_publish_month():
    entry = EntryFactory(
        title="Dated", published_at=timezone.make_aware(timezone.datetime(2024, 3, 9))
    )
    assert entry.get_absolute_url() == "/2024/03/dated/"


def test_image_records_its_size_and_needs_alt_text_or_decorative():
    image = ImageFactory()
    assert (image.width, image.height) == (64, 48)
    image.alt_text = ""
    with pytest.raises(ValidationError) as err:
        image.full_clean()
    assert "alt_text" in err.value.message_dict
    image.decorative = True
    image.full_clean()
    assert image.alt == ""


def test_a_picture_in_use_cannot_be_deleted():
    cover, inline, unused = ImageFactory(), ImageFactory(), ImageFactory()
    EntryFactory(cover=cover)
    entry = EntryFactory(body=f"![]({inline.file.url})")
    assert list(entry.images.all()) == [inline]
    for image in (cover, inline):
        with pytest.raises(ProtectedError):
            image.delete()
    unused.delete()
    entry.body = "No picture now."
    entry.save()
    inline.delete()  # no longer shown anywhere
    assert set(Image.objects.all()) == {cover}


def test_an_author_with_entries_cannot_be_deleted_silently():
    author = UserFactory()
    EntryFactory(author=author)
    with pytest.raises(ProtectedError):
        author.delete()


def test_for_page_reads_what_the_orm_reads_in_one_query(django_assert_num_queries):
    author = UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.org")
    cover = ImageFactory(caption="Under the lens", decorative=True)
    entry = EntryFactory(author=author, cover=cover, title="Compilers", body="Some *words*.")
    expected = Entry.objects.select_related("author", "cover").get(pk=entry.pk)
    with django_assert_num_queries(1):
        found = Entry.for_page(entry.slug)
        assert found.author.get_full_name() == "Grace Hopper"
        assert found.cover.renditions == expected.cover.renditions != []
        assert found.cover.decorative is True
        assert (found.cover.alt, found.cover.caption, found.cover.file.url) == (
            expected.cover.alt, expected.cover.caption, expected.cover.file.url,
        )  # fmt: skip
    for field in Entry._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    with django_assert_num_queries(1):  # what the page does not read still loads when asked
        assert found.author.email == "grace@example.org"


def test_for_page_without_a_cover_or_an_entry():
    entry = EntryFactory(cover=None)
    assert Entry.for_page(entry.slug).cover is None
    assert Entry.for_page("no-such-entry") is None


def test_for_page_reads_the_social_image_in_the_same_query(django_assert_num_queries):
    cover = ImageFactory(alt_text="The cover")
    social = ImageFactory(alt_text="The card", decorative=True)
    entry = EntryFactory(cover=cover, social_image=social)
    expected = Entry.objects.select_related("social_image").get(pk=entry.pk).social_image
    with django_assert_num_queries(1):
        found = Entry.for_page(entry.slug)
        assert (found.cover.alt_text, found.social_image.alt_text) == ("The cover", "The card")
        assert found.social_image.renditions == expected.renditions != []
        assert found.social_image.decorative is True
        assert found.social_image.file.url == expected.file.url
    assert Entry.for_page(EntryFactory().slug).social_image is None


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("https://elsewhere.example.org/2024/post/", True),
        ("http://elsewhere.example.org/post", True),
        ("ftp://elsewhere.example.org/post", False),
        ("javascript:alert(1)", False),
        ("elsewhere.example.org/post", False),
    ],
)
def test_a_canonical_address_is_http_or_https(address, valid):
    entry = EntryFactory.build(author=UserFactory(), canonical_url=address)
    if valid:
        entry.full_clean()
    else:
        with pytest.raises(ValidationError) as raised:
            entry.full_clean()
        assert set(raised.value.message_dict) == {"canonical_url"}


def test_the_search_and_sharing_fields_are_optional_and_say_what_they_are_for():
    for name in ("seo_title", "meta_description", "social_image", "canonical_url"):
        field = Entry._meta.get_field(name)
        assert field.blank and field.help_text, name
    assert Entry._meta.get_field("social_image").remote_field.on_delete.__name__ == "SET_NULL"
