"""Sign-up, confirmation, one-click unsubscribe and the tag page.

The sign-up form sits in cached and statically published pages, so it carries no CSRF token
(formguard says what guards it instead). The pages behind a reader's own link (confirm,
unsubscribe, manage) are never cached and never indexed.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from taggit.models import Tag

from posts.delivery.proxy import client_address
from posts.ratelimit import take_turn
from subscribers import formguard, tasks
from subscribers.addresses import address_hash
from subscribers.forms import SubscribeForm, TagsForm
from subscribers.links import read_confirm_token
from subscribers.models import Subscriber

HOUR = 3600


def _form_page(request: HttpRequest, form: SubscribeForm, status: int = 200, note: str = ""):
    return render(
        request,
        "subscribers/subscribe.html",
        {"form": form, "stamp": formguard.new_stamp(), "note": note},
        status=status,
    )


def _limited(request: HttpRequest, address: str) -> int:
    """Return seconds to wait if this client or this address asked too often, else 0."""
    return take_turn(
        "subscribe-ip", client_address(request), settings.BLOGSITE_SUBSCRIBE_PER_IP_HOUR, HOUR
    ) or take_turn(
        "subscribe-address",
        address_hash(address),
        settings.BLOGSITE_SUBSCRIBE_PER_ADDRESS_HOUR,
        HOUR,
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The sign-up page, and where every sign-up form posts."""
    if request.method != "POST":
        return _form_page(request, SubscribeForm())
    form = SubscribeForm(request.POST)
    if not formguard.same_origin(request):
        form.is_valid()
        return _form_page(
            request, form, 403, _("Please send the form from this site's own page, here.")
        )
    if form.is_robot():
        return redirect("subscribers:sent")  # a robot learns nothing
    problem = formguard.stamp_problem(request.POST.get("stamp", ""))
    if problem:
        form.is_valid()
        return _form_page(
            request, form, 400, _("Please check your address and press Subscribe again.")
        )
    if not form.is_valid():
        return _form_page(request, form, 400)
    address = form.cleaned_data["email"]
    wait = _limited(request, address)
    if wait:
        minutes = max(1, wait // 60)
        response = _form_page(
            request,
            form,
            429,
            _("Too many sign-ups from here or for this address. Please try again in "
              "%(minutes)d minutes.") % {"minutes": minutes},
        )  # fmt: skip
        response["Retry-After"] = str(wait)
        return response
    all_tags, tag_ids = form.chosen()
    ask_to_confirm(address, all_tags, tag_ids)
    return redirect("subscribers:sent")


def ask_to_confirm(address: str, all_tags: bool, tag_ids: list[int]) -> Subscriber:
    """Record a sign-up (new, again, or after leaving) and mail the confirmation link.

    Whatever the address's state, the reader sees the same page and gets the same mail: the
    answer never says whether the address was known.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.filter(email_hash=address_hash(address)).first()
        if subscriber is None:
            subscriber = Subscriber(consent_at=None)
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
        subscriber.set_email(address)
        subscriber.save()
        tasks.enqueue_after_commit(tasks.send_confirmation, subscriber.pk, all_tags, tag_ids)
    return subscriber


def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "subscribers/sent.html")


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    found = read_confirm_token(token)
    subscriber = None
    if found:
        subscriber_id, key, all_tags, tag_ids = found
        subscriber = Subscriber.objects.filter(pk=subscriber_id, key=key).first()
    if subscriber is None or subscriber.email is None:
        context = {"form": SubscribeForm(), "stamp": formguard.new_stamp()}
        return render(request, "subscribers/expired.html", context, status=410)
    with transaction.atomic():
        if subscriber.status != Subscriber.Status.CONFIRMED:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.consent_at = timezone.now()
        subscriber.bounces = 0
        subscriber.all_tags = all_tags
        subscriber.save()
        subscriber.tags.set(Tag.objects.filter(pk__in=tag_ids))
    return render(request, "subscribers/confirmed.html", {"subscriber": subscriber})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, key: str) -> HttpResponse:
    """One click: the link itself unsubscribes (GET), as does the RFC 8058 POST."""
    subscriber = get_object_or_404(Subscriber, key=key, email__isnull=False)
    if request.method != "HEAD":
        subscriber.forget()
    if request.method == "POST":
        # RFC 8058: the mail client posts List-Unsubscribe=One-Click and reads no page.
        return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
    return render(request, "subscribers/unsubscribed.html")


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, key: str) -> HttpResponse:
    """Choose which entries to get: every one, or those with some tags."""
    subscriber = get_object_or_404(
        Subscriber, key=key, status__in=[Subscriber.Status.CONFIRMED, Subscriber.Status.BOUNCING]
    )
    saved = False
    if request.method == "POST" and formguard.same_origin(request):
        form = TagsForm(request.POST)
        if form.is_valid():
            all_tags, tag_ids = form.chosen()
            subscriber.all_tags = all_tags
            subscriber.save(update_fields=["all_tags"])
            subscriber.tags.set(Tag.objects.filter(pk__in=tag_ids))
            saved = True
    else:
        form = TagsForm(
            initial={
                "all_tags": subscriber.all_tags,
                "tags": list(subscriber.tags.values_list("pk", flat=True)),
            }
        )
    context = {"form": form, "subscriber": subscriber, "saved": saved}
    return render(request, "subscribers/manage.html", context)
