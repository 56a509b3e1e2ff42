"""The public timeline's filters, shared by /timeline/, its exports and organisation pages.

Filters are plain GET parameters so every filtered view has a URL that can be shared,
bookmarked and downloaded. Choices are loaded once per request (one query per list), so
validating and rendering the form costs a fixed number of queries.

The timeline shows actions (milestones and the commitments of source documents) unless the
reader chooses "Progress so far" (`show=progress`): progress entries belong to an outcome, not
to a body, so they are never counted or listed among anyone's actions.
"""

from django import forms
from django.conf import settings
from django.http import QueryDict

from core.forms import CleanTextForm
from milestones.models import Status, plan_years
from organisations.models import Organisation, Sector
from outcomes.models import Outcome, ProgressEntry
from routemap.models import Foundation, RouteMap
from sources.actions import Actions, published_actions

# The order parameters appear in URLs (the filter form's order, so a form submitted with or
# without JavaScript reaches the same URL), and the order active filters are listed in.
FILTER_FIELDS = [
    "show",
    "organisation",
    "sector",
    "foundation",
    "route_map",
    "outcome",
    "status",
    "year",
    "year_from",
    "year_to",
    "overdue",
    "due_soon",
]


PROGRESS = "progress"
SHOW_CHOICES = [("", "Milestones and commitments"), (PROGRESS, "Progress so far")]
# Progress entries have no plan year or status: these filters apply to actions only.
ACTION_ONLY_FIELDS = ["year", "year_from", "year_to", "status", "overdue", "due_soon"]


