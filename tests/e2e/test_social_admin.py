"""Every admin page the social app adds, in Chromium at 390 and 1280 px, light and dark: an
Editor approves and blocks followers, adds a block, follows an entry's likes and boosts from its
change page; nothing runs off the screen and axe finds nothing. Screenshots go to
/tmp/social-shots/ (or BLOGSITE_SOCIAL_SHOTS) for a person to look at."""

import os
from pathlib import Path

import pytest

from posts.editorial.roles import EDITOR
from social.models import (
    Block,
    Delivery,
    Follower,
    Following,
    Reaction,
    ReceivedPost,
    RemoteActor,
    Server,
)
from social.signatures import new_key_pair
from tests.conftest import member_of
from tests.e2e.test_editorial import log_in
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("BLOGSITE_SOCIAL_SHOTS", "/tmp/social-shots"))

# The pages social/admin.py registers, by model name, with a word each page must show.
LISTS = {
    "follower": "@ada@social.example",
    "block": "spam.example",
    "reaction": "Herons at dawn",
    "remoteactor": "Ada Quill",
    "server": "gone.example",
    "delivery": "Create",
    "following": "@bob@social.example",
    "receivedpost": "Notes from the marsh",
}


@pytest.fixture(autouse=True)
def deliveries_stay_queued(settings):
    # Approving a follower queues an Accept; here it waits in its table, sent to nobody.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def actor(server: Server, name: str, display: str) -> RemoteActor:
    uri = f"https://{server.host}/users/{name}"
    return RemoteActor.objects.create(
        uri=uri, server=server, key_id=f"{uri}#main-key", public_key_pem="unused here",
        inbox=f"{uri}/inbox", shared_inbox=f"https://{server.host}/inbox",
        name=display, username=name, url=f"https://{server.host}/@{name}",
    )  # fmt: skip


def fediverse():
    """Return (entry, ada, bob, carol): followers waiting and accepted, likes, boosts, a
    dead server, a delivery, an account we follow and one of its posts."""
    social = Server.objects.create(host="social.example")
    from django.utils import timezone

    Server.objects.create(host="gone.example", failures=40, dead_since=timezone.now())
    ada = actor(social, "ada", "Ada Quill")
    bob = actor(social, "bob", "Bob Marsh")
    carol = actor(social, "carol", "Carol Fen, who has a rather long display name indeed")
    carol.public_key_pem = new_key_pair()[0]  # a real key: long lines without a space
    carol.save()
    for person, state in ((ada, "pending"), (bob, "pending"), (carol, "accepted")):
        Follower.objects.create(actor=person, follow_id=f"{person.uri}#follows/1", state=state)
    entry = EntryFactory(title="Herons at dawn")
    for n, (person, kind) in enumerate(((ada, "like"), (carol, "like"), (bob, "announce"))):
        Reaction.objects.create(entry=entry, actor=person, kind=kind,
                                activity_id=f"{person.uri}#reactions/{n}")  # fmt: skip
    Block.objects.create(domain="spam.example", reason="Sends nothing but advertising")
    Delivery.objects.create(
        server=social, inbox="https://social.example/inbox", actor_path="",
        payload={"type": "Create", "object": {"type": "Article"}},
        attempts=2, last_result="HTTP 503",
    )  # fmt: skip
    Following.objects.create(actor=bob, follow_id="https://blog.example/follows/1", accepted=True)
    ReceivedPost.objects.create(
        actor=bob, object_id="https://social.example/users/bob/statuses/1", kind="Note",
        name="Notes from the marsh", content_html="<p>Reeds, mostly.</p>",
        url="https://social.example/@bob/1",
    )  # fmt: skip
    return entry, ada, bob, carol


