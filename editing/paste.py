"""A route map page pasted as text, read into a proposed draft for a publisher to review.

The plan2430.scot route map pages share one layout (fixtures/seeds/000_1766b190943272c6.txt):
introduction, "Where is Scotland now?", "Where does Scotland need to be by 2030?" with the
outcome statements, then one block per outcome (progress so far, the year tabs 2026 to 2030,
"Who needs to work on this:", "Other route maps this links to:"), then "What matters to
children, families, and care experienced adults".

Copied text loses the tab labels, so each paragraph's section is proposed from what is left:
the page's order (which never goes back), the placeholder sentence of each empty year tab,
dates the paragraph opens with or names, and its tense. A section the page's order and the
paragraph's own words fix is "certain"; one chosen by reading is "inferred" and the review
page says so (fixtures/PLACEMENT_NOTES.md explains the same distinction for the fixture).

Nothing here reads or writes the database: bodies and linked route maps are matched against
lists the caller passes in.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from organisations.matching import find_match, normalise
from outcomes.dates import MONTHS, period_end

PROGRESS = "progress"
YEARS = (2026, 2027, 2028, 2029, 2030)
SECTIONS = (PROGRESS, *(str(year) for year in YEARS))
SECTION_LABELS = {PROGRESS: "Progress so far", **{str(year): str(year) for year in YEARS}}

PLACEHOLDER = "There are no milestones identified for this year yet"
NOW_HEADING = "Where is Scotland now?"
BY_2030_HEADING = "Where does Scotland need to be by 2030?"
BODIES_HEADING = "Who needs to work on this:"
LINKS_HEADING = "Other route maps this links to:"
WHAT_MATTERS_HEADING = "What matters to children, families, and care experienced adults"
# Page chrome and headings that carry no content wherever they appear.
CHROME = {
    "skip to main content",
    "read more...",
    "the route map to get there",
    "where does scotland",
    "need to be by 2030?",
    "find out more about what matters here",
}
BULLET = "•"
OUTCOMES_LEAD_IN = re.compile(r"^The outcomes in .* are:$", re.IGNORECASE)
# A linked route map's title: a short line, not a sentence.
MAX_TITLE_WORDS = 8


class PasteError(ValueError):
    """The text is not a route map page; `problems` says what was missing, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class Paragraph:
    text: str
    section: str  # one of SECTIONS
    certain: bool
    date_label: str = ""  # the date it opens with, kept if it is a progress entry


@dataclass
class ProposedOutcome:
    statement: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # as printed
    linked_titles: list[str] = field(default_factory=list)  # as printed


@dataclass
class Proposal:
    title: str
    introduction: str
    summary: str
    vision: str
    what_matters: list[str]
    outcomes: list[ProposedOutcome]

    @property
    def paragraph_count(self) -> int:
        return sum(len(outcome.paragraphs) for outcome in self.outcomes)


# --------------------------------------------------------------------------- the page


@dataclass
class _Line:
    text: str  # stripped
    blank_with_spaces: bool = False  # a line of spaces only: the copy of an empty tab edge


def _lines(text: str) -> list[_Line]:
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        lines.append(_Line(stripped, blank_with_spaces=not stripped and bool(raw)))
    return lines


def _is_heading(text: str, heading: str) -> bool:
    return " ".join(text.split()).casefold() == heading.casefold()


def _find(lines: list[_Line], heading: str, start: int = 0) -> int | None:
    for index in range(start, len(lines)):
        if _is_heading(lines[index].text, heading):
            return index
    return None


def _paragraphs(lines: list[_Line], title: str = "") -> list[str]:
    """Non-empty lines that are not chrome (nor the route map's title repeated)."""
    return [
        line.text
        for line in lines
        if line.text
        and line.text.casefold() not in CHROME
        and not (title and line.text.casefold() == title.casefold())
    ]


def _bullet_text(text: str) -> str | None:
    return text[len(BULLET) :].strip() if text.startswith(BULLET) else None


