"""Followers (approve, refuse), blocks, likes and boosts per entry, deliveries and servers;
and a likes-and-boosts column on the entries' own list.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from posts.models import Entry
from social import outgoing
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


def end_ties(actors) -> None:
    """Remove what these (blocked) actors had here: their follows, likes and boosts."""
    Follower.objects.filter(actor__in=actors).delete()
    Reaction.objects.filter(actor__in=actors).delete()


class FollowsFilter(admin.SimpleListFilter):
    """Which of our actors is followed: the blog (local "") or an author, each with a name."""

    title = _("follows")
    parameter_name = "local"

    def lookups(self, request, model_admin):
        locals_ = model_admin.get_queryset(request).order_by().values_list("local", flat=True)
        return [(local, local or _("the blog")) for local in sorted(set(locals_.distinct()))]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(local=value)


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["actor", "follows", "state", "created_at"]
    list_filter = ["state", FollowsFilter]
    search_fields = ["actor__uri", "actor__username", "actor__name"]
    readonly_fields = ["actor", "local", "follow_id", "created_at"]
    actions = ["approve", "block_them"]

    @admin.display(description=_("follows"), ordering="local")
    def follows(self, follower: Follower) -> str:
        return follower.local or _("the blog")

    @admin.action(description=_("Approve the selected follow requests"))
    def approve(self, request, queryset) -> None:
        count = 0
        for follower in queryset.exclude(state=Follower.State.ACCEPTED).select_related("actor"):
            follower.state = Follower.State.ACCEPTED
            follower.save(update_fields=["state"])
            outgoing.send_accept(follower)
            count += 1
        self.message_user(request, f"{count} follower(s) approved.", messages.SUCCESS)

    @admin.action(description=_("Block the selected followers (and remove them)"))
    def block_them(self, request, queryset) -> None:
        uris = list(queryset.values_list("actor__uri", flat=True))
        for uri in uris:
            Block.objects.get_or_create(actor_uri=uri)
        end_ties(RemoteActor.objects.filter(uri__in=uris))
        self.message_user(request, f"{len(uris)} actor(s) blocked.", messages.SUCCESS)


class BlockForm(forms.ModelForm):
    actor_uri = forms.URLField(
        label=_("Actor"), required=False, max_length=1000, assume_scheme="https",
        help_text=Block._meta.get_field("actor_uri").help_text,
    )  # fmt: skip

    class Meta:
        model = Block
        fields = ["actor_uri", "domain", "reason"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    form = BlockForm
    list_display = ["__str__", "reason", "created_at"]
    search_fields = ["actor_uri", "domain", "reason"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # A block also ends what the blocked had here: follows, likes, boosts.
        actors = RemoteActor.objects.filter(
            Q(uri=obj.actor_uri)
            if obj.actor_uri
            else Q(server__host=obj.domain) | Q(server__host__startswith=f"{obj.domain}:")
        )
        end_ties(actors)


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    """Likes and boosts, with their counts per entry above the list."""

    list_display = ["entry", "kind", "actor", "created_at"]
    list_filter = ["kind", "entry"]
    search_fields = ["entry__title", "actor__uri"]
    readonly_fields = ["entry", "actor", "kind", "activity_id", "created_at"]

    def changelist_view(self, request, extra_context=None):
        counts = (
            Reaction.objects.values("entry__title")
            .annotate(
                likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
                boosts=Count("pk", filter=Q(kind=Reaction.Kind.ANNOUNCE)),
            )
            .order_by("-likes", "-boosts")[:20]
        )
        extra_context = {**(extra_context or {}), "counts": list(counts)}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RemoteActor)
class RemoteActorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "server", "fetched_at"]
    search_fields = ["uri", "username", "name"]
    readonly_fields = [field.name for field in RemoteActor._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Server)
class ServerAdmin(admin.ModelAdmin):
    list_display = ["host", "failures", "dead_since", "last_success_at"]
    list_filter = [("dead_since", admin.EmptyFieldListFilter)]
    search_fields = ["host"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "attempts", "next_attempt_at", "last_result", "created_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Following)
class FollowingAdmin(admin.ModelAdmin):
    """Accounts the blog follows (`manage.py social_follow @name@host` adds one)."""

    list_display = ["actor", "accepted", "created_at"]
    readonly_fields = ["actor", "follow_id", "accepted", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReceivedPost)
class ReceivedPostAdmin(admin.ModelAdmin):
    """Posts of the accounts the blog follows (answer one with `manage.py social_reply`)."""

    list_display = ["__str__", "actor", "kind", "received_at"]
    search_fields = ["name", "object_id"]
    readonly_fields = [field.name for field in ReceivedPost._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


def _reaction_count(kind: Reaction.Kind) -> Coalesce:
    """Return an entry's number of reactions of this kind, as a subquery of the entry's row."""
    per_entry = (
        Reaction.objects.filter(entry=OuterRef("pk"), kind=kind)
        .order_by()
        .values("entry")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(per_entry), 0)


def with_reaction_counts(entry_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """Return entry_admin with a column of each entry's likes and boosts (for those who may see
    them), counted inside the list's own query: no query per row."""

    class EntryAdmin(entry_admin):
        def get_list_display(self, request):
            shown = super().get_list_display(request)
            if not request.user.has_perm("social.view_reaction"):
                return shown
            return [*shown, "likes_and_boosts"]

        def get_queryset(self, request):
            entries = super().get_queryset(request)
            if not request.user.has_perm("social.view_reaction"):
                return entries
            return entries.annotate(
                social_likes=_reaction_count(Reaction.Kind.LIKE),
                social_boosts=_reaction_count(Reaction.Kind.ANNOUNCE),
            )

        # Not named after the relation (social_reactions): the list would sort by that instead.
        @admin.display(description=_("likes · boosts"), ordering="-social_likes")
        def likes_and_boosts(self, entry: Entry) -> str:
            return f"{entry.social_likes} · {entry.social_boosts}"

    EntryAdmin.__doc__ = entry_admin.__doc__
    return EntryAdmin


# posts' admin comes first in INSTALLED_APPS, so its EntryAdmin is registered by now; social
# extends it from here, and posts needs to know nothing of social.
_entries = type(admin.site.get_model_admin(Entry))
admin.site.unregister(Entry)
admin.site.register(Entry, with_reaction_counts(_entries))
