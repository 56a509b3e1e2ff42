"""Render stored text (paragraphs, Markdown lists) as sanitised HTML.

Text is written by editors and imported from source documents. Markdown keeps paragraphs
and bullet lists; nh3 then strips anything that is not a small set of harmless tags, so
hostile input (script tags, event handlers, javascript: links) is shown inert.
"""

import html
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString

register = template.Library()

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


@lru_cache(maxsize=50_000)
def render_markdown(text: str) -> str:
    """Cached per text: published text is rendered once per worker, not on every page."""
    rendered = markdown_lib.markdown(text or "", output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter(name="richtext")
def richtext(text: str) -> SafeString:
    # nh3 has removed every tag and attribute outside the allow-list above.
    return SafeString(render_markdown(text))


@register.filter(name="plaintext")
def plaintext(text: str) -> str:
    """Text without Markdown markers, for feeds, calendars and summaries."""
    return _plaintext(text or "")


@lru_cache(maxsize=50_000)
def _plaintext(text: str) -> str:
    return html.unescape(nh3.clean(markdown_lib.markdown(text), tags=set())).strip()
