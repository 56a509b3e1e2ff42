from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """The plan's content in and out as a whole: the seed loader and the state backup."""

    name = "seeding"
    verbose_name = "Seed content and backup"
