"""Cleaning of text that people type or upload, before it is stored and again before it is
written to XML, iCalendar, CSV or JSON.

Control characters (other than tab and line breaks) have no meaning in this product's text and
make XML unserialisable: one stored `\\x1b` would break every Atom feed that quotes it.
"""

import re

from django.utils.text import slugify

# C0 controls except tab (\x09), line feed (\x0a) and carriage return (\x0d); DEL; C1 controls;
# and what XML 1.0 and UTF-8 cannot carry either: lone surrogates, U+FFFE and U+FFFF.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Text without control characters, with Windows and old Mac line endings made "\\n"."""
    if not value:
        return value
    value = _CONTROL_CHARACTERS.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def clean_values(value):
    """`value` with `clean_text` applied to every string in it, however deeply it sits in
    dicts, lists and tuples (JSON answers, feed entries); other values are returned as given."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_values(key): clean_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_values(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_values(item) for item in value)
    return value


def cut_at_word(text: str, limit: int, *, cut: bool = False) -> str:
    """`text` whole if it fits in `limit` (and was not `cut` already), otherwise its words
    up to `limit` with an ellipsis: never a word cut in half."""
    text = " ".join(clean_text(text or "").split())
    if len(text) <= limit and not cut:
        return text
    kept = text[: limit + 1]
    if " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:.–-") + "…"


def unique_slug(text: str, taken, *, max_length: int = 100, fallback: str = "item") -> str:
    """A web address part made from `text` ("Where children live" -> "where-children-live"),
    with "-2", "-3"... added until `taken(slug)` is false. Text with no letters or digits a
    slug can hold gets `fallback`."""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, number = base, 1
    while taken(slug):
        number += 1
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
    return slug
