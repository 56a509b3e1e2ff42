"""Forms for every editing action; the same forms serve htmx and full-page posts."""

from django import forms
from django.conf import settings

from core.forms import CleanTextForm, DesignSystemForm
from core.templatetags.richtext import plaintext
from editing.conflicts import RemembersOpened
from editing.services import OrganisationChoice
from milestones.dates import EXAMPLES, DueDateError, milestone_due, parse_due
from milestones.models import STATUS_HELP, YEAR_MESSAGE, Status
from organisations.matching import near_duplicates
from organisations.models import Organisation, Role, Sector
from routemap.models import Foundation, RouteMap

YEAR_CHOICES = [(y, str(y)) for y in range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1)]


def _checkboxes(queryset, label: str) -> forms.ModelMultipleChoiceField:
    """A list of checkboxes, any or none of which may be ticked."""
    return forms.ModelMultipleChoiceField(
        queryset, required=False, widget=forms.CheckboxSelectMultiple, label=label
    )


def _optional_text(rows: int, **kwargs) -> forms.CharField:
    """A text area that may be left blank."""
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), required=False, **kwargs)


def status_field() -> forms.ChoiceField:
    """The status of a milestone or commitment, as editors choose it."""
    return forms.ChoiceField(
        choices=Status.choices,
        label="Status",
        help_text=STATUS_HELP,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )


def item_text_field(*, label: str, required_message: str) -> forms.CharField:
    """The text of a milestone or commitment, which may run to paragraphs and lists."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label=label,
        help_text="Separate paragraphs with a blank line; start list items with “- ”.",
        error_messages={"required": required_message},
    )


def publish_note_field(*, help_text: str, required_message: str) -> forms.CharField:
    """What a publish changed; route maps and documents word its hints for where it is read."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What changed?",
        help_text=help_text,
        error_messages={"required": required_message},
        max_length=2000,
    )


