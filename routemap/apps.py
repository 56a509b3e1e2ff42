from django.apps import AppConfig


class RoutemapConfig(AppConfig):
    name = "routemap"
    verbose_name = "Route maps"
