"""Helpers for showing a milestone from one organisation's point of view."""

from django import template

register = template.Library()


@register.filter
def other_bodies(milestone, organisation) -> list:
    """The bodies on the milestone (its own, or its outcome's) other than `organisation`,
    so the page can say who else works on it without naming the page's own body."""
    return [
        link.organisation
        for link in milestone.responsible_links
        if link.organisation_id != organisation.pk
    ]
