"""The review queue's count for pages of the editor side, which sits below partners and so
cannot ask for it itself: `{% load review_queue %}{% pending_updates_for user as n %}`."""

from django import template

from partners.models import ProgressUpdate

register = template.Library()


@register.simple_tag
def pending_updates_for(user) -> int:
    """Partner updates waiting for this editor's review."""
    return ProgressUpdate.objects.pending().reviewable_by(user).count()


@register.simple_tag
def pending_updates_on(route_map, milestone_keys) -> int:
    """Partner updates waiting for review on these milestones of `route_map` (the outcome an
    editor is about to remove: `{% pending_updates_on route_map keys as n %}`)."""
    if not milestone_keys:
        return 0
    return (
        ProgressUpdate.objects.pending()
        .filter(route_map=route_map, milestone_key__in=list(milestone_keys))
        .count()
    )
