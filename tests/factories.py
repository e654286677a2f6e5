"""Factories for tests: users, pictures (drawn by Pillow) and entries."""

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from posts.models import AuthorProfile, Entry, Image, Page, Series


def image_bytes(size=(64, 48), fmt="PNG", colour=(40, 120, 200)) -> bytes:
    """Return the bytes of a small, valid picture."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"writer{n}")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Writer {n}")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True
    is_superuser = True


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="picture.png"))
    alt_text = factory.Sequence(lambda n: f"A blue square, number {n}")


class EntryFactory(factory.django.DjangoModelFactory):
    """A published entry from a day ago, unless told otherwise."""

    class Meta:
        model = Entry
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Entry number {n}")
    author = factory.SubFactory(UserFactory)
    body = "Some *Markdown* text.\n\nA second paragraph."
    status = Entry.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class AuthorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Writer Number {n}")
    slug = factory.Sequence(lambda n: f"writer-number-{n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class PageFactory(factory.django.DjangoModelFactory):
    """A published page at the top level, unless told otherwise."""

    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page number {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    author = factory.SubFactory(UserFactory)
    body = "About *this* site.\n\nA second paragraph."
    status = Page.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
