"""`{% entry_reactions_panel original %}`: on the entry's change form, how many likes and boosts
it has had from the social web, each a link to those reactions in the admin.

A template tag, like the comments and subscribers panels, so that posts never imports social.
One query; nothing for a user who may not see likes and boosts.
"""

from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from social.models import Reaction

register = template.Library()


@register.inclusion_tag("social/admin/entry_panel.html", takes_context=True)
def entry_reactions_panel(context, entry) -> dict:
    """Return the entry's like and boost counts, with links, for a user who may see them."""
    user = context["request"].user
    if entry is None or entry.pk is None or not user.has_perm("social.view_reaction"):
        return {"shown": False}
    counts = Reaction.objects.filter(entry_id=entry.pk).aggregate(
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in Reaction.Kind}
    )
    listed = reverse("admin:social_reaction_changelist")
    rows = [
        {
            "kind": kind,
            "count": counts[kind.value],
            "url": listed + "?" + urlencode({"entry__id__exact": entry.pk, "kind__exact": kind}),
        }
        for kind in Reaction.Kind
    ]
    return {"shown": True, "rows": rows}
