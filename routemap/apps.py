from django.apps import AppConfig


class RoutemapConfig(AppConfig):
    name = "routemap"
    verbose_name = "Route maps"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from core.pagecache import bump_published_version, refresh_after_migrate
        from routemap.models import Foundation, RouteMap
        from routemap.signals import edition_published

        # Cached public pages last until something public changes: a publish, or an admin's
        # change to a route map or foundation (organisations: OrganisationsConfig).
        edition_published.connect(bump_published_version, dispatch_uid="cache-on-publish")
        for model in (RouteMap, Foundation):
            post_save.connect(bump_published_version, sender=model, weak=False)
            post_delete.connect(bump_published_version, sender=model, weak=False)
        # A deploy runs migrations: pages rendered by the previous release are not served on.
        post_migrate.connect(refresh_after_migrate, sender=self, dispatch_uid="cache-on-migrate")