def parse(text: str) -> Proposal:
    """The proposed draft for a pasted page; PasteError if it is not a route map page."""
    if not text or not text.strip():
        raise PasteError(["Paste the text of a route map page."])
    lines = _lines(text)
    title = ""
    title_at = 0
    for index, line in enumerate(lines):
        if line.text.startswith("Route map:"):
            title, title_at = line.text.removeprefix("Route map:").strip(), index + 1
            break
    now_at = _find(lines, NOW_HEADING, title_at)
    by_2030_at = _find(lines, BY_2030_HEADING, (now_at or title_at) + 1)
    lead_in_at = next(
        (
            i
            for i in range((by_2030_at or title_at), len(lines))
            if OUTCOMES_LEAD_IN.match(lines[i].text)
        ),
        None,
    )
    statements: list[str] = []
    body_at = None
    if lead_in_at is not None:
        index = lead_in_at + 1
        while index < len(lines) and (
            not lines[index].text or _bullet_text(lines[index].text) is not None
        ):
            if lines[index].text:
                statements.append(_bullet_text(lines[index].text))
            index += 1
        body_at = index
    problems = []
    if now_at is None:
        problems.append(f"There is no “{NOW_HEADING}” heading.")
    if by_2030_at is None:
        problems.append(f"There is no “{BY_2030_HEADING}” heading.")
    if not statements:
        problems.append("There is no list of outcome statements (“The outcomes in … are:”).")
    what_matters_at = _find(lines, WHAT_MATTERS_HEADING, body_at or 0)
    blocks = _blocks(lines[body_at : what_matters_at or len(lines)]) if body_at else []
    unfinished = blocks and blocks[-1].bodies is None
    if unfinished:
        blocks.pop()
    if not blocks:
        problems.append(f"There are no outcome blocks (each ends with “{BODIES_HEADING}”).")
    if problems:
        raise PasteError(["This does not look like the text of a route map page.", *problems])
    if unfinished and len(statements) == len(blocks):
        raise PasteError(
            [
                f"The text after the last “{BODIES_HEADING}” is not “{WHAT_MATTERS_HEADING}”. "
                "Copy the whole page, from “Route map:” to the end, and paste it again."
            ]
        )
    if len(statements) != len(blocks):
        raise PasteError(
            [
                f"The page lists {len(statements)} outcome statements but has {len(blocks)} "
                f"outcome blocks (each ends with “{BODIES_HEADING}”). "
                "Copy the whole page, from “Route map:” to the end, and paste it again."
            ]
        )
    intro = _paragraphs(lines[title_at:now_at])
    summary = _paragraphs(lines[now_at + 1 : by_2030_at], title)
    vision = _paragraphs(lines[by_2030_at + 1 : lead_in_at])
    what_matters = _paragraphs(lines[what_matters_at + 1 :]) if what_matters_at is not None else []
    outcomes = [
        ProposedOutcome(
            statement=statement,
            title=propose_title(statement),
            paragraphs=place(block.items),
            bodies=block.bodies,
            linked_titles=block.linked_titles,
        )
        for statement, block in zip(statements, blocks, strict=True)
    ]
    return Proposal(
        title=title,
        introduction="\n\n".join(intro),
        summary="\n\n".join(summary),
        vision="\n\n".join(vision),
        what_matters=what_matters,
        outcomes=outcomes,
    )


@dataclass
class _Item:
    text: str = ""
    placeholder: bool = False
    break_before: bool = False  # a spaces-only line came just before it


@dataclass
class _Block:
    items: list[_Item] = field(default_factory=list)
    bodies: list[str] | None = field(default_factory=list)  # None: the block never ended
    linked_titles: list[str] = field(default_factory=list)


def _blocks(lines: list[_Line]) -> list[_Block]:
    """The outcome blocks: paragraphs (bullets and quotations joined to the paragraph they
    belong to), then the bodies and the linked route maps."""
    blocks: list[_Block] = []
    block = _Block()
    pending_break = False
    index = 0
    while index < len(lines):
        line = lines[index]
        text = line.text
        if line.blank_with_spaces:
            pending_break = bool(block.items)
        elif not text or text.casefold() in CHROME:
            pass
        elif _is_heading(text, BODIES_HEADING):
            index = _after_bodies(lines, index + 1, block)
            blocks.append(block)
            block, pending_break = _Block(), False
            continue
        elif (bullet := _bullet_text(text)) is not None and block.items:
            previous = block.items[-1]
            in_list = previous.text.rsplit("\n", 1)[-1].startswith("- ")
            previous.text += ("\n" if in_list else "\n\n") + f"- {bullet}"
        elif text.startswith(PLACEHOLDER):
            block.items.append(_Item(placeholder=True, break_before=pending_break))
            pending_break = False
        elif (
            block.items
            and not block.items[-1].placeholder
            and _continues_quotation(block.items[-1].text, text)
        ):
            block.items[-1].text += f"\n\n{text}"
        else:
            block.items.append(_Item(text=text, break_before=pending_break))
            pending_break = False
        index += 1
    if block.items:  # paragraphs after the last bodies line that belong to no outcome
        block.bodies = None
        blocks.append(block)
    return blocks


