"""Telling whether a name is a body we already know.

Route map pages name bodies loosely: "third sector", "third sector providers" and "Third
sector organisations" are one body; "Scottish Local Authorities" are the local authorities;
"SSSC" is the Scottish Social Services Council. Two questions are asked of a name:

- `find_match`: which known body is it, when that is beyond doubt (the same name, slug or
  abbreviation, or the same words once qualifiers such as "all", "the" or "organisations"
  are set aside)? A paste or an import then links it without asking.
- `near_duplicates`: which known bodies might it be? Someone adding a new body is shown
  these first ("Health boards" before creating "NHS Health Boards").

Plain rules over the standard library's difflib: the bodies number in the dozens, and a
rule an editor can read beats a score nobody can explain.
"""

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from organisations.models import Organisation

# Words that qualify a body's name without changing which body it is.
QUALIFIERS = frozenset({"the", "all", "scottish", "organisations", "organisation", "providers"})
# How alike two names must be, letter by letter, to be worth asking about.
SIMILAR_RATIO = 0.85


def normalise(name: str) -> str:
    """Lower case, plain letters, "and" for "&", no bracketed abbreviation or punctuation."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    text = re.sub(r"\([^)]*\)", " ", text).replace("&", " and ")
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


def core_words(name: str) -> frozenset[str]:
    """The words that say which body it is: qualifiers set aside, plurals made singular."""
    words = normalise(name).split()
    core = {word for word in words if word not in QUALIFIERS} or set(words)
    return frozenset(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in core)


def _names(organisation: Organisation) -> set[str]:
    names = {normalise(organisation.name), normalise(organisation.slug.replace("-", " "))}
    if organisation.abbreviation:
        names.add(normalise(organisation.abbreviation))
    return names


def _known(organisations: Iterable[Organisation] | None) -> list[Organisation]:
    return list(Organisation.objects.all() if organisations is None else organisations)


def find_match(
    name: str, organisations: Iterable[Organisation] | None = None
) -> Organisation | None:
    """The known body `name` is, when only one can be: the same name, slug or abbreviation,
    or else the same core words. None when no body, or more than one, fits."""
    known = _known(organisations)
    wanted = normalise(name)
    if not wanted:
        return None
    exact = [o for o in known if wanted in _names(o)]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    words = core_words(name)
    same = [o for o in known if core_words(o.name) == words]
    return same[0] if len(same) == 1 else None


def near_duplicates(
    name: str, organisations: Iterable[Organisation] | None = None
) -> list[Organisation]:
    """Known bodies that `name` might be, most alike first: a match, names whose core words
    hold the other's ("Health boards" and "NHS Health Boards"), or names spelt nearly alike."""
    known = _known(organisations)
    wanted = normalise(name)
    if not wanted:
        return []
    words = core_words(name)
    scored = []
    for organisation in known:
        other = core_words(organisation.name)
        ratio = max(
            SequenceMatcher(None, wanted, known_name).ratio() for known_name in _names(organisation)
        )
        if wanted in _names(organisation) or words == other:
            score = 2.0
        elif words <= other or other <= words:
            score = 1.0 + ratio
        elif ratio >= SIMILAR_RATIO:
            score = ratio
        else:
            continue
        scored.append((score, organisation.name, organisation))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [organisation for _, _, organisation in scored]