def revision_field() -> forms.IntegerField:
    """The revision (core.models.Revised) of what the form was opened on, hidden: a save
    from an older one is refused as an edit conflict."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def progress_note_field() -> forms.CharField:
    return _optional_text(
        3,
        label="Progress note",
        help_text="What has happened so far. Shown to the public once published.",
    )


class ChosenOrganisations(forms.CheckboxSelectMultiple):
    """The organisations chosen in one role as ticked checkboxes (untick one to remove it),
    then one list to add another from, so the form stays short however many organisations
    there are. Without JavaScript one is added per save; static/js/organisation-picker.js
    turns the list into an autocomplete that adds as many as wanted before saving.

    The list's choice (`<name>_add`) joins the ticked ones before the field sees them, so the
    field cleans, validates and re-shows exactly what a full list of checkboxes gave."""

    template_name = "editing/widgets/chosen_organisations.html"

    def __init__(self, *args, add_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_label = add_label

    def value_from_datadict(self, data, files, name):
        chosen = list(super().value_from_datadict(data, files, name) or [])
        added = data.get(f"{name}_add")
        if added and added not in chosen:
            chosen.append(added)
        return chosen

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [option for _, group, _ in context["widget"]["optgroups"] for option in group]
        context["widget"]["chosen"] = [option for option in options if option["selected"]]
        context["widget"]["others"] = [option for option in options if not option["selected"]]
        context["widget"]["add_label"] = self.add_label
        return context


def _organisations(label: str, add_label: str) -> forms.ModelMultipleChoiceField:
    """The organisations with one role, any number or none (ChosenOrganisations)."""
    unknown = "Choose an organisation from the list."
    return forms.ModelMultipleChoiceField(
        Organisation.objects.all(),
        required=False,
        widget=ChosenOrganisations(add_label=add_label),
        label=label,
        error_messages={"invalid_choice": unknown, "invalid_pk_value": unknown},
    )


class ResponsibleBodiesMixin(DesignSystemForm):
    """Lead, contributing and other organisations: those chosen, and a list to add one from."""

    lead_organisations = _organisations("Lead organisations", "Add a lead organisation")
    contributing_organisations = _organisations(
        "Contributing organisations", "Add a contributing organisation"
    )
    other_organisations = _organisations(
        "Other organisations (role not stated)", "Add an organisation whose role is not stated"
    )

    @staticmethod
    def initial_for_links(links) -> dict:
        by_role = {Role.LEAD: [], Role.CONTRIBUTOR: [], Role.UNSTATED: []}
        for link in links:
            by_role[link.role].append(link.organisation_id)
        return {
            "lead_organisations": by_role[Role.LEAD],
            "contributing_organisations": by_role[Role.CONTRIBUTOR],
            "other_organisations": by_role[Role.UNSTATED],
        }

    def clean(self):
        data = super().clean()
        seen: set[int] = set()
        for field in ("lead_organisations", "contributing_organisations", "other_organisations"):
            ids = {o.pk for o in data.get(field) or []}
            if ids & seen:
                self.add_error(field, "Choose each organisation in one list only.")
            seen |= ids
        return data

    def organisation_choices(self) -> list[OrganisationChoice]:
        data = self.cleaned_data
        return (
            [OrganisationChoice(o, Role.LEAD) for o in data["lead_organisations"]]
            + [OrganisationChoice(o, Role.CONTRIBUTOR) for o in data["contributing_organisations"]]
            + [OrganisationChoice(o, Role.UNSTATED) for o in data["other_organisations"]]
        )


class MilestoneForm(RemembersOpened, ResponsibleBodiesMixin):
    text = item_text_field(label="Milestone", required_message="Enter the milestone text.")
    year = forms.TypedChoiceField(
        choices=YEAR_CHOICES,
        coerce=int,
        label="Year",
        error_messages={"invalid_choice": YEAR_MESSAGE, "required": YEAR_MESSAGE},
    )
    status = status_field()
    progress_note = progress_note_field()
    due = forms.CharField(
        required=False,
        max_length=60,
        label="Due",
        help_text=(
            f"When in its year it is due, for example {EXAMPLES}. Leave blank to read it from "
            "the milestone's text, or the end of its year when the text names no date."
        ),
    )
    subject_to_decisions_after_may_2026 = forms.BooleanField(
        required=False,
        label="Subject to decisions of the Parliament and Ministers elected in May 2026",
    )
    revision = revision_field()

    # What values() gives the services; the organisations go to organisation_choices().
    value_fields = (
        "text",
        "year",
        "due",
        "status",
        "progress_note",
        "subject_to_decisions_after_may_2026",
    )
    # The layout (templates/editing/includes/_milestone_fields.html): first what editors
    # change most, then the rest behind one details whose summary gives its current values,
    # so Save stays within a screen of the text.
    main_fields = ("text", "status", "progress_note")
    more_fields = (
        "year",
        "due",
        "subject_to_decisions_after_may_2026",
        "lead_organisations",
        "contributing_organisations",
        "other_organisations",
    )
    more_title = "Year, due date and organisations"
    field_order = [*main_fields, *more_fields]

    def __init__(self, *args, milestone=None, **kwargs):
        """`milestone` (when editing one) adds to the hint what its text now gives."""
        super().__init__(*args, **kwargs)
        # The names of the fields someone else changed since this form was opened
        # (editing.drafts.form_after_conflict): those in the details open it.
        self.changed_by_others: set[str] = set()
        if milestone is not None:
            label = milestone.due_from_text.label
            self.fields["due"].help_text += f" Its text now gives: {label[0].lower()}{label[1:]}."

    def main(self) -> list[forms.BoundField]:
        return [self[name] for name in self.main_fields]

    def more(self) -> list[forms.BoundField]:
        return [self[name] for name in self.more_fields]

    def more_open(self) -> bool:
        """Open when one of its fields needs the editor: an error, or someone else's change."""
        if self.changed_by_others & set(self.more_fields):
            return True
        return self.is_bound and any(self.errors.get(name) for name in self.more_fields)

    def more_summary(self) -> str:
        """The details' summary: what it holds, then their values as the form now has them,
        "Year, due date and organisations: 2027 · due by end of 2027 · 6 lead, 2 contributing"."""
        year = self._year()
        values = [str(year)] if "year" in self.more_fields and year else []
        due = self._due(year)
        if due:
            values.append(due[0].lower() + due[1:])
        if self["subject_to_decisions_after_may_2026"].value():
            values.append("subject to decisions after May 2026")
        values.append(self._organisations_summary())
        return f"{self.more_title}: {' · '.join(values)}"

    def _year(self) -> int | None:
        try:
            return int(self["year"].value())
        except (TypeError, ValueError):
            return None

    def _due(self, year: int | None) -> str:
        """The due date as the milestone's page will give it: the editor's, else the text's."""
        phrase = (self["due"].value() or "").strip()
        if phrase:
            try:
                return parse_due(phrase).label
            except DueDateError:
                return f"Due “{phrase}”"
        if year is None:
            return ""
        return milestone_due(plaintext(self["text"].value() or ""), year).label

    def _organisations_summary(self) -> str:
        counts = [
            (len(set(self[name].value() or [])), role)
            for name, role in (
                ("lead_organisations", "lead"),
                ("contributing_organisations", "contributing"),
                ("other_organisations", "role not stated"),
            )
        ]
        chosen = [f"{count} {role}" for count, role in counts if count]
        return ", ".join(chosen) if chosen else self.no_organisations

    no_organisations = "no organisations"

    @classmethod
    def initial_for(cls, milestone) -> dict:
        return {
            "text": milestone.text,
            "year": milestone.year,
            "due": milestone.due_phrase if milestone.due_set_by_editor else "",
            "status": milestone.status,
            "progress_note": milestone.progress_note,
            "subject_to_decisions_after_may_2026": milestone.subject_to_decisions_after_may_2026,
            "revision": milestone.revision,
            **cls.initial_for_links(milestone.organisation_links.all()),
        }

    def clean_due(self) -> str:
        phrase = self.cleaned_data["due"].strip()
        try:
            self.due_value = parse_due(phrase)
        except DueDateError as error:
            raise forms.ValidationError(str(error)) from error
        return phrase

    def clean(self):
        data = super().clean()
        due, year = getattr(self, "due_value", None), data.get("year")
        if due is not None and year is not None and due.date.year != year:
            self.add_error(
                "due",
                f"Enter a date in {year}, the milestone's year (“{data['due']}” ends in "
                f"{due.date.year}), or leave it blank.",
            )
        return data

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.value_fields}


