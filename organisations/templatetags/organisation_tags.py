"""Helpers for showing an action from one organisation's point of view."""

from django import template

register = template.Library()


@register.filter
def other_bodies(action, organisation) -> list:
    """The bodies on a milestone (its own, or its outcome's) or a commitment, other than
    `organisation`, so the page can say who else works on it without naming its own body."""
    return [
        link.organisation
        for link in action.responsible_links
        if link.organisation_id != organisation.pk
    ]
