"""`manage.py create_demo_user`: a demo publisher for trying the editing pages locally."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from accounts.roles import ALL_ROUTE_MAPS, ALL_SOURCE_DOCUMENTS, MODERATORS, PUBLISHERS


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
        for name in (PUBLISHERS, MODERATORS):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        # Explicitly, not through the Publishers group, so the demo can try every page
        # whatever an admin has done to that group.
        for permission in (ALL_ROUTE_MAPS, ALL_SOURCE_DOCUMENTS):
            app_label, codename = permission.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} demo publisher (edits every route map and source document, and "
            f"moderates consultation responses). Sign in at "
            f"{settings.SITE_URL.rstrip('/')}/accounts/login/ with username '{username}' and "
            f"password '{password}'."
        )
