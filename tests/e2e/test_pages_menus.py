"""A menu built in the admin shows on the public site; pages and the archive pass axe."""

import re

import pytest

from posts.editorial.roles import EDITOR
from posts.models import MenuItem
from tests.conftest import member_of
from tests.e2e.conftest import SHOTS_DIR
from tests.factories import EntryFactory, ImageFactory, PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SHOTS = SHOTS_DIR / "pages-menus"
PAGE_BODY = """\
We write about small systems.

```console
$ uname -a
Linux lab 6.1.0 x86_64
```

- [x] a ticked task
- [ ] one still to do

![]({picture})
"""


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base_url + "/admin/")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_menu_built_in_the_admin_shows_in_its_order_at_both_widths(live_server, browser):
    member_of(EDITOR, username="grace")
    about = PageFactory(slug="about", title="About")
    projects = PageFactory(slug="projects", title="Projects")
    base = live_server.url

    editor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = editor.new_page()
    log_in(page, base, "grace")
    page.goto(base + "/admin/posts/sitesettings/")
    page.fill("#id_title", "Lab notes")
    page.fill("#id_footer_text", "Written in the lab.")
    rows = [("10", "page", str(about.pk), "", ""), ("20", "page", str(projects.pk), "", "")]
    rows.append(("30", "link", "", "Code", "https://example.org/code"))
    for number, (order, kind, target, label, url) in enumerate(rows):
        if number:
            page.click(".menu-items .add-row a")
        prefix = f"menu_items-{number}-"
        page.fill(f"[name='{prefix}order']", order)
        page.select_option(f"[name='{prefix}kind']", kind)
        if target:
            page.select_option(f"[name='{prefix}page']", target)
        page.fill(f"[name='{prefix}label']", label)
        page.fill(f"[name='{prefix}url']", url)
    # Projects dragged above About: the numbers follow the rows.
    # Picked up by its first cell (not a field, where a drag selects text) and dropped on
    # the top edge of the first row (its middle would be a coin toss).
    page.locator(".menu-items tr.form-row").nth(1).drag_to(
        page.locator(".menu-items tr.form-row").nth(0),
        source_position={"x": 4, "y": 4},
        target_position={"x": 4, "y": 2},
    )
    assert page.input_value("[name='menu_items-1-order']") == "10"
    assert page.input_value("[name='menu_items-0-order']") == "20"
    shot(page, "admin-site-settings-1280")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "was changed successfully" in page.content()
    assert [item.label or item.page.title for item in MenuItem.objects.all()] == [
        "Projects",
        "About",
        "Code",
    ]
    editor.close()

    for width in (390, 1280):
        reader = browser.new_context(viewport={"width": width, "height": 800})
        public = reader.new_page()
        public.goto(base + "/about/")
        menu = public.locator(".site-header .menu a")
        assert menu.all_inner_texts() == ["Projects", "About", "Code"]
        assert public.locator(".menu a[aria-current=page]").inner_text() == "About"
        assert public.locator(".site-title").inner_text() == "Lab notes"
        assert "Written in the lab." in public.locator(".site-footer").inner_text()
        # The menu fits: nothing wider than the screen.
        assert public.evaluate("document.documentElement.scrollWidth") <= width
        shot(public, f"menu-about-{width}")
        reader.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_and_the_archive_have_no_axe_violations(live_server, browser, scheme):
    from axe_playwright_python.sync_playwright import Axe

    picture = ImageFactory(alt_text="A blue square", caption="The lab's board", credit="Ada")
    parent = PageFactory(slug="projects", title="Projects")
    PageFactory(
        slug="lab",
        parent=parent,
        title="The lab",
        body=PAGE_BODY.replace("{picture}", picture.file.url),
        cover=ImageFactory(alt_text="A cover", caption="Cover caption", credit="Grace"),
    )
    PageFactory(slug="child", parent=parent, title="A child page")
    for days in (3, 40, 400):
        from datetime import timedelta

        from django.utils import timezone

        EntryFactory(published_at=timezone.now() - timedelta(days=days))
    axe = Axe()
    reports = {}
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        for name, path in (("page", "/projects/lab/"), ("archive", "/archive/")):
            page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            results = axe.run(page)
            if results.violations_count:
                reports[f"{name} {width}"] = results.generate_report()
            shot(page, f"{name}-{scheme}-{width}")
        # "1 minute read" on one line, and the credit on its own line under the caption.
        context.close()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_settings_and_page_forms_fit_and_have_no_axe_violations(
    live_server, browser, width, scheme
):
    from axe_playwright_python.sync_playwright import Axe

    member_of(EDITOR, username="grace")
    page_row = PageFactory(slug="about", title="About")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log_in(page, live_server.url, "grace")
    reports = {}
    forms = {
        "settings": "/admin/posts/sitesettings/",
        "page": f"/admin/posts/page/{page_row.pk}/change/",
    }
    for name, path in forms.items():
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if name == "settings" and width >= 1280:  # the menu's table whole, not scrolled
            table = page.locator("#menu_items-group .tabular")
            assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
        if name == "settings":
            # select2's picker is named by its field's label once it is set up, even with
            # nothing chosen (posts/admin/select_labels.js).
            page.wait_for_selector("#id_default_social_image + .select2 [role=combobox]")
            picker = page.get_by_role("combobox", name=re.compile("Default social image", re.I))
            assert picker.count() == 1
        shot(page, f"admin-{name}-{scheme}-{width}")
        results = Axe().run(page)
        if results.violations_count:
            reports[name] = results.generate_report()
    context.close()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())


def test_reader_side_fixes_on_a_phone_in_light_mode(live_server, browser):
    cover = ImageFactory(alt_text="A cover", caption="Made with Pillow", credit="Newcomer")
    picture = ImageFactory(alt_text="A square", caption="In the body", credit="Someone")
    entry = EntryFactory(
        title="A title long enough to fill the line before the reading time",
        body=PAGE_BODY.replace("{picture}", picture.file.url),
        cover=cover,
    )
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme="light")
    page = context.new_page()
    page.goto(live_server.url + entry.get_absolute_url())
    # "1 minute read" is one box on one line, never broken in the middle.
    assert page.locator(".reading-time").evaluate("el => el.getClientRects().length") == 1
    # The prompt has a colour of its own, unlike the command after it.
    prompt = page.locator("pre code .gp").first
    command = page.locator("pre code").first
    assert prompt.evaluate("el => getComputedStyle(el).color") != command.evaluate(
        "el => getComputedStyle(el).color"
    )
    # A ticked box is filled, an empty one is not.
    boxes = page.locator(".task-list-item input")
    backgrounds = [b.evaluate("el => getComputedStyle(el).backgroundColor") for b in boxes.all()]
    assert backgrounds[0] != backgrounds[1]
    # The credit sits on its own line, the same size on the cover as in the body.
    credits = page.locator("figcaption .credit")
    assert credits.count() == 2
    styles = [c.evaluate("el => [getComputedStyle(el).display, getComputedStyle(el).fontSize]")
              for c in credits.all()]  # fmt: skip
    assert styles[0] == styles[1] and styles[0][0] == "block"
    shot(page, "entry-fixes-light-390")
    context.close()
