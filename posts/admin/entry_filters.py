"""The entry list's state filter: Draft, Scheduled, Published as writers think of them.

The model's status has two values; "scheduled" is a published status with a publish time
still to come, so the filter asks the queryset's own definitions (published(), scheduled()).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posts.models import Entry


class StateListFilter(admin.SimpleListFilter):
    """Filter entries by what a reader would see of them: nothing yet, later, or now."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("draft", _("Draft")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        match self.value():
            case "draft":
                return queryset.filter(status=Entry.Status.DRAFT)
            case "scheduled":
                return queryset.scheduled()
            case "published":
                return queryset.published()
        return queryset
