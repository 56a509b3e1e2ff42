from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email subscriptions"

    def ready(self) -> None:
        from subscriptions import notifications  # noqa: F401  (connects the publish receiver)
