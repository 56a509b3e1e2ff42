"""Stored text as HTML: paragraphs and lists survive, anything else is made inert, and plain
sentences (which skip Markdown for speed) come out exactly as Markdown would give them."""

import html

import markdown
import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from core.templatetags.richtext import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    plaintext,
    render_markdown,
    richtext,
)
from core.text import clean_text


def through_markdown(text: str) -> str:
    rendered = markdown.markdown(clean_text(text), output_format="html")
    return clean_text(
        nh3.clean(
            rendered,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


def plain_through_markdown(text: str) -> str:
    cleaned = nh3.clean(markdown.markdown(clean_text(text)), tags=set())
    return clean_text(html.unescape(cleaned)).strip()


# Mostly ordinary sentences, with now and then something Markdown or HTML reads as markup.
ORDINARY = list("abcdefghij klm XYZ 0123456789 .,;:'\"’‘“”()?!%/£€$@–—-éß")
PIECES = ["\n", "\n\n", "\n\n\n", " \n", "\n ", "  ", "- ", "1. ", "2024.", "# ", "=", "+"]
MARKUP = list("*_`[]<>&\\\t\r\u00a0\x0b\u2028")
texts = st.lists(st.sampled_from(ORDINARY + PIECES), max_size=40).map("".join) | st.lists(
    st.sampled_from(ORDINARY + PIECES + MARKUP), max_size=40
).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_any_text_renders_as_markdown_and_nh3_would(text):
    assert render_markdown(text) == through_markdown(text)
    assert plaintext(text) == plain_through_markdown(text)


def test_paragraphs_and_lists_keep_their_shape():
    assert (
        richtext("First point.\n\nSecond point.\n") == "<p>First point.</p>\n<p>Second point.</p>"
    )
    listed = richtext("Next steps:\n\n- consult in 2026\n- report in 2027")
    assert "<ul>\n<li>consult in 2026</li>\n<li>report in 2027</li>\n</ul>" in listed
    words = plaintext("Next steps:\n\n- *consult* in 2026").split()
    assert words == ["Next", "steps:", "consult", "in", "2026"]


def test_hostile_text_is_inert():
    rendered = richtext('Kinship <script>alert("x")</script> & <a href="javascript:x">care</a>')
    assert "<script" not in rendered
    assert "javascript:" not in rendered
    assert "&amp;" in rendered
