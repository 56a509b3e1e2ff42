"""`manage.py create_demo_user`: a demo publisher for trying the editing pages locally."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.roles import PUBLISHERS


class Command(BaseCommand):
    help = "Create (or reset) the demo publisher account and print how to sign in."

    def handle(self, *args, **options):
        username = os.environ.get("DEMO_USERNAME", "demo")
        password = os.environ.get("DEMO_PASSWORD", "promise-2030")
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.add(Group.objects.get_or_create(name=PUBLISHERS)[0])
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} demo publisher. Sign in at http://127.0.0.1:8000/accounts/login/ "
            f"with username '{username}' and password '{password}'."
        )
