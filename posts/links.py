"""Addresses of entries and tags, reversed once and remembered: list pages ask for dozens."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=65536)
def _entry_path(prefix: str, year: int, month: int, slug: str) -> str:
    return reverse("posts:entry", kwargs={"year": year, "month": month, "slug": slug})


@lru_cache(maxsize=16384)
def _tag_path(prefix: str, slug: str) -> str:
    return reverse("posts:tag", kwargs={"slug": slug})


def entry_path(year: int, month: int, slug: str) -> str:
    """Return the path of an entry's page, as reverse() would."""
    return _entry_path(get_script_prefix(), year, month, slug)


def tag_path(slug: str) -> str:
    """Return the path of a tag's page, as reverse() would."""
    return _tag_path(get_script_prefix(), slug)


@receiver(setting_changed)
def forget_paths(setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _entry_path.cache_clear()
        _tag_path.cache_clear()
