"""WSGI entry point, for gunicorn: `gunicorn blogsite.wsgi`.

Django's handler, wrapped so that a cached page is answered before Django's request
pipeline runs (posts/delivery/cache.py, PageCacheApp).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")

application = get_wsgi_application()

from posts.delivery.cache import PageCacheApp  # noqa: E402 (needs the apps loaded above)

application = PageCacheApp(application)
