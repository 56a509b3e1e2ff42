"""WSGI entry point for gunicorn (production settings unless told otherwise)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_wsgi_application()

# Imported once Django is set up. Cached public pages are answered before Django is entered.
from core.pagecache import PublicPageServer  # noqa: E402

application = PublicPageServer(django_application)
