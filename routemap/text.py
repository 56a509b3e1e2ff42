"""Cleaning of text that people type or upload, before it is stored and again before it is
written to XML, iCalendar, CSV or JSON.

Control characters (other than tab and line breaks) have no meaning in this product's text and
make XML unserialisable: one stored `\\x1b` would break every Atom feed that quotes it.
"""

import re

# C0 controls except tab (\x09), line feed (\x0a) and carriage return (\x0d); DEL; C1 controls.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Text without control characters, with Windows and old Mac line endings made "\\n"."""
    if not value:
        return value
    value = _CONTROL_CHARACTERS.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value
