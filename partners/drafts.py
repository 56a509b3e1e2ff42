"""Accepted partner updates live in a draft until it is published. When an editor discards
that draft, what the updates put there is gone, so they go back to the review queue rather
than stay "accepted" for something that will never be published."""

from django.dispatch import receiver

from partners.models import ProgressUpdate
from routemap.signals import draft_discarded
from sources.signals import document_draft_discarded


def updates_back_to_review(queryset) -> int:
    """Accepted, never-published updates become pending again, their review forgotten."""
    return queryset.filter(state=ProgressUpdate.State.ACCEPTED, published_at__isnull=True).update(
        state=ProgressUpdate.State.PENDING,
        reviewed_by=None,
        reviewed_at=None,
        replaced_note="",
        accepted_note="",
    )


@receiver(draft_discarded, dispatch_uid="partners.route_map_draft_discarded")
def route_map_draft_discarded(sender, route_map, **kwargs) -> None:
    updates_back_to_review(ProgressUpdate.objects.filter(route_map=route_map))


@receiver(document_draft_discarded, dispatch_uid="partners.document_draft_discarded")
def document_draft_discarded_(sender, document, **kwargs) -> None:
    updates_back_to_review(ProgressUpdate.objects.filter(commitment__document=document))
