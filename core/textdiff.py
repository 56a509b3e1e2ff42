"""Word-level differences between two versions of a text, for people checking a change.

A reworded 400-character milestone looks the same as before in a 90-character quote; marking
the words that changed lets an editor (or a reader of the Changes page) see what happened.
Built on the standard library's difflib, over words and the spaces between them, so the
pieces put back together give exactly the old and the new text.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from core.text import clean_text

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of text that is the same in both versions ("equal"), only in the new one
    ("insert") or only in the old one ("delete")."""

    kind: str
    text: str

    @property
    def equal(self) -> bool:
        return self.kind == "equal"

    @property
    def inserted(self) -> bool:
        return self.kind == "insert"

    @property
    def deleted(self) -> bool:
        return self.kind == "delete"


def _words(text: str) -> list[str]:
    return _TOKENS.findall(clean_text(text or ""))


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`: joining the equal and deleted pieces gives
    `old`, joining the equal and inserted ones gives `new` (line endings made "\\n").
    Deleted words come before the words that replace them."""
    a, b = _words(old), _words(new)
    pieces: list[Piece] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1] = Piece(kind, pieces[-1].text + text)
        else:
            pieces.append(Piece(kind, text))

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            add("equal", "".join(a[a0:a1]))
        else:
            add("delete", "".join(a[a0:a1]))
            add("insert", "".join(b[b0:b1]))
    return pieces


def changed(old: str, new: str) -> bool:
    """Whether the words differ; line endings alone are no change."""
    return _words(old) != _words(new)
