"""The statistics dashboard in the admin, for Editors and above; read-only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path

from stats import reports
from stats.charts import day_chart, newsletter_chart
from stats.models import DaySummary
from stats.newsletter import newsletter_figures
from stats.tasks import schedule_flush


def may_see_statistics(user) -> bool:
    """Return True for Editors and above: those who may publish (posts.publish_entry)."""
    return user.is_active and user.is_staff and user.has_perm("posts.publish_entry")


@admin.register(DaySummary)
class StatisticsAdmin(admin.ModelAdmin):
    """Its list page is the dashboard; no row is ever added or changed by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_statistics(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return may_see_statistics(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        schedule_flush()  # repairs the flush chain should it ever have stopped
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        if days not in reports.SPANS:
            days = 30
        start = reports.span_start(days)
        series = reports.site_days(days)
        latest, feeds = reports.feed_readers()
        newsletter = newsletter_figures(start, days)
        context = {
            **self.admin_site.each_context(request),
            "title": "Statistics",
            "opts": self.opts,
            "days": days,
            "spans": reports.SPANS,
            "chart": day_chart(series, f"Whole site, last {days} days"),
            "total_views": sum(day.views for day in series),
            "top_entries": reports.top_entries(start),
            "top_referrers": reports.top_referrers(start),
            "by_tag": reports.views_by_tag(start),
            "by_author": reports.views_by_author(start),
            "feeds_day": latest,
            "feeds": feeds,
            "feeds_total": sum(row["subscribers"] for row in feeds),
            "newsletter": newsletter,
            "newsletter_chart": newsletter
            and newsletter_chart(newsletter.days, f"Newsletter, last {days} days"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/stats/dashboard.html", context)