class NewMilestoneForm(MilestoneForm):
    """A milestone to add: its year comes first, since it places the milestone, and it has no
    revision yet. Organisations left empty are the outcome's."""

    revision = None
    main_fields = ("text", "year", "status", "progress_note")
    more_fields = tuple(name for name in MilestoneForm.more_fields if name != "year")
    more_title = "Due date and organisations"
    no_organisations = "the outcome's organisations"
    field_order = [*main_fields, *more_fields]


class OutcomeForm(RemembersOpened, ResponsibleBodiesMixin):
    title = forms.CharField(
        max_length=200,
        label="Short title",
        error_messages={"required": "Enter the outcome's short title."},
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Outcome statement",
        error_messages={"required": "Enter the outcome statement."},
    )
    linked_route_maps = _checkboxes(RouteMap.objects.all(), "Other route maps this links to")
    revision = revision_field()
    field_order = ["title", "statement"]

    @classmethod
    def initial_for(cls, outcome) -> dict:
        return {
            "title": outcome.title,
            "statement": outcome.statement,
            "linked_route_maps": [rm.pk for rm in outcome.linked_route_maps.all()],
            "revision": outcome.revision,
            **cls.initial_for_links(outcome.organisation_links.all()),
        }


class NewOutcomeForm(OutcomeForm):
    """An outcome to add: it has no revision yet."""

    revision = None

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("title", "statement")}


