"""Email each editor the partner updates that arrived for them since their last list (run
daily, from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from partners.digest import review_digests_send


class Command(BaseCommand):
    help = "Email each editor the partner updates waiting for their review that are new to them."

    def handle(self, *args, **options):
        run = review_digests_send()
        self.stdout.write(f"Sent {run.sent} of {run.editors} review digest email(s).")