def _continues_quotation(previous: str, text: str) -> bool:
    """A quotation introduced by a paragraph ("…position is clear:" then “…) belongs to it,
    paragraph by paragraph, until the closing ”."""
    if previous.count("“") > previous.count("”"):
        return True
    return previous.endswith(":") and text.startswith("“")


def _after_bodies(lines: list[_Line], index: int, block: _Block) -> int:
    """Read the line of bodies and the linked route maps after "Who needs to work on this:";
    returns where the next block starts."""
    index = _skip_blank(lines, index)
    if (
        index < len(lines)
        and not _is_heading(lines[index].text, LINKS_HEADING)
        and _looks_like_bodies(lines[index].text)
    ):
        block.bodies = split_bodies(lines[index].text)
        index = _skip_blank(lines, index + 1)
    if index < len(lines) and _is_heading(lines[index].text, LINKS_HEADING):
        index = _skip_blank(lines, index + 1)
        while index < len(lines) and _looks_like_title(lines[index].text):
            block.linked_titles.append(lines[index].text)
            index = _skip_blank(lines, index + 1)
    return index


def _skip_blank(lines: list[_Line], index: int) -> int:
    while index < len(lines) and not lines[index].text:
        index += 1
    return index


def _looks_like_title(text: str) -> bool:
    return (
        len(text.split()) <= MAX_TITLE_WORDS
        and not text.endswith((".", ":"))
        and not text.startswith(PLACEHOLDER)
    )


def _looks_like_bodies(text: str) -> bool:
    names = split_bodies(text)
    return bool(names) and all(len(name.split()) <= MAX_TITLE_WORDS for name in names)


def split_bodies(text: str) -> list[str]:
    """ "Scottish Government; Local Authorities; third sector providers; health; education."
    as five names: split on "," and ";", a leading "and" and a trailing "." dropped."""
    names = []
    for part in re.split(r"[,;]", text):
        name = re.sub(r"^and\s+", "", part.strip(), flags=re.IGNORECASE).rstrip(".").strip()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


# ------------------------------------------------------------------------- outcome titles

TITLE_VERBS = re.compile(
    r"\s(?:is|are|operates|operate|remains|remain|receives?|has|have|will)\s", re.IGNORECASE
)


def propose_title(statement: str) -> str:
    """The page prints no outcome titles: propose the statement's subject ("Kinship care is
    valued…" gives "Kinship care"); the publisher confirms or edits it."""
    first = statement.split(". ")[0]
    found = TITLE_VERBS.search(first)
    words = (first[: found.start()] if found else first).split()
    if words and words[-1].casefold() == "and":
        words = words[:-1]
    if not words or len(words) > MAX_TITLE_WORDS:
        words = first.split()[:5]
    return " ".join(words).rstrip(".,;:")


# ------------------------------------------------------------------------------- dates

