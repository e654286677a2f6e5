from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("actor/", views.actor, name="actor"),
    path("inbox/", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
    path("followers/", views.followers, name="followers"),
    path("authors/<slug:slug>/", views.author_actor, name="author"),
    path("authors/<slug:slug>/outbox/", views.author_outbox, name="author-outbox"),
    path("authors/<slug:slug>/followers/", views.author_followers, name="author-followers"),
    path("notes/<int:pk>/", views.note, name="note"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
]

# At the site's root, where other servers look for them.
well_known = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo-links"),
]
