from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Blog"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from posts import signals  # noqa: F401  (connects the search index and page cache)
        from posts.operations.maintenance import analyze_after_migrate

        post_migrate.connect(analyze_after_migrate, sender=self)