class RemoveForm(CleanTextForm):
    """Removing an outcome: its revision as the confirm page showed it."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProgressForm(RemembersOpened):
    date_label = forms.CharField(
        max_length=100,
        required=False,
        label="Date as written (optional)",
        help_text="For example “Early 2026” or “8 January 2025”.",
    )
    date = forms.DateField(
        required=False,
        label="Date for sorting (optional)",
        help_text=(
            "Only needed when the date as written gives no year. Otherwise the last day of the "
            "period written is used (31 December 2024 for “late 2024”), whatever is entered here."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2025-01-08."},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Progress",
        error_messages={"required": "Enter what has happened."},
    )
    revision = revision_field()

    @classmethod
    def initial_for(cls, entry) -> dict:
        return {
            "date_label": entry.date_label,
            "date": entry.date,
            "text": entry.text,
            "revision": entry.revision,
        }

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in ("date_label", "date", "text")}


class RouteMapForm(RemembersOpened):
    introduction = _optional_text(4)
    summary = _optional_text(6, label="Where is Scotland now? (summary)")
    summary_detail = _optional_text(6, label="Where is Scotland now? (more detail)")
    vision = _optional_text(4, label="Where does Scotland need to be by 2030?")
    what_matters = _optional_text(
        6,
        label="What matters to children, families, and care experienced adults",
        help_text="One statement per line, in the order to show them.",
    )
    revision = revision_field()

    @classmethod
    def initial_for(cls, edition) -> dict:
        return {
            "introduction": edition.introduction,
            "summary": edition.summary,
            "summary_detail": edition.summary_detail,
            "vision": edition.vision,
            "what_matters": "\n".join(w.text for w in edition.what_matters.all()),
            "revision": edition.revision,
        }

    def statements(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["what_matters"].splitlines() if line.strip()
        ]


class MoveForm(CleanTextForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PublishForm(DesignSystemForm):
    note = publish_note_field(
        help_text="Shown to the public on the Changes page and in the feed.",
        required_message="Enter what changed, so readers know.",
    )


class RestoreForm(CleanTextForm):
    """Restoring a save from the history: the milestone's revision as the page showed it
    (without it, as it is now: the single-record form of earlier pages), and which history
    to return to."""

    revision = forms.IntegerField(required=False, min_value=0)
    back = forms.ChoiceField(
        choices=[("route_map", "Route map"), ("milestone", "Milestone")], required=False
    )


class NewRouteMapForm(DesignSystemForm):
    """A route map to create: its title, where it sits in the plan and where it came from."""

    title = forms.CharField(
        max_length=200,
        label="Title",
        help_text="As the plan names it, for example “Where children live”.",
        error_messages={"required": "Enter the route map's title."},
    )
    foundation = forms.ModelChoiceField(
        Foundation.objects.all(),
        required=False,
        empty_label="Not under a foundation",
        label="Foundation",
        help_text="Choose “Not under a foundation” where the plan does not say.",
        error_messages={"invalid_choice": "Choose a foundation from the list."},
    )
    after = forms.ChoiceField(
        required=False,
        label="Place in the plan",
        help_text="Where it is listed among the route maps of its foundation.",
        error_messages={"invalid_choice": "Choose a place from the list."},
    )
    source_url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        label="Link to the original route map",
        help_text="Where it is published, for example on plan2430.scot.",
        error_messages={"invalid": "Enter a web address starting https://"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing: RouteMap | None = None
        self.route_maps = {str(rm.pk): rm for rm in RouteMap.objects.select_related("foundation")}
        groups: dict[str, list] = {}
        for pk, route_map in self.route_maps.items():
            group = route_map.foundation.name if route_map.foundation else "Not under a foundation"
            groups.setdefault(group, []).append((pk, f"After “{route_map.title}”"))
        self.fields["after"].choices = [
            ("", "Last among its foundation's route maps"),
            ("first", "First among its foundation's route maps"),
            *groups.items(),
        ]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        self.existing = RouteMap.objects.titled(title)
        if self.existing is not None:
            raise forms.ValidationError(f"There is already a route map called “{self.existing}”.")
        return title

    def clean(self):
        data = super().clean()
        after = data.get("after") or "last"
        if after in self.route_maps:
            after = self.route_maps[after]
            if "foundation" in data and after.foundation != data["foundation"]:
                where = after.foundation.name if after.foundation else "no foundation"
                self.add_error(
                    "after",
                    f"“{after.title}” is under {where}: choose a place among the route maps "
                    "of the foundation chosen, or leave it last.",
                )
        data["after"] = after
        return data


class NewOrganisationForm(DesignSystemForm):
    """A body not in the lists yet. A name like a known body's is shown beside those bodies,
    and made only once the editor says it is a different one."""

    name = forms.CharField(
        max_length=200,
        label="Name",
        help_text="In full, as the body calls itself, for example “Care Inspectorate”.",
        error_messages={"required": "Enter the organisation's name."},
    )
    abbreviation = forms.CharField(
        max_length=30, required=False, label="Abbreviation", help_text="For example “SSSC”."
    )
    sector = forms.ChoiceField(
        choices=[("", "Choose a sector"), *Sector.choices],
        label="Sector",
        error_messages={
            "required": "Choose the sector it belongs to.",
            "invalid_choice": "Choose a sector from the list.",
        },
    )
    different_body = forms.BooleanField(required=False, label="No, this is a different body")
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing: Organisation | None = None
        self.near: list[Organisation] = []

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        self.existing = Organisation.objects.filter(name__iexact=name).first()
        if self.existing is not None:
            raise forms.ValidationError(f"There is already an organisation called “{name}”.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("name"):
            self.near = near_duplicates(data["name"])
            if self.near and not data.get("different_body"):
                self.add_error(
                    "different_body",
                    "Check the organisations listed: tick “No, this is a different body” to "
                    "add it, or choose one of them in the form you came from.",
                )
        return data
