"""Followers (approve, refuse), blocks, likes and boosts per entry, deliveries and servers."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

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


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["actor", "local", "state", "created_at"]
    list_filter = ["state", "local"]
    search_fields = ["actor__uri", "actor__username", "actor__name"]
    readonly_fields = ["actor", "local", "follow_id", "created_at"]
    actions = ["approve", "block_them"]

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
        queryset.delete()
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
        Follower.objects.filter(actor__in=actors).delete()
        Reaction.objects.filter(actor__in=actors).delete()


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