def check_page(page, width: int, name: str, reports: dict, context: str | None = None) -> None:
    """Assert the page fits the width; note axe's findings; keep a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    for selector in ("#content-main", "#content h1", ".messagelist", "#changelist-form"):
        boxes = page.locator(selector)
        if boxes.count():
            box = boxes.first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, selector)
    results = Axe().run(page, context=context) if context else Axe().run(page)
    if results.violations_count:
        reports[name] = results.generate_report()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_editor_uses_every_social_admin_page(live_server, browser, width, scheme):
    entry, ada, bob, carol = fediverse()
    member_of(EDITOR, username="grace")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, live_server.url, "grace")
    reports: dict[str, str] = {}
    suffix = f"{width}-{scheme}"

    for model, shown in LISTS.items():
        response = page.goto(f"{live_server.url}/admin/social/{model}/")
        assert response.status == 200, model
        assert shown in page.locator("#content").inner_text(), model
        check_page(page, width, f"{model}-list-{suffix}", reports)

    # A remote actor's own page: read-only, every field shown.
    page.goto(f"{live_server.url}/admin/social/remoteactor/{carol.pk}/change/")
    assert "Carol Fen" in page.locator("#content-main").inner_text()
    check_page(page, width, f"remoteactor-page-{suffix}", reports)

    # Followers: approve Ada's request, block Bob.
    page.goto(f"{live_server.url}/admin/social/follower/")
    page.locator(f"input.action-select[value='{ada.follows.get().pk}']").check()
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.locator(".messagelist .success").wait_for()
    assert "1 follower(s) approved." in page.locator(".messagelist").inner_text()
    check_page(page, width, f"follower-approved-{suffix}", reports)
    assert Follower.objects.get(actor=ada).state == Follower.State.ACCEPTED
    accept = Delivery.objects.get(payload__type="Accept")
    assert accept.inbox == ada.inbox

    page.locator(f"input.action-select[value='{bob.follows.get().pk}']").check()
    page.select_option("select[name=action]", "block_them")
    page.click("button[name=index]")
    page.locator(".messagelist .success").wait_for()
    assert "1 actor(s) blocked." in page.locator(".messagelist").inner_text()
    assert Block.objects.filter(actor_uri=bob.uri).exists()
    assert not Follower.objects.filter(actor=bob).exists()
    assert not Reaction.objects.filter(actor=bob).exists()  # his boost went with him
    assert page.locator("#result_list tbody tr").count() == 2  # Ada and Carol remain

    # Blocks: a whole domain, typed as people type it.
    page.goto(f"{live_server.url}/admin/social/block/add/")
    page.fill("#id_domain", "Noisy.Example")
    page.fill("#id_reason", "A flood of replies")
    check_page(page, width, f"block-add-{suffix}", reports)
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()
    assert Block.objects.filter(domain="noisy.example", reason="A flood of replies").exists()
    check_page(page, width, f"block-added-{suffix}", reports)

    # The entry's page counts its likes and boosts, and each count leads to them.
    page.goto(f"{live_server.url}/admin/posts/entry/{entry.pk}/change/")
    panel = page.locator(".entry-reactions")
    assert panel.locator("[data-kind=like]").inner_text() == "2 likes"
    assert panel.locator("[data-kind=announce]").inner_text() == "0 boosts"
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / f"entry-panel-{suffix}.png"))
    check_page(page, width, f"entry-page-{suffix}", reports, context=".entry-reactions")
    panel.locator("[data-kind=like] a").click()
    page.wait_for_url("**/admin/social/reaction/?*")
    assert page.locator("#result_list tbody tr").count() == 2
    check_page(page, width, f"reaction-filtered-{suffix}", reports)

    # The entries' list: a column of likes and boosts.
    page.goto(f"{live_server.url}/admin/posts/entry/")
    row = page.locator("#result_list tbody tr", has_text="Herons at dawn")
    assert row.locator("td.field-likes_and_boosts").inner_text() == "2 · 0"
    check_page(page, width, f"entry-list-{suffix}", reports)

    context.close()
    assert errors == []
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
