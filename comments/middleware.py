"""Advertise the Webmention endpoint in a Link header on every HTML page (cached ones too:
this runs inside the page cache, so the header is stored with the page)."""

from django.urls import reverse


class WebmentionLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = None

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and response.status_code == 200:
            if self.header is None:
                self.header = f'<{reverse("comments:webmention")}>; rel="webmention"'
            response.headers["Link"] = ", ".join(filter(None, [response.get("Link"), self.header]))
        return response
