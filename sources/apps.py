from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Source documents and consultations"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import bump_published_version
        from sources import models

        # Public pages are cached until something public changes (core.pagecache): an
        # admin's change to a document or its commitments changes the sources pages and the
        # outcome pages that list commitments. Moderation bumps it itself (services).
        for model in (
            models.SourceDocument,
            models.Phase,
            models.Section,
            models.Commitment,
            models.CommitmentOrganisation,
            models.CommitmentOutcome,
            models.CommitmentMilestone,
            models.ConsultationQuestion,
        ):
            post_save.connect(bump_published_version, sender=model, weak=False)
            post_delete.connect(bump_published_version, sender=model, weak=False)
