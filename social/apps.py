from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = "Social web (ActivityPub)"

    def ready(self) -> None:
        from social import signals  # noqa: F401 (connects the receivers)
