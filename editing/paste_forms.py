"""Forms for a draft made from a pasted route map page: the paste, then the review.

The review form is built from the proposal (editing.paste) each time the page is posted: the
pasted text travels in a hidden field and is read again, so nothing is kept on the server
between the paste and the draft. The publisher's decisions are the form's fields.
"""

from dataclasses import dataclass, field

from django import forms

from core.forms import CleanTextForm, DesignSystemForm, style_field
from core.text import unique_slug
from editing.paste import (
    PROGRESS,
    SECTION_LABELS,
    SECTIONS,
    PasteError,
    Proposal,
    match_bodies,
    match_route_maps,
    parse,
)
from organisations.models import Organisation, Role, Sector
from outcomes.dates import period_end
from publishing.services import (
    EditionData,
    MilestoneData,
    OrganisationRef,
    OutcomeData,
    ProgressData,
)

NEW = "__new__"
OMIT = "__omit__"
# A pasted page is a few tens of kilobytes; this is room for the longest with a margin.
MAX_PASTE_CHARS = 300_000
EMPTY_PASTE = "Paste the text of a route map page."
BACKWARDS = "A paragraph cannot be in an earlier year than the one before it."


def _read(text: str) -> Proposal:
    try:
        return parse(text)
    except PasteError as exc:
        raise forms.ValidationError(exc.problems) from exc


