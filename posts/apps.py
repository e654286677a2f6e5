from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Blog"

    def ready(self) -> None:
        from posts import signals  # noqa: F401  (connects the search index)
