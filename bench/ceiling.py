"""The framework's ceiling: the smallest Django application, served by the same gunicorn
setup as the site, whose one view returns a short fixed response.

No database, no middleware, no templates: what is left is gunicorn, WSGI and Django's
request/response cycle. No page of the site can be faster than this on the same machine.

    .venv/bin/gunicorn --workers 2 --bind 127.0.0.1:PORT bench.ceiling:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-serves-no-secrets",  # noqa: S106
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
)


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Route Map Tracker benchmark ceiling\n", content_type="text/plain")


urlpatterns = [path("", ceiling)]

application = get_wsgi_application()
