"""The beacon and the pixel: count a view, answer at once, touch no database.

The beacon is a POST from static/stats/beacon.js (`navigator.sendBeacon`, form-encoded:
p = the page's path, r = document.referrer, h = the page's host); the pixel is the
`<noscript>` image, which names its page in `?p=`. Both answer 204/the image whether or not
the view counted, so nothing can be learnt from the answer, and set no cookie.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from posts.delivery.proxy import client_address
from stats.counters import count_view
from stats.readers import counts, public_path, referrer_domain
from stats.visitors import visitor_hash

log = logging.getLogger(__name__)

# A transparent 1x1 GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def record(request: HttpRequest, raw_path: str, referrer: str, page_host: str) -> bool:
    """Count one view if the sender and the page qualify; return whether it counted."""
    if not counts(request):
        return False
    path = public_path(raw_path[:2048])
    if path is None:
        return False
    day = timezone.localdate()
    site = request.get_host()
    visitor = visitor_hash(
        day, site, client_address(request) or "", request.headers.get("User-Agent", "")
    )
    try:
        count_view(day, path, referrer_domain(referrer, site, page_host), visitor)
    except Exception:  # a cache outage loses views, never a reader's page
        log.warning("Could not count a view", exc_info=True)
        return False
    return True


def _uncached(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # a beacon carries no token; a forged one can only add a view
@require_POST
def beacon(request: HttpRequest) -> HttpResponse:
    try:
        data = request.POST
        record(request, data.get("p", ""), data.get("r", ""), data.get("h", ""))
    except Exception:
        log.warning("Bad beacon", exc_info=True)
    return _uncached(HttpResponse(status=204))


@require_GET
def pixel(request: HttpRequest) -> HttpResponse:
    record(request, request.GET.get("p", ""), "", "")
    return _uncached(HttpResponse(PIXEL, content_type="image/gif"))
