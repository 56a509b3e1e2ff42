from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing with no knowledge of the plan: text, forms, clock, rate limits, email,
    the page cache and the template tags every page uses."""

    name = "core"
    verbose_name = "Shared plumbing"

    def ready(self):
        from core import client  # noqa: F401 (registers the proxy-hops deploy check)
