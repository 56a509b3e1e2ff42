"""Word-level differences: what a reviewer sees when a text is reworded."""

from django.template import Context, Template

from core.textdiff import changed, word_diff


def _join(pieces, *kinds):
    return "".join(p.text for p in pieces if p.kind in kinds)


def test_pieces_rebuild_both_versions():
    old = "Kinship carers receive the allowance by March 2026, across Scotland."
    new = "Kinship carers receive the full allowance by April 2026, across Scotland."
    pieces = word_diff(old, new)
    assert _join(pieces, "equal", "delete") == old
    assert _join(pieces, "equal", "insert") == new
    assert [p.text for p in pieces if p.inserted] == ["full ", "April"]
    assert [p.text for p in pieces if p.deleted] == ["March"]


def test_a_change_late_in_a_long_text_is_found():
    words = " ".join(f"word{i}" for i in range(80))
    pieces = word_diff(words, words.replace("word70", "changed"))
    assert [p.text for p in pieces if not p.equal] == ["word70", "changed"]


def test_line_endings_alone_are_no_change():
    assert not changed("First line\r\nSecond line", "First line\nSecond line")
    assert all(p.equal for p in word_diff("a\r\nb", "a\nb"))
    assert changed("a b", "a c")


def test_template_marks_changes_in_text_not_colour_alone():
    html = Template("{% load textdiff %}{% word_diff old new %}").render(
        Context({"old": "due <soon>", "new": "due later"})
    )
    assert "<del" in html and "[removed: </span>&lt;soon&gt;" in html
    assert "<ins" in html and "[added: </span>later" in html
