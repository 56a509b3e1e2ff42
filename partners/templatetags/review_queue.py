"""The review queue's count for pages of the editor side, which sits below partners and so
cannot ask for it itself: `{% load review_queue %}{% pending_updates_for user as n %}`."""

from django import template

from partners.models import ProgressUpdate

register = template.Library()


@register.simple_tag
def pending_updates_for(user) -> int:
    """Partner updates waiting for this editor's review."""
    return ProgressUpdate.objects.pending().reviewable_by(user).count()
