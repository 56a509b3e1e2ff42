from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The public read side: pages, search, the JSON API, feeds, calendars and exports."""

    name = "public"
    verbose_name = "Public pages"
