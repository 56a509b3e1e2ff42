"""Small pieces of English for templates: `{% load wording %}{{ organisation.name|possessive }}`."""

from django import template

from core.text import cut_at_word as _cut_at_word

register = template.Library()


def possessive_of(name: str) -> str:
    """ "Care Inspectorate's", but "Convention of Scottish Local Authorities'" (a name ending
    in s takes the apostrophe alone) and "Barnardo's" as it is (already possessive)."""
    name = str(name).rstrip()
    if not name or name.endswith(("'s", "’s")):
        return name
    return name + ("'" if name.endswith("s") else "'s")


@register.filter
def possessive(name) -> str:
    """Plain text: the template's autoescaping escapes it like the name alone."""
    return possessive_of(name)


@register.filter
def cut_at_word(text, limit: int) -> str:
    """`text` whole if it fits in `limit` characters, else its words up to it and "…"."""
    return _cut_at_word(str(text), int(limit))