def _year_field(label: str, empty_label: str, which: str = "") -> forms.TypedChoiceField:
    """A plan year; `which` names the year in the error ("“from” ")."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", empty_label), *[(year, str(year)) for year in plan_years()]],
        error_messages={"invalid_choice": f"Choose a {which}year from 2024 to 2030."},
    )


def _invalid(thing: str) -> dict:
    return {"invalid_choice": f"There is no {thing} “%(value)s”. Choose one from the list."}


class TimelineFilterForm(CleanTextForm):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=SHOW_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose to show milestones and commitments, or progress so far."
        },
    )
    organisation = forms.ChoiceField(
        label="Organisation", required=False, error_messages=_invalid("organisation")
    )
    sector = forms.ChoiceField(
        label="Sector",
        required=False,
        choices=[("", "All sectors"), *Sector.choices],
        error_messages=_invalid("sector"),
    )
    foundation = forms.ChoiceField(
        label="Foundation", required=False, error_messages=_invalid("foundation")
    )
    route_map = forms.ChoiceField(
        label="Route map", required=False, error_messages=_invalid("route map")
    )
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Select)
    year = _year_field("Year", "Any year")
    year_from = _year_field("From", "Earliest", "“from” ")
    year_to = _year_field("To", "Latest", "“to” ")
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Status.choices],
        error_messages=_invalid("status"),
    )
    overdue = forms.BooleanField(label="Only overdue milestones and commitments", required=False)
    due_soon = forms.BooleanField(
        label=f"Only milestones and commitments due in the next {settings.DUE_SOON_DAYS} days",
        required=False,
    )

    def __init__(self, data=None, *, organisation: Organisation | None = None):
        """`organisation` fixes that filter (an organisation's own page) and drops the field,
        and the sector field with it: the body has one sector, so that filter changes nothing.
        Its page lists its actions only, so the "Show" choice goes too."""
        super().__init__(data if data is not None else {}, auto_id="filter-%s")
        self.fixed_organisation = organisation
        if organisation is not None:
            del self.fields["show"]
            del self.fields["organisation"]
            del self.fields["sector"]
            self.organisations = {}
        else:
            self.organisations = {o.slug: o for o in Organisation.objects.all()}
            self.fields["organisation"].choices = [("", "All organisations")] + [
                (slug, o.display_name) for slug, o in self.organisations.items()
            ]
        self.foundations = {f.slug: f for f in Foundation.objects.all()}
        self.fields["foundation"].choices = [("", "All foundations")] + [
            (slug, f.name) for slug, f in self.foundations.items()
        ]
        self.route_maps = {rm.slug: rm for rm in RouteMap.objects.listed()}
        self.fields["route_map"].choices = [("", "All route maps")] + [
            (slug, rm.title) for slug, rm in self.route_maps.items()
        ]
        self.outcomes = list(
            Outcome.objects.published()
            .select_related("edition__route_map")
            .order_by("edition__route_map__order", "edition__route_map__title", "order")
        )
        self.fields["outcome"].widget.choices = self._outcome_choices()
        css = {
            "overdue": "ds_checkbox__input",
            "due_soon": "ds_checkbox__input",
            "show": "ds_radio__input",
        }
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", css.get(name, "ds_select"))

    def _outcome_choices(self) -> list:
        """The chosen route map's outcomes, or all of them grouped by route map."""
        chosen = self.data.get("route_map", "") if self.is_bound else ""
        choices: list = [("", "All outcomes")]
        groups: dict[str, list] = {}
        for outcome in self.outcomes:
            route_map = outcome.edition.route_map
            if chosen in self.route_maps and route_map.slug != chosen:
                continue
            groups.setdefault(route_map.title, []).append((outcome.slug, outcome.title))
        if chosen in self.route_maps:
            return choices + next(iter(groups.values()), [])
        return choices + list(groups.items())

    def clean_organisation(self):
        return self.organisations.get(self.cleaned_data["organisation"])

    def clean_foundation(self):
        return self.foundations.get(self.cleaned_data["foundation"])

    def clean_route_map(self):
        return self.route_maps.get(self.cleaned_data["route_map"])

    def clean_outcome(self):
        slug = self.cleaned_data["outcome"].strip()
        if slug and not any(o.slug == slug for o in self.outcomes):
            raise forms.ValidationError(
                "There is no published outcome “%(value)s”. Choose one from the list.",
                params={"value": slug},
            )
        return slug

    def clean(self):
        data = super().clean()
        route_map, slug = data.get("route_map"), data.get("outcome")
        if (
            route_map
            and slug
            and not any(
                o.slug == slug and o.edition.route_map_id == route_map.pk for o in self.outcomes
            )
        ):
            self.add_error(
                "outcome",
                f"{route_map.title} has no outcome “{slug}”. "
                "Choose one of its outcomes, or all outcomes.",
            )
        year, first, last = data.get("year"), data.get("year_from"), data.get("year_to")
        if year is not None and (first is not None or last is not None):
            self.add_error(
                "year", "Choose either a single year or a range of years (from, to), not both."
            )
        if first is not None and last is not None and first > last:
            self.add_error("year_to", "The “to” year must be the same as or after the “from” year.")
        return data

    # The cleaned filters, as keyword arguments for the querysets' `filtered()`.

    def filters(self) -> dict:
        data = self.cleaned_data
        first, last = data.get("year_from"), data.get("year_to")
        if data.get("year") is not None:
            first = last = data["year"]
        return {
            **self.progress_filters(),
            "first_year": first,
            "last_year": last,
            "status": data.get("status", ""),
            "overdue": bool(data.get("overdue")),
            "due_soon": bool(data.get("due_soon")),
        }

    def progress_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": self.fixed_organisation or data.get("organisation"),
            "sector": data.get("sector", ""),
            "foundation": data.get("foundation"),
            "route_map": data.get("route_map"),
            "outcome_slug": data.get("outcome", ""),
        }

    @property
    def shows_progress(self) -> bool:
        return getattr(self, "cleaned_data", {}).get("show") == PROGRESS

    def actions(self) -> Actions:
        """Published milestones and commitments matching the filters (sources.actions)."""
        return published_actions(**self.filters())

    def progress(self):
        """Published progress entries of the outcomes matching the filters that apply to them."""
        return ProgressEntry.objects.published().filtered(**self.progress_filters())

    def unapplied_filters(self) -> list[str]:
        """Labels of filters in use that the chosen list ignores (progress has no year or
        status), so the page can say so rather than appear to apply them."""
        if not self.shows_progress:
            return []
        return [
            self.fields[name].label
            for name in ACTION_ONLY_FIELDS
            if self.cleaned_data.get(name) not in (None, "", False)
        ]

    def params(self) -> QueryDict:
        """The filters as given, without blanks, in a fixed order: the canonical query."""
        params = QueryDict(mutable=True)
        for name in FILTER_FIELDS:
            if name in self.fields and self.data.get(name, "") != "":
                params[name] = self.data[name]
        return params

    def params_without(self, name: str) -> QueryDict:
        params = self.params()
        params.pop(name, None)
        return params

    def export_params(self) -> QueryDict:
        """The same filters for /timeline/export.*, including a fixed organisation."""
        params = self.params()
        if self.fixed_organisation is not None:
            exported = QueryDict(mutable=True)
            exported["organisation"] = self.fixed_organisation.slug
            exported.update(params)
            return exported
        return params

    def active_filters(self) -> list[tuple[str, str]]:
        """(description, query string without that filter) for each valid filter in use."""
        if not self.is_valid():
            return []
        data = self.cleaned_data
        labels = {
            "organisation": lambda o: f"Organisation: {o.display_name}",
            "sector": lambda v: f"Sector: {Sector(v).label}",
            "foundation": lambda f: f"Foundation: {f.name}",
            "route_map": lambda rm: f"Route map: {rm.title}",
            "outcome": lambda slug: (
                "Outcome: " + next(o.title for o in self.outcomes if o.slug == slug)
            ),
            "year": lambda y: f"Year: {y}",
            "year_from": lambda y: f"From {y}",
            "year_to": lambda y: f"To {y}",
            "status": lambda v: f"Status: {Status(v).label}",
            "overdue": lambda v: "Only overdue",
            "due_soon": lambda v: f"Only due in the next {settings.DUE_SOON_DAYS} days",
        }
        params = self.params()
        skipped = {"show", *(ACTION_ONLY_FIELDS if self.shows_progress else [])}
        active = []
        for name in params:
            if name in skipped or data.get(name) in (None, "", False):
                continue
            without = params.copy()
            del without[name]
            active.append((labels[name](data[name]), without.urlencode()))
        return active
