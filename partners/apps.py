from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner organisations"

    def ready(self) -> None:
        # Connect the receivers: emails on review and publish, and discarded drafts.
        from partners import drafts, notifications  # noqa: F401
