"""Filters for plain-text emails, where layout is made of line breaks and spaces."""

from django import template

register = template.Library()


@register.filter(name="indent")
def indent(text: str, width: int = 2) -> str:
    """Every line after the first indented by `width` spaces, so a note of several
    paragraphs stays under the list item it belongs to. Blank lines stay blank."""
    pad = " " * int(width)
    lines = str(text or "").split("\n")
    return "\n".join([lines[0], *(pad + line if line.strip() else "" for line in lines[1:])])
