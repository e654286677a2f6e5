from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Statistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from stats.tasks import schedule_after_migrate

        # Every deploy runs migrate: it (re)starts the flush chain if nothing is waiting.
        post_migrate.connect(schedule_after_migrate, sender=self)
