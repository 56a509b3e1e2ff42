"""Published documents behind route map milestones: government responses, consultations,
strategies. Each lists numbered commitments with the timescale as printed; consultations
also take responses from the public, which editors moderate before anything is shown.

A commitment supports outcomes and milestones of route maps. Those rows belong to editions
and are copied when a draft starts, so a commitment stores the route map and the outcome or
milestone `key`, resolved against the live edition when shown: never a foreign key to a row.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import clock
from milestones.dates import Due, DuePrecision
from milestones.models import (
    ActionQuerySet,
    DueDateMixin,
    Milestone,
    StatusReport,
    due_counts,
    status_field,
    status_updated_by_field,
    status_updated_on_field,
)
from organisations.models import Organisation, OrganisationLink, one_link_per_organisation
from outcomes.models import Outcome
from routemap.models import Foundation, RouteMap
from sources.timescales import (
    TimescaleError,
    YearSpan,
    describe_span,
    parse_timescale,
    timescale_due,
)


class SourceDocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def newest_first(self):
        """By publication date, or closing date for consultations, newest first."""
        date = Coalesce("published_on", "closes_on")
        return self.order_by(date.desc(nulls_last=True), "title")

    def with_counts(self):
        """For lists: publisher and number of published commitments, in one query."""
        return self.select_related("publisher").annotate(commitment_count=Count("commitments"))

    def with_content(self):
        """Everything a document page shows, in a fixed number of queries."""
        return self.select_related("publisher").prefetch_related(
            "phases",
            "questions",
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch("commitments", queryset=Commitment.objects.with_details()),
        )


class SourceDocument(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT_RESPONSE = "government_response", "Government response"
        CONSULTATION = "consultation", "Consultation"
        STRATEGY = "strategy", "Strategy"
        LEGISLATION = "legislation", "Legislation"
        REPORT = "report", "Report"

    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    publisher = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="source_documents"
    )
    published_on = models.DateField(null=True, blank=True, help_text="For sorting.")
    published_label = models.CharField(
        max_length=100, blank=True, help_text='The date as known, e.g. "June 2025".'
    )
    closes_on = models.DateField(
        null=True, blank=True, help_text="Consultations: the last day responses are accepted."
    )
    url = models.URLField("Link to the document", blank=True)
    contact_email = models.EmailField(blank=True)
    summary = models.TextField(blank=True, help_text="What the document is, as it says itself.")
    introduction = models.TextField(blank=True)
    vision_title = models.CharField(max_length=200, blank=True)
    vision = models.TextField(blank=True)
    questions_title = models.CharField(
        max_length=200,
        blank=True,
        help_text='Consultations, e.g. "Questions for kinship families".',
    )
    is_published = models.BooleanField(
        "Shown on the site", default=True, help_text="Untick while the document is entered."
    )
    last_updated = models.DateField(
        null=True, blank=True, help_text="Stamped when editors publish a change."
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_source_documents",
        blank=True,
        help_text=(
            "Editors and publishers who may edit this document. Someone with no assignment "
            "edits none, unless they have the permission “Can edit every source document”."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-closes_on", "title"]
        permissions = [("edit_all_source_documents", "Can edit every source document")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", args=[self.slug])

    def clean(self):
        if self.closes_on and self.kind != self.Kind.CONSULTATION:
            raise ValidationError({"closes_on": "Only a consultation has a closing date."})
        if self.kind == self.Kind.CONSULTATION and not self.closes_on:
            raise ValidationError({"closes_on": "Enter the date the consultation closes."})

    @property
    def is_consultation(self) -> bool:
        return self.kind == self.Kind.CONSULTATION

    def is_open(self, today: datetime.date | None = None) -> bool:
        """Responses are accepted up to and including the closing date (site's local date)."""
        if not self.is_consultation or self.closes_on is None:
            return False
        return (today or clock.today()) <= self.closes_on

    @property
    def closed_message(self) -> str:
        return f"This consultation closed on {self.closes_on.day} {self.closes_on:%B %Y}"


class Phase(models.Model):
    """A delivery phase a document sets out (e.g. "Phase 1: Capacity Restoration")."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=50, help_text='As printed, e.g. "Phase 1".')
    name = models.CharField(max_length=200)
    timescale = models.CharField(max_length=100, blank=True, help_text="As printed.")
    year_from = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    year_to = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    text = models.TextField(blank=True)
    source_note = models.CharField(
        max_length=300, blank=True, help_text="Where the phase is described, if not here."
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "label"],
                name="unique_phase_label",
                violation_error_message="This document already has a phase with this label.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.name}"

    def save(self, *args, **kwargs):
        _sync_years(self)
        super().save(*args, **kwargs)

    def clean(self):
        _clean_timescale(self)

    @property
    def span_label(self) -> str:
        return describe_span(_span(self))


class Section(models.Model):
    """A heading of the document that groups commitments (e.g. "1. Voice")."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(max_length=20, blank=True, help_text="As printed.")
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def anchor(self) -> str:
        return f"section-{self.order}"


def _span(item) -> YearSpan | None:
    if item.year_from is None:
        return None
    return YearSpan(item.year_from, item.year_to)


def _clean_timescale(item) -> None:
    try:
        parse_timescale(item.timescale)
    except TimescaleError as exc:
        raise ValidationError({"timescale": str(exc)}) from exc


def _sync_years(item) -> None:
    """year_from/year_to always follow the printed timescale."""
    span = parse_timescale(item.timescale)
    item.year_from, item.year_to = span if span else (None, None)


def _sync_due(commitment) -> None:
    """The due date always follows the printed timescale (none when none is printed)."""
    due = timescale_due(commitment.timescale)
    commitment.due_date, commitment.due_precision = due if due else (None, "")


class CommitmentQuerySet(ActionQuerySet):
    """Overdue and due soon as for milestones (`milestones.models.overdue_condition`): a
    commitment without a timescale has no due date and is never overdue. A year filter keeps
    commitments whose timescale overlaps the years, so it leaves out those without a
    timescale; outcomes are matched by key in the live editions."""

    def published(self):
        return self.filter(document__is_published=True)

    def in_years(self, year_from: int, year_to: int):
        """Commitments whose timescale overlaps the years (none without a timescale)."""
        return self.filter(year_from__lte=year_to, year_to__gte=year_from)

    def _responsible(self, **organisation_lookup):
        """Commitments naming a matching body; with its milestones, a body's actions
        (sources.actions). An uncorrelated IN subquery, like
        `MilestoneQuerySet._responsible`: no join, so counts and slices need no DISTINCT."""
        links = CommitmentOrganisation.objects.filter(**organisation_lookup)
        return self.filter(pk__in=links.values("commitment_id"))

    def _placed(self, *, foundation, route_map, outcome_slug: str, first_year, last_year):
        qs = self
        if foundation is not None:
            qs = qs.filter(foundation=foundation)
        if route_map is not None or outcome_slug:
            links = CommitmentOutcome.objects.all()
            if route_map is not None:
                links = links.filter(route_map=route_map)
            if outcome_slug:
                outcomes = Outcome.objects.published().filter(slug=outcome_slug)
                if route_map is not None:
                    outcomes = outcomes.filter(edition__route_map=route_map)
                links = links.filter(outcome_key__in=outcomes.values("key"))
            qs = qs.filter(pk__in=links.values("commitment_id"))
        if first_year is not None or last_year is not None:
            plan = (settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR)
            qs = qs.in_years(first_year or plan[0], last_year or plan[1])
        return qs

    def in_due_order(self, *first):
        """By the last year of the timescale (when it is due), then by due date, those
        without one last; after any `first` orderings (say, an annotated urgency)."""
        return self.order_by(
            *first,
            models.F("year_to").asc(nulls_last=True),
            models.F("due_date").asc(nulls_last=True),
            "document__title",
            "order",
            "pk",
        )

    def counts_by_organisation(self, today: datetime.date | None = None) -> dict[int, dict]:
        """{organisation id: {"total": n, "overdue": n, "due_soon": n}} in one aggregate
        query, with the due-date conditions milestones use."""
        rows = (
            CommitmentOrganisation.objects.filter(commitment__in=self.order_by().values("pk"))
            .order_by()
            .values("organisation_id")
            .annotate(total=Count("pk"), **due_counts(today, prefix="commitment__"))
        )
        return {
            row["organisation_id"]: {
                "total": row["total"],
                "overdue": row["overdue"],
                "due_soon": row["due_soon"],
            }
            for row in rows
        }

    def search(self, q: str):
        """Every word of `q` appears in the reference, title, text or document title."""
        queryset = self
        for word in q.split():
            queryset = queryset.filter(
                Q(reference__icontains=word)
                | Q(title__icontains=word)
                | Q(text__icontains=word)
                | Q(timescale__icontains=word)
                | Q(document__title__icontains=word)
            )
        return queryset

    def with_details(self):
        """Phase, foundation, section, who set the status, bodies and links, in a fixed
        number of queries: a commitment on its own document's page."""
        return self.select_related(
            "phase", "foundation", "section", "status_updated_by"
        ).prefetch_related(CommitmentOrganisation.as_prefetch(), "outcome_links", "milestone_links")

    def with_context(self):
        """As `with_details`, with the document and its publisher: a commitment anywhere."""
        return self.with_details().select_related("document__publisher")

    def timeline_rows(self, request=None) -> list[dict]:
        """Rows for the timeline, search results and exports (see `Commitment.timeline_row`)."""
        commitments = list(self.with_context())
        resolve_links(commitments)
        return [commitment.timeline_row(request) for commitment in commitments]

    def in_document_order(self):
        return self.order_by("document__title", "order")

    def by_outcome_key(self, route_map_id: int) -> dict:
        """{outcome key: [commitments]} for one route map, in one query (route map pages)."""
        links = (
            CommitmentOutcome.objects.filter(route_map_id=route_map_id, commitment__in=self)
            .select_related("commitment__document", "commitment__status_updated_by")
            .order_by("commitment__document__title", "commitment__document_id", "commitment__order")
        )
        result: dict = {}
        for link in links:
            result.setdefault(link.outcome_key, []).append(link.commitment)
        return result


class Commitment(StatusReport, DueDateMixin, models.Model):
    document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="commitments"
    )
    order = models.PositiveSmallIntegerField(default=0)
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    reference = models.CharField(max_length=30, help_text='As printed, e.g. "8.2" or "Voice 1".')
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(help_text="Bullet points as a Markdown list.")
    timescale = models.CharField(
        max_length=100, blank=True, help_text='As printed, e.g. "Autumn 2025" or "2025-26".'
    )
    year_from = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    year_to = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    due_date = models.DateField(
        "Due date",
        null=True,
        blank=True,
        editable=False,
        help_text="The end of the timescale printed (sources.timescales); none when none is.",
    )
    due_precision = models.CharField(
        "Due date precision",
        max_length=20,
        choices=DuePrecision.choices,
        blank=True,
        editable=False,
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    foundation = models.ForeignKey(
        Foundation, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    organisations = models.ManyToManyField(
        Organisation, through="CommitmentOrganisation", related_name="commitments", blank=True
    )
    status = status_field()
    status_updated_on = status_updated_on_field()
    status_updated_by = status_updated_by_field()
    progress_note = models.TextField(blank=True)
    # The last draft revision published (CommitmentChange.revision): a draft change starts
    # from it, so publishing never makes an open form look stale.
    revision = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["document", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reference"],
                name="unique_commitment_reference",
                violation_error_message=(
                    "This document already has a commitment with this reference."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def save(self, *args, **kwargs):
        _sync_years(self)
        _sync_due(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#{self.anchor}"

    def clean(self):
        _clean_timescale(self)
        if self.phase_id and self.document_id and self.phase.document_id != self.document_id:
            raise ValidationError({"phase": "Choose a phase of the same document."})
        if self.section_id and self.document_id and self.section.document_id != self.document_id:
            raise ValidationError({"section": "Choose a section of the same document."})

    @property
    def anchor(self) -> str:
        return f"commitment-{self.pk}"

    @property
    def heading(self) -> str:
        return str(self)

    @property
    def span_label(self) -> str:
        return describe_span(_span(self))

    @property
    def responsible_links(self) -> list:
        """Who needs to work on this, as `Milestone.responsible_links` (prefetch-friendly)."""
        return list(self.organisation_links.all())

    @property
    def due(self) -> Due | None:
        """When it is due, from its timescale; None when none is printed."""
        if self.due_date is None:
            return None
        return Due(self.due_date, self.due_precision)

    def timeline_row(self, request=None) -> dict:
        """The keys of a milestone export row (milestones/exports.py COLUMNS) plus `kind`
        and a few of a commitment's own, so one timeline, search or export holds both.

        `year` is the last year of the timescale (when it is due; None when none is printed).
        `route_map`/`outcome` are the first outcome it supports in the live edition, so call
        `resolve_links` first (`CommitmentQuerySet.timeline_rows` does). `foundation` is the
        commitment's own, else its route map's.
        """
        outcomes = getattr(self, "resolved_outcomes", [])
        outcome = outcomes[0] if outcomes else None
        route_map = outcome.edition.route_map if outcome else None
        foundation = self.foundation or (route_map.foundation if route_map else None)
        links = list(self.organisation_links.all())
        heading = self.heading + (f" ({self.timescale})" if self.timescale else "")
        url = self.get_absolute_url()
        return {
            "milestone_id": f"{self.document.slug}/{self.reference}",
            "route_map": route_map.slug if route_map else "",
            "route_map_title": route_map.title if route_map else "",
            "foundation": foundation.name if foundation else "",
            "outcome": outcome.slug if outcome else "",
            "outcome_title": outcome.title if outcome else "",
            "year": self.year_to,
            "status": self.status,
            "status_label": self.get_status_display(),
            **self.status_updated_data(),
            "overdue": self.overdue,
            "subject_to_decisions_after_may_2026": False,
            "organisations": [link.organisation.slug for link in links],
            "organisation_names": [link.organisation.name for link in links],
            "text": f"{heading}\n\n{self.text}",
            "progress_note": self.progress_note,
            "url": request.build_absolute_uri(url) if request else url,
            "kind": "commitment",
            "date_label": "",
            "document": self.document.slug,
            "document_title": self.document.title,
            "reference": self.reference,
            "timescale": self.timescale,
            "year_from": self.year_from,
            "due_date": self.due_date.isoformat() if self.due_date else "",
            "due_precision": self.due_precision,
            "due_soon": self.due_soon,
        }


class CommitmentOrganisation(OrganisationLink):
    item_field = "commitment"

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="organisation_links"
    )

    class Meta(OrganisationLink.Meta):
        constraints = one_link_per_organisation("commitment")


class CommitmentLink(models.Model):
    """A route map item the commitment links to: route map + the item's key (named by
    `item_field`), never an edition row, so the link outlives editions. Each kind subclasses
    this with its fields and `Meta.constraints = one_link_per_item(item_field)`."""

    item_field: str = ""

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        kind = self.item_field.removesuffix("_key")
        return f"{self.commitment} supports {kind} {getattr(self, self.item_field)}"

    @property
    def pair(self) -> tuple:
        """(route map id, item key): what the link names, matched against live rows."""
        return (self.route_map_id, getattr(self, self.item_field))


def one_link_per_item(item_field: str) -> list[models.UniqueConstraint]:
    """A commitment links to an item once; the message is the one an editor's form shows."""
    kind = item_field.removesuffix("_key")
    return [
        models.UniqueConstraint(
            fields=["commitment", "route_map", item_field],
            name=f"unique_commitment_{kind}",
            violation_error_message=f"This commitment is already linked to that {kind}.",
        )
    ]


class CommitmentOutcome(CommitmentLink):
    """An outcome the commitment supports."""

    item_field = "outcome_key"

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="outcome_links"
    )
    route_map = models.ForeignKey(
        RouteMap, on_delete=models.CASCADE, related_name="commitment_outcome_links"
    )
    outcome_key = models.UUIDField()

    class Meta(CommitmentLink.Meta):
        constraints = one_link_per_item("outcome_key")


class CommitmentMilestone(CommitmentLink):
    """A milestone the commitment delivers."""

    item_field = "milestone_key"

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="milestone_links"
    )
    route_map = models.ForeignKey(
        RouteMap, on_delete=models.CASCADE, related_name="commitment_milestone_links"
    )
    milestone_key = models.UUIDField()

    class Meta(CommitmentLink.Meta):
        constraints = one_link_per_item("milestone_key")


def _live_by_pair(links: list, rows, route_map_id) -> dict:
    """{(route map id, key): live row} for what `links` name, in one query (none without
    links); `route_map_id` reads a row's route map."""
    if not links:
        return {}
    rows = rows.filter(key__in={link.pair[1] for link in links})
    return {(route_map_id(row), row.key): row for row in rows}


def resolve_links(commitments) -> None:
    """Attach `resolved_outcomes` and `resolved_milestones` (live edition rows) to each
    commitment, in two queries whatever the number of commitments. Links whose outcome or
    milestone is no longer in the live edition are left out."""
    commitments = list(commitments)
    outcomes = _live_by_pair(
        [link for c in commitments for link in c.outcome_links.all()],
        Outcome.objects.published().select_related("edition__route_map__foundation"),
        lambda outcome: outcome.edition.route_map_id,
    )
    milestones = _live_by_pair(
        [link for c in commitments for link in c.milestone_links.all()],
        Milestone.objects.published().select_related("outcome__edition__route_map"),
        lambda milestone: milestone.outcome.edition.route_map_id,
    )
    for commitment in commitments:
        commitment.resolved_outcomes = [
            outcomes[link.pair] for link in commitment.outcome_links.all() if link.pair in outcomes
        ]
        commitment.resolved_milestones = sorted(
            (
                milestones[link.pair]
                for link in commitment.milestone_links.all()
                if link.pair in milestones
            ),
            key=lambda m: (m.outcome.edition.route_map.title, m.outcome.order, m.year, m.order),
        )


class DocumentVersionQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-number")


class DocumentVersion(models.Model):
    """A published version of a document, kept as the public read it: its own fields and
    every commitment, as the words people read (`sources.services.document_content`).

    The live SourceDocument and Commitment rows are what pages, search and the API read; a
    version is written beside them by every publish, so the Changes page can say what each
    publish changed and compare any two, as route maps' editions do."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_note = models.TextField(blank=True)
    # Where a version loaded from its source was published (as Edition.imported_from).
    imported_from = models.CharField(max_length=100, blank=True)
    # {"document": {field: text}, "commitments": [{"key": "c12", "reference": "8.1",
    # "fields": {field: text}}]} in document order.
    content = models.JSONField(default=dict)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="unique_document_version_number",
                violation_error_message="This document already has a version with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} version {self.number}"

    # Read by the shared Changes page (templates/includes/_versions.html) like an Edition.
    last_updated = None


class ConsultationQuestion(models.Model):
    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(max_length=20, blank=True, help_text="As printed.")
    text = models.TextField()
    hint = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}" if self.number else self.text

    @property
    def field_name(self) -> str:
        return f"answer_{self.pk}"


class RespondentType(models.TextChoices):
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"
    ORGANISATION = "organisation", "Organisation"
    OTHER = "other", "Other"


class ConsultationResponseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=ConsultationResponse.State.PUBLISHED)

    def with_answers(self):
        return self.prefetch_related(
            Prefetch("answers", queryset=ConsultationAnswer.objects.select_related("question"))
        )

    def from_address_since(self, address_hash: str, since: datetime.datetime):
        return self.filter(address_hash=address_hash, created_at__gte=since)


class ConsultationResponse(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="responses")
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    respondent_type = models.CharField(max_length=20, choices=RespondentType.choices)
    consent_to_publish = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    address_hash = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Salted hash, for rate limiting only."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultationResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="published") | Q(consent_to_publish=True),
                name="published_response_has_consent",
                violation_error_message=(
                    "This response cannot be published: the "
                    "respondent did not agree to publication."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.document}"

    @property
    def can_be_published(self) -> bool:
        return self.consent_to_publish and self.state != self.State.PUBLISHED


class ConsultationAnswer(models.Model):
    response = models.ForeignKey(
        ConsultationResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        ConsultationQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField()

    class Meta:
        ordering = ["question__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="unique_answer",
                violation_error_message="This response already has an answer to this question.",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


# ------------------------------------------------------------------------------------- drafts
# Editors change a document and its commitments in a draft; the live SourceDocument and
# Commitment rows (which every public page, the API, exports and search read) change only
# when a publisher publishes it (sources.services.document_publish).


class DocumentDraft(models.Model):
    """A document's unpublished changes: its own proposed fields, plus one CommitmentChange
    per commitment changed, added or removed. At most one per document."""

    document = models.OneToOneField(SourceDocument, on_delete=models.CASCADE, related_name="draft")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    introduction = models.TextField(blank=True)
    url = models.URLField("Link to the document", blank=True)
    closes_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Draft of {self.document}"


class CommitmentChangeQuerySet(models.QuerySet):
    def with_context(self):
        """What an editor's view of a change shows: its section, phase, foundation, who set
        its status and its bodies, in a fixed number of queries."""
        return self.select_related(
            "section", "phase", "foundation", "status_updated_by"
        ).prefetch_related(CommitmentChangeOrganisation.as_prefetch())


class CommitmentChange(models.Model):
    """The proposed values of one commitment in a draft. `commitment` is None for a commitment
    added in the draft. `revision` goes up on every save, so a save made from a stale form is
    refused rather than silently replacing someone else's change."""

    draft = models.ForeignKey(DocumentDraft, on_delete=models.CASCADE, related_name="changes")
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pending_changes",
    )
    reference = models.CharField(max_length=30)
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    timescale = models.CharField(max_length=100, blank=True)
    status = status_field()
    # Stamped when the draft changes the status (milestones.models.stamp_status), carried to
    # the commitment on publish.
    status_updated_on = status_updated_on_field()
    status_updated_by = status_updated_by_field()
    progress_note = models.TextField(blank=True)
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    foundation = models.ForeignKey(
        Foundation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentChangeQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "commitment"],
                condition=Q(commitment__isnull=False),
                name="one_change_per_commitment",
                violation_error_message="This draft already has a change to this commitment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} in {self.draft}"

    def clean(self):
        _clean_timescale(self)


class CommitmentChangeOrganisation(OrganisationLink):
    """A body the draft names on the commitment; copied to CommitmentOrganisation on publish."""

    item_field = "change"

    change = models.ForeignKey(
        CommitmentChange, on_delete=models.CASCADE, related_name="organisation_links"
    )

    class Meta(OrganisationLink.Meta):
        constraints = one_link_per_organisation("change")
