"""{% word_diff old new %}: the words that changed between two texts, marked in place."""

from django import template

from core.textdiff import word_diff as diff_pieces

register = template.Library()


@register.inclusion_tag("includes/word_diff.html")
def word_diff(old: str, new: str) -> dict:
    return {"pieces": diff_pieces(old, new)}
