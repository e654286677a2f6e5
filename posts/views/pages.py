"""Pages at the addresses editors choose, and the archive of every year and month."""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.views.generic import (
    DetailView,
    TemplateView,
)

from posts.models import Entry, Page
from posts.views.entries import _private


class PageView(DetailView):
    """A page at its own address; staff who may edit pages also see drafts, never cached."""

    context_object_name = "page"
    template_name = "posts/page_detail.html"

    def get(self, request, *args, **kwargs):
        path = f"/{kwargs['path']}/"
        page = Page.objects.select_related("cover", "social_image").filter(path=path).first()
        if page is None or not (page.is_published or self._may_preview(request)):
            raise Http404("No page at this address.")
        self.object = page
        # The way down from the home page: the published pages above this one, one query.
        prefixes = [
            "/" + "/".join(path.strip("/").split("/")[:n]) + "/"
            for n in range(1, path.count("/") - 1)
        ]
        above = {
            p.path: p
            for p in Page.objects.published().filter(path__in=prefixes).only("title", "path")
        }
        children = Page.objects.published().filter(parent=page).only("title", "path", "summary")
        context = self.get_context_data(
            object=page,
            breadcrumbs=[above[prefix] for prefix in prefixes if prefix in above],
            children=list(children),
        )
        response = self.render_to_response(context)
        return response if page.is_published else _private(response)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # A POST to an address no page has is a 404, as it was before pages had addresses.
        if not Page.objects.filter(path=f"/{kwargs['path']}/").exists():
            raise Http404("No page at this address.")
        return super().http_method_not_allowed(request, *args, **kwargs)

    @staticmethod
    def _may_preview(request: HttpRequest) -> bool:
        return request.user.is_staff and request.user.has_perm("posts.change_page")


class ArchiveView(TemplateView):
    """Every year and month with published entries, with how many, in the site's time zone."""

    template_name = "posts/archive.html"

    def get_context_data(self, **kwargs):
        # One query however many entries: the database counts them per month.
        months = (
            Entry.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-month")
        )
        years: dict[int, dict] = {}
        for row in months:
            month = (
                timezone.localtime(row["month"])
                if timezone.is_aware(row["month"])
                else row["month"]
            )
            year = years.setdefault(month.year, {"year": month.year, "count": 0, "months": []})
            year["count"] += row["count"]
            year["months"].append({"date": month.date(), "count": row["count"]})
        return super().get_context_data(years=list(years.values()), **kwargs)
