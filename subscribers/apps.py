"""The subscribers app: e-mail delivery of new entries to readers who asked for it."""

from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"
    verbose_name = "Subscribers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from subscribers import signals  # noqa: F401  (connects the receivers)
