"""Render stored text (paragraphs, Markdown lists) as sanitised HTML.

Text is written by editors and imported from source documents. Markdown keeps paragraphs
and bullet lists; nh3 then strips anything that is not a small set of harmless tags, so
hostile input (script tags, event handlers, javascript: links) is shown inert.

Most text is plain sentences. Such text skips Markdown and nh3, which take about half a
millisecond a text (most of the time of a large route map page rendered afresh), and is
split into paragraphs here, exactly as they would have done (tests/test_richtext.py checks).

Control characters are removed before and after Markdown: Python-Markdown leaks its own
placeholders (`\\x02klzzwxh:000\\x03`) for some input, and a control character that reached
a page would also reach feeds and calendars quoting it.
"""

import html
import re
import threading
from functools import lru_cache
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString

from core.text import clean_text

register = template.Library()

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}

# Letters, digits, single spaces and punctuation that mean nothing to Markdown or HTML.
_PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ \n.,;:'\"’‘“”()?!%/£€$@–—-])*")
# What could still make Markdown do more than paragraphs: a line opening a list, heading,
# rule or code block; spaces at either end of a line (line breaks, indents); empty lines
# beyond one blank line between paragraphs.
_NOT_ONLY_PARAGRAPHS = re.compile(r"^(?:[-+#= ]|\d+\.)| $|\n\n\n", re.MULTILINE)


def _plain_paragraphs(text: str) -> list[str] | None:
    """The paragraphs of text that Markdown would turn into paragraphs only, else None."""
    text = text.strip("\n")
    if _PLAIN_TEXT.fullmatch(text) and not _NOT_ONLY_PARAGRAPHS.search(text):
        return text.split("\n\n") if text else []
    return None


_markdown = threading.local()


def _markdown_html(text: str) -> str:
    """Markdown to HTML with one converter per thread: building one costs as much as using it."""
    converter = getattr(_markdown, "converter", None)
    if converter is None:
        converter = _markdown.converter = markdown_lib.Markdown(output_format="html")
    return converter.reset().convert(text)


@lru_cache(maxsize=50_000)
def render_markdown(text: str) -> str:
    """Cached per text: published text is rendered once per worker, not on every page."""
    text = clean_text(text or "")
    paragraphs = _plain_paragraphs(text)
    if paragraphs is not None:
        return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return clean_text(
        nh3.clean(
            _markdown_html(text),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


@register.filter(name="richtext")
def richtext(text: str) -> SafeString:
    # nh3 has removed every tag and attribute outside the allow-list above; plain
    # paragraphs contain no character that HTML gives a meaning to.
    return SafeString(render_markdown(text))


@register.filter(name="cleantext")
def cleantext(text: str) -> str:
    """Stored text shown as written, without control characters (text stored before forms
    cleaned their input may still hold some)."""
    return clean_text(text or "")


@register.filter(name="site_name")
def site_name(url: str) -> str:
    """The website of a link as a reader would say it: "plan2430.scot", "gov.scot"."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


@register.filter(name="plaintext")
def plaintext(text: str) -> str:
    """Text without Markdown markers, for feeds, calendars and summaries."""
    return _plaintext(text or "")


@lru_cache(maxsize=50_000)
def _plaintext(text: str) -> str:
    text = clean_text(text)
    paragraphs = _plain_paragraphs(text)
    if paragraphs is not None:
        return "\n".join(paragraphs)
    # Unescaping can bring back a control character written as an entity ("&#27;").
    return clean_text(html.unescape(nh3.clean(_markdown_html(text), tags=set()))).strip()