_PARTS = {"early", "mid", "late", "end", "spring", "summer", "autumn", "winter"}
_OPENING_DATE = re.compile(
    r"^(?:(?:In|On)\s+)?(?P<label>(?:From\s+)?[A-Za-z0-9/\-– ]{0,40}?\b(?:19|20)\d\d(?:/\d\d)?)"
    r"(?:\s+onwards)?(?=\s*[:,\-–]|\s+[A-Za-z“‘'\"])"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _date_words_only(label: str) -> bool:
    for word in re.split(r"[\s/\-–]+", label.casefold()):
        if not word or word == "from" or word in _PARTS:
            continue
        if word[:3] in MONTHS and word.isalpha():
            continue
        if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?|(?:19|20)\d\d|\d\d", word):
            continue
        return False
    return True


def opening_date(text: str) -> str:
    """The date a paragraph opens with ("2024:", "In August 2023,", "On 28th August 2024,",
    "6th January 2022:"), as printed, when outcomes.dates can read it; otherwise ""."""
    found = _OPENING_DATE.match(text)
    if not found:
        return ""
    label = found["label"].strip(" -–")
    if not _date_words_only(label) or period_end(label) is None:
        return ""
    return label


# ------------------------------------------------------------------- placing paragraphs

FUTURE = re.compile(
    r"\b(?:will|would|must|should|shall|expected|aim|aims|intends?|plans? to|going to|"
    r"require to|need to|needs to)\b|^(?:Ensure|Creation|Consideration|Expected)\b",
    re.IGNORECASE,
)
# Words of what has happened or is so: a paragraph with these and no FUTURE word is progress
# (a heading-like line with neither, "National review of …; evaluate …", says nothing).
DONE = re.compile(
    r"\b(?:was|were|has|have|had|is|are|published|launched|began|begun|developed|provided|"
    r"provides|funded|established|took|came|committed|confirmed|rolled|introduced|"
    r"implemented|enables|explores|supports|places|delivered)\b",
    re.IGNORECASE,
)
END_STATE = re.compile(
    r"\bwill have (?:been|access)\b|^There will be\b|\bfully (?:funded|embedded)\b",
    re.IGNORECASE,
)
OPENS_WITH_DEADLINE = re.compile(r"^By\s+(?:[A-Za-z0-9]+\s+){0,3}?(?P<year>20\d\d)\b")
# A year a sentence names for its own action ("will be published early 2026", "by 1 September
# 2026", "During 2026, …"), unless the words before it point elsewhere ("began in 2026",
# "beyond 2026", "published in early 2026" about something else).
NOT_OWN_YEAR = re.compile(
    r"(?:began|begun|beyond|since|(?<!be )published in|from|after|before|up to|until)"
    r"(?:\s+in)?(?:\s+(?:early|mid|late|the end of))?\s*$",
    re.IGNORECASE,
)
INF = float("inf")


def _named_years(text: str) -> set[int]:
    """Years a paragraph names for what it says will happen ("will be published early 2026",
    "by 1 September 2026", "During 2026, …"), not years it names for something else."""
    years = set()
    for sentence in _sentences(text):
        if not FUTURE.search(sentence) and not re.search(r"\bin 20\d\d\.$", sentence):
            continue
        for found in _YEAR.finditer(sentence):
            before = sentence[: found.start()]
            after = sentence[found.end() : found.end() + 12]
            if (
                NOT_OWN_YEAR.search(before)
                or (re.search(r"\bby\s*$", before) and found.group() == "2030")  # the plan's end
                or re.match(r"\s*(?:baseline|/|–|-)", after)
                or re.search(r"\b20\d\d\s*(?:and|/|–|-)\s*$", before)
            ):
                continue
            years.add(int(found.group()))
    return years


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+", text.split("\n\n")[0]) if s]


@dataclass
class _Evidence:
    allowed: set[int]  # the sections its own words allow (0 progress, 1..5 the years)
    costs: list[float]  # per section, from its tense (lower is likelier)
    tense: set[int]  # the sections its tense allows when the tenses of a block agree


def _evidence(text: str) -> _Evidence:
    allowed = set(range(6))
    label = opening_date(text)
    named = _named_years(text)
    own = named & set(YEARS)
    if label:
        first = int(_YEAR.search(label).group())
        if first <= 2025:
            allowed = {0}
        elif first in YEARS:
            allowed = {YEARS.index(first) + 1}
    elif deadline := OPENS_WITH_DEADLINE.match(text):
        if (year := int(deadline["year"])) in YEARS:
            allowed = {YEARS.index(year) + 1}
    elif len(own) == 1:
        allowed = {YEARS.index(own.pop()) + 1}
    sentences = _sentences(text)
    future = [bool(FUTURE.search(sentence)) for sentence in sentences]
    past_year = any(year <= 2025 for year in named)
    costs = [0.0] * 6
    if past_year and not own:  # "will publish … in December 2025": done before the plan's years
        costs[1:] = [2.0] * 5
    elif all(future):
        costs[0] += 3.0
    elif any(future):  # "…will provide four beds. Foxgrove is due to open early 2026."
        costs[1:] = [0.5] * 5
    else:
        costs[1:] = [2.0 if any(_YEAR.findall(text.split("\n\n")[0])) else 1.0] * 5
    for section in range(1, 6):  # the near years hold most of a page's milestones
        costs[section] += 0.05 * section
    if END_STATE.search(text.split("\n\n")[0]):
        for section in range(1, 6):
            costs[section] += (5 - section) * 0.6
    if not any(future) and DONE.search(text.split("\n\n")[0]):
        tense = {0}
    elif all(future) and not past_year:
        tense = set(range(1, 6))
    else:
        tense = set(range(6))
    return _Evidence(allowed, costs, tense)


def _same_opening(a: str, b: str) -> bool:
    words_a, words_b = a.split()[:3], b.split()[:3]
    return len(words_a) == 3 and words_a == words_b


def place(items: list[_Item]) -> list[Paragraph]:
    """Each paragraph's proposed section, and whether the page fixes it.

    The copy keeps the page's order: progress, then 2026 to 2030, each year a run of
    paragraphs or one placeholder sentence (an empty tab). So the sections are a
    segmentation of the items; the cheapest one by the paragraphs' evidence is proposed,
    and a paragraph is certain when every segmentation its words allow agrees."""
    if not items:
        return []
    evidence = [
        _Evidence(set(range(1, 6)), [0.0] * 6, set(range(1, 6)))
        if item.placeholder
        else _evidence(item.text)
        for item in items
    ]
    boundary = [0.0] * len(items)  # the cost of a new section starting at item i
    for i in range(1, len(items)):
        a, b = items[i - 1], items[i]
        if b.break_before:
            boundary[i] -= 1.5
        if not a.placeholder and not b.placeholder:
            if _same_opening(a.text, b.text):
                boundary[i] += 1.0
            elif i + 1 < len(items) and _same_opening(b.text, items[i + 1].text):
                boundary[i] -= 0.5
    # Tense fixes the progress edge when every paragraph of the block agrees with it.
    with_tense = [
        _Evidence(e.allowed & e.tense, e.costs, e.tense) if e.allowed & e.tense else e
        for e in evidence
    ]
    if all(_feasible(items, with_tense)):
        evidence = with_tense
    best = _segment(items, evidence, boundary)
    certain_sets = _feasible(items, evidence)
    if best is None:  # the page breaks its own rules: propose in order, nothing certain
        best = _segment(items, evidence, boundary, gaps=True) or _segment(
            items,
            [_Evidence(set(range(6)), e.costs, e.tense) for e in evidence],
            boundary,
            gaps=True,
        )
        certain_sets = [set(range(6)) for _ in items]
    sections = best or [0] * len(items)
    return [
        Paragraph(
            text=item.text,
            section=SECTIONS[section],
            certain=len(certain_sets[i]) == 1,
            date_label=opening_date(item.text),
        )
        for i, (item, section) in enumerate(zip(items, sections, strict=True))
        if not item.placeholder
    ]


def _allowed(items, evidence, i: int, s: int) -> bool:
    if items[i].placeholder:
        return s >= 1
    return s in evidence[i].allowed


def _steps(items, i: int, s: int, gaps: bool = False) -> Iterable[int]:
    """The sections item i+1 may take when item i is in section s: the same or the next
    (every year has a paragraph or a placeholder), or with `gaps` any later one."""
    ahead = items[i].placeholder or (i + 1 < len(items) and items[i + 1].placeholder)
    if gaps:
        return range(s + 1 if ahead else s, 6)
    if ahead:
        return (s + 1,) if s < 5 else ()
    return (s, s + 1) if s < 5 else (s,)


def _segment(items, evidence, boundary, *, gaps: bool = False) -> list[int] | None:
    """The cheapest sections for the items, or None when the rules allow none."""
    n = len(items)
    cost = [[INF] * 6 for _ in range(n)]
    back = [[-1] * 6 for _ in range(n)]
    for s in range(6) if gaps else (0, 1):
        if _allowed(items, evidence, 0, s):
            cost[0][s] = evidence[0].costs[s]
    for i in range(n - 1):
        for s in range(6):
            if cost[i][s] == INF:
                continue
            for t in _steps(items, i, s, gaps):
                if not _allowed(items, evidence, i + 1, t):
                    continue
                step = boundary[i + 1] if t != s else 0
                total = cost[i][s] + evidence[i + 1].costs[t] + step
                if total < cost[i + 1][t]:
                    cost[i + 1][t], back[i + 1][t] = total, s
    last = min(range(6), key=lambda s: cost[n - 1][s]) if gaps else 5
    if cost[n - 1][last] == INF:
        return None
    sections, s = [last] * n, last
    for i in range(n - 1, 0, -1):
        s = back[i][s]
        sections[i - 1] = s
    return sections


def _feasible(items, evidence) -> list[set[int]]:
    """For each item, the sections some segmentation allowed by the words gives it."""
    n = len(items)
    forward = [set() for _ in range(n)]
    forward[0] = {s for s in (0, 1) if _allowed(items, evidence, 0, s)}
    for i in range(n - 1):
        for s in forward[i]:
            forward[i + 1] |= {
                t for t in _steps(items, i, s) if _allowed(items, evidence, i + 1, t)
            }
    backward = [set() for _ in range(n)]
    backward[n - 1] = {5} & forward[n - 1]
    for i in range(n - 2, -1, -1):
        backward[i] = {s for s in forward[i] if set(_steps(items, i, s)) & backward[i + 1]}
    return backward


# ----------------------------------------------------------------------------- matching


def match_bodies(names: Iterable[str], organisations) -> dict[str, object]:
    """Each printed name with the known body it is (organisations.matching), or None."""
    organisations = list(organisations)
    return {name: find_match(name, organisations) for name in names}


def match_route_maps(titles: Iterable[str], route_maps) -> dict[str, object]:
    """Each printed title with the route map of that title (case and punctuation aside)."""
    by_title = {normalise(route_map.title): route_map for route_map in route_maps}
    return {title: by_title.get(normalise(title)) for title in titles}
