from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments and Webmentions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from comments import imports, signals  # noqa: F401  (Webmentions; imported comments)
