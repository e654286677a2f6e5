"""The rules an old address and a redirect's target follow before they are stored."""

import pytest
from django.core.exceptions import ValidationError

from posts.models import Redirect
from posts.models.redirect import normalize_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("https://old.example.org/2013/01/hello-world/", "/2013/01/hello-world/"),
        ("/2013/01/hello.html", "/2013/01/hello.html"),
        ("2013/01/hello/", "/2013/01/hello/"),
        ("https://old.example.org/?p=12", "/?p=12"),
        ("/?utm_source=x&page_id=7", "/?page_id=7"),
        ("/blog/?q=x", "/blog/"),
    ],
)
def test_old_addresses_are_stored_as_paths_with_only_wordpress_queries(address, stored):
    assert normalize_path(address) == stored


@pytest.mark.parametrize(
    "old_path", ["/x/\n/* https://evil.example/ 301!", "/sp ace/", "no-slash/", "/tab\there/"]
)
def test_an_old_address_with_spaces_or_line_breaks_is_refused(old_path):
    with pytest.raises(ValidationError):
        Redirect(old_path=old_path, target="/x/").full_clean()


def test_a_target_with_a_line_break_is_refused():
    with pytest.raises(ValidationError):
        Redirect(old_path="/nl/", target="/x/\n/* https://evil.example/ 301!").full_clean()
