"""Delete subscriptions that were never confirmed and whose link has expired (run daily), so
no address is kept for someone who did not confirm."""

from django.core.management.base import BaseCommand

from subscriptions.models import Subscription


class Command(BaseCommand):
    help = "Delete unconfirmed email subscriptions whose confirmation link has expired."

    def handle(self, *args, **options):
        deleted, _ = Subscription.objects.expired_pending().delete()
        self.stdout.write(f"Deleted {deleted} expired pending subscription(s).")
