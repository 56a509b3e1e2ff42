from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner organisations"

    def ready(self) -> None:
        from partners import notifications  # noqa: F401  (connects the review and publish receivers)
