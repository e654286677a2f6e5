"""Our quick format_html must escape exactly as Django's: pages rely on it for every card."""

from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from posts.rendering import escaping

values = st.one_of(
    st.text(),
    st.integers(),
    st.none(),
    st.text().map(mark_safe),
    st.just(gettext_lazy("Tags")),
)


@given(st.lists(values, min_size=1, max_size=4))
def test_format_html_gives_what_djangos_gives(args):
    template = " | ".join(['<a href="{}">'] + ["{}"] * (len(args) - 1))
    ours = escaping.format_html(template, *args)
    assert ours == django_html.format_html(template, *args)
    assert isinstance(ours, SafeString)


@given(st.lists(st.tuples(values, values), max_size=4))
def test_format_html_join_gives_what_djangos_gives(rows):
    ours = escaping.format_html_join(", ", "<i title='{}'>{}</i>", rows)
    assert ours == django_html.format_html_join(", ", "<i title='{}'>{}</i>", rows)


def test_safe_text_is_kept_and_the_rest_escaped():
    html = escaping.format_html("{}{}", mark_safe("<b>"), "<b>&\"'")
    assert html == "<b>&lt;b&gt;&amp;&quot;&#x27;"