class PasteForm(DesignSystemForm):
    text = forms.CharField(
        label="The text of the route map page",
        help_text=(
            "On the route map's page on plan2430.scot, select everything (Ctrl+A or ⌘A), "
            "copy it and paste it here. Nothing is saved until you have checked the proposal."
        ),
        max_length=MAX_PASTE_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        error_messages={
            "required": EMPTY_PASTE,
            "max_length": "The text is longer than any route map page: paste one page only.",
        },
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        self.proposal = _read(text)
        return text


@dataclass
class NewBody:
    name: str
    sector: str


@dataclass
class ParagraphRow:
    number: int
    text: str
    certain: bool
    date_label: str
    section: forms.BoundField
    date: forms.BoundField
    join: forms.BoundField | None


@dataclass
class BodyRow:
    name: str
    matched: Organisation | None
    choice: forms.BoundField
    sector: forms.BoundField


@dataclass
class LinkRow:
    title: str
    matched: object | None
    choice: forms.BoundField


@dataclass
class OutcomeRow:
    number: int
    statement: str
    proposed_title: str
    title: forms.BoundField
    paragraphs: list[ParagraphRow] = field(default_factory=list)
    bodies: list[BodyRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        fields = [self.title] + [p.section for p in self.paragraphs]
        fields += [b.choice for b in self.bodies] + [b.sector for b in self.bodies]
        fields += [row.choice for row in self.links]
        return any(bound.errors for bound in fields)


class ReviewForm(DesignSystemForm):
    """The proposal with the publisher's decisions: outcome titles, each paragraph's section
    and joins, which body each printed name is, which route map each linked title is."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_PASTE_CHARS, strip=False)

    def __init__(self, *args, proposal: Proposal, organisations, route_maps, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.organisations = list(organisations)
        self.route_maps = list(route_maps)
        by_slug = {o.slug: o for o in self.organisations}
        body_choices = [(o.slug, o.name) for o in self.organisations]
        map_choices = [(rm.slug, rm.title) for rm in self.route_maps]
        # Which known body each printed name is, and which route map each linked title,
        # per outcome: the fields' first choices, and what the page says of each.
        self._matches = [
            (
                match_bodies(outcome.bodies, self.organisations),
                match_route_maps(outcome.linked_titles, self.route_maps),
            )
            for outcome in proposal.outcomes
        ]
        for i, outcome in enumerate(proposal.outcomes, start=1):
            prefix = f"o{i}"
            self._add(
                f"{prefix}-title",
                forms.CharField(
                    label=f"Title of outcome {i}",
                    max_length=200,
                    help_text="Proposed from the statement's opening words: check it.",
                    error_messages={"required": f"Enter a title for outcome {i}."},
                ),
                outcome.title,
            )
            for j, paragraph in enumerate(outcome.paragraphs, start=1):
                self._add(
                    f"{prefix}-p{j}-section",
                    forms.ChoiceField(
                        label=f"Section of paragraph {j}",
                        choices=[(s, SECTION_LABELS[s]) for s in SECTIONS],
                    ),
                    paragraph.section,
                )
                self._add(
                    f"{prefix}-p{j}-date",
                    forms.CharField(
                        label=f"Date of paragraph {j} as written, if it is progress",
                        max_length=100,
                        required=False,
                    ),
                    paragraph.date_label,
                )
                if j > 1:
                    self._add(
                        f"{prefix}-p{j}-join",
                        forms.BooleanField(required=False, label="Join with the paragraph above"),
                        False,
                    )
            matches, linked = self._matches[i - 1]
            for k, name in enumerate(outcome.bodies, start=1):
                matched = matches[name]
                self._add(
                    f"{prefix}-b{k}",
                    forms.ChoiceField(
                        label=f"Which body “{name}” is",
                        choices=[
                            ("Known bodies", body_choices),
                            (NEW, "Add as a new body"),
                            (OMIT, "Leave out"),
                        ],
                    ),
                    matched.slug if matched else NEW,
                )
                self._add(
                    f"{prefix}-b{k}-sector",
                    forms.ChoiceField(
                        label=f"Sector of “{name}”, if you add it as a new body",
                        required=False,
                        choices=[("", "Choose a sector"), *Sector.choices],
                    ),
                    "",
                )
            for m, title in enumerate(outcome.linked_titles, start=1):
                self._add(
                    f"{prefix}-l{m}",
                    forms.ChoiceField(
                        label=f"Which route map “{title}” is",
                        choices=[("Route maps", map_choices), (OMIT, "Leave out")],
                    ),
                    linked[title].slug if linked[title] else OMIT,
                )
        self._by_slug = by_slug
        self._maps_by_slug = {rm.slug: rm for rm in self.route_maps}

    def _add(self, name: str, form_field: forms.Field, initial) -> None:
        """A field of the proposal, styled as DesignSystemForm styles its declared ones."""
        form_field.initial = initial
        style_field(form_field)
        self.fields[name] = form_field

    # ------------------------------------------------------------------ what the page shows

    @property
    def outcome_rows(self) -> list[OutcomeRow]:
        rows = []
        for i, outcome in enumerate(self.proposal.outcomes, start=1):
            prefix = f"o{i}"
            matches, linked = self._matches[i - 1]
            rows.append(
                OutcomeRow(
                    number=i,
                    statement=outcome.statement,
                    proposed_title=outcome.title,
                    title=self[f"{prefix}-title"],
                    paragraphs=[
                        ParagraphRow(
                            number=j,
                            text=p.text,
                            certain=p.certain,
                            date_label=p.date_label,
                            section=self[f"{prefix}-p{j}-section"],
                            date=self[f"{prefix}-p{j}-date"],
                            join=self[f"{prefix}-p{j}-join"] if j > 1 else None,
                        )
                        for j, p in enumerate(outcome.paragraphs, start=1)
                    ],
                    bodies=[
                        BodyRow(
                            name=name,
                            matched=matches[name],
                            choice=self[f"{prefix}-b{k}"],
                            sector=self[f"{prefix}-b{k}-sector"],
                        )
                        for k, name in enumerate(outcome.bodies, start=1)
                    ],
                    links=[
                        LinkRow(title=title, matched=linked[title], choice=self[f"{prefix}-l{m}"])
                        for m, title in enumerate(outcome.linked_titles, start=1)
                    ],
                )
            )
        return rows

    # -------------------------------------------------------------------------- checking

    def clean(self):
        data = super().clean()
        known_names = {o.name.casefold(): o for o in self.organisations}
        for i, outcome in enumerate(self.proposal.outcomes, start=1):
            prefix = f"o{i}"
            previous = None
            for j in range(1, len(outcome.paragraphs) + 1):
                if data.get(f"{prefix}-p{j}-join"):
                    continue
                section = data.get(f"{prefix}-p{j}-section")
                if section is None:
                    continue
                if previous is not None and SECTIONS.index(section) < SECTIONS.index(previous):
                    self.add_error(f"{prefix}-p{j}-section", BACKWARDS)
                previous = section
            for k, name in enumerate(outcome.bodies, start=1):
                if data.get(f"{prefix}-b{k}") != NEW:
                    continue
                if not data.get(f"{prefix}-b{k}-sector"):
                    self.add_error(
                        f"{prefix}-b{k}-sector", f"Choose a sector for the new body “{name}”."
                    )
                if (existing := known_names.get(name.casefold())) is not None:
                    self.add_error(
                        f"{prefix}-b{k}",
                        f"A body called “{existing.name}” already exists: choose it.",
                    )
        return data

    # ------------------------------------------------------------------------ the draft

    def edition_data(self) -> tuple[EditionData, list[NewBody]]:
        """The draft's content, with each new body as a placeholder Organisation the
        service saves first (the same object is referred to by every outcome naming it)."""
        data = self.cleaned_data
        proposal = self.proposal
        new_bodies: dict[str, Organisation] = {}
        edition = EditionData(
            introduction=proposal.introduction,
            summary=proposal.summary,
            vision=proposal.vision,
            what_matters=list(proposal.what_matters),
        )
        slugs: set[str] = set()
        for i, outcome in enumerate(proposal.outcomes, start=1):
            prefix = f"o{i}"
            title = data[f"{prefix}-title"].strip()
            slug = unique_slug(title, slugs.__contains__, fallback=f"outcome-{i}")
            slugs.add(slug)
            refs, seen = [], set()
            for k, name in enumerate(outcome.bodies, start=1):
                choice = data[f"{prefix}-b{k}"]
                if choice == OMIT:
                    continue
                if choice == NEW:
                    organisation = new_bodies.setdefault(
                        name.casefold(),
                        Organisation(name=name, sector=data[f"{prefix}-b{k}-sector"]),
                    )
                else:
                    organisation = self._by_slug[choice]
                if id(organisation) not in seen:
                    seen.add(id(organisation))
                    refs.append(OrganisationRef(organisation, Role.UNSTATED))
            linked = []
            for m in range(1, len(outcome.linked_titles) + 1):
                choice = data[f"{prefix}-l{m}"]
                route_map = self._maps_by_slug.get(choice)
                if route_map is not None and route_map not in linked:
                    linked.append(route_map)
            item = OutcomeData(
                slug=slug,
                title=title,
                statement=outcome.statement,
                organisations=refs,
                linked_route_maps=linked,
            )
            for section, text, date_label in self._entries(prefix, outcome.paragraphs):
                if section == PROGRESS:
                    item.progress.append(
                        ProgressData(text=text, date=period_end(date_label), date_label=date_label)
                    )
                else:
                    item.milestones.append(MilestoneData(year=int(section), text=text))
            edition.outcomes.append(item)
        return edition, list(new_bodies.values())

    def _entries(self, prefix: str, paragraphs) -> list[tuple[str, str, str]]:
        """(section, text, date label) of each entry, joined paragraphs made one."""
        entries: list[list[str]] = []
        for j, paragraph in enumerate(paragraphs, start=1):
            if entries and self.cleaned_data.get(f"{prefix}-p{j}-join"):
                entries[-1][1] += f"\n\n{paragraph.text}"
                continue
            section = self.cleaned_data[f"{prefix}-p{j}-section"]
            date_label = self.cleaned_data[f"{prefix}-p{j}-date"].strip()
            entries.append([section, paragraph.text, date_label])
        return [tuple(entry) for entry in entries]


class ReviewTextForm(CleanTextForm):
    """The hidden text alone, read before the review form can be built."""

    text = forms.CharField(max_length=MAX_PASTE_CHARS, strip=False)

    def clean_text(self):
        text = self.cleaned_data["text"]
        self.proposal = _read(text)
        return text
