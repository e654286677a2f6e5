from django.urls import path

from comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("", views.index, name="index"),
    path("entry/<int:entry_id>/", views.post_comment, name="post"),
    path("entry/<int:entry_id>/reply/<int:parent_id>/", views.reply_form, name="reply"),
    path("entry/<int:entry_id>/feed/", feeds.EntryCommentsFeed(), name="entry-feed"),
    path("feed/", feeds.SiteCommentsFeed(), name="feed"),
    path("delete/<str:token>/", views.delete_comment, name="delete"),
    path("webmention/", views.webmention, name="webmention"),
]
