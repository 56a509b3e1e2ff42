"""Commitments behind an outcome, for the shared outcome template.

The outcome template is rendered once per outcome on a route map page; the first call loads
the commitments of every outcome of that route map in one query and keeps them on the edition
(which all the page's outcomes share), so the page's query count does not grow with outcomes.
"""

from itertools import groupby

from django import template

from sources.models import Commitment

register = template.Library()


@register.simple_tag
def commitments_for(outcome) -> list[tuple]:
    """[(document, [commitments])] supporting the outcome, from published documents."""
    edition = outcome.edition
    by_key = getattr(edition, "_commitments_by_outcome_key", None)
    if by_key is None:
        by_key = Commitment.objects.published().by_outcome_key(edition.route_map_id)
        edition._commitments_by_outcome_key = by_key
    commitments = by_key.get(outcome.key, [])
    return [
        (document, list(items)) for document, items in groupby(commitments, lambda c: c.document)
    ]
