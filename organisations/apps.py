from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import bump_published_version
        from organisations.models import Organisation

        # Cached public pages last until something public changes (core.pagecache): an
        # admin's change to an organisation changes its page and every page naming it.
        post_save.connect(bump_published_version, sender=Organisation, weak=False)
        post_delete.connect(bump_published_version, sender=Organisation, weak=False)
