"""factory-boy factories for test data. Editions default to published (live)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.roles import ALL_ROUTE_MAPS, ALL_SOURCE_DOCUMENTS, EDITORS, MODERATORS, PUBLISHERS
from editing.services import milestone_update
from milestones.models import Milestone, MilestoneOrganisation, stamp_status
from organisations.models import Organisation, Sector
from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
from routemap.models import Edition, Foundation, RouteMap, WhatMatters


class OrderedFactory(factory.django.DjangoModelFactory):
    """Rows kept in an order of their own (outcomes, milestones, commitments, ...)."""

    class Meta:
        abstract = True

    order = factory.Sequence(lambda n: n % 30000)  # order fields are small integers


class FoundationFactory(OrderedFactory):
    class Meta:
        model = Foundation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Foundation {n}")
    slug = factory.Sequence(lambda n: f"foundation-{n}")


class RouteMapFactory(OrderedFactory):
    class Meta:
        model = RouteMap

    title = factory.Sequence(lambda n: f"Route map {n}")
    slug = factory.Sequence(lambda n: f"route-map-{n}")
    foundation = factory.SubFactory(FoundationFactory)


class EditionFactory(factory.django.DjangoModelFactory):
    """A live (published) edition."""

    class Meta:
        model = Edition

    route_map = factory.SubFactory(RouteMapFactory)
    state = Edition.State.PUBLISHED
    number = 1
    summary = factory.Faker("paragraph")
    vision = factory.Faker("paragraph")
    last_updated = factory.Faker("date_object")
    published_at = factory.Faker("date_time", tzinfo=factory.Faker("pytimezone"))
    change_note = "First publication."


class DraftEditionFactory(EditionFactory):
    state = Edition.State.DRAFT
    number = None
    published_at = None
    change_note = ""


class WhatMattersFactory(OrderedFactory):
    class Meta:
        model = WhatMatters

    edition = factory.SubFactory(EditionFactory)
    text = factory.Faker("sentence")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    sector = Sector.THIRD_SECTOR


class OrganisationLinkFactory(factory.django.DjangoModelFactory):
    """A body named on an outcome, milestone or commitment."""

    class Meta:
        abstract = True

    organisation = factory.SubFactory(OrganisationFactory)


def names_bodies(link_factory, item_field: str):
    """The `organisations=[...]` hook of an item's factory: names those bodies on the item."""

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        for organisation in extracted or []:
            link_factory(**{item_field: self}, organisation=organisation)

    return organisations


class OutcomeOrganisationFactory(OrganisationLinkFactory):
    class Meta:
        model = OutcomeOrganisation

    outcome = factory.SubFactory("tests.factories.OutcomeFactory")


class OutcomeFactory(OrderedFactory):
    """`organisations=[...]` names those bodies on the outcome."""

    class Meta:
        model = Outcome
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")
    slug = factory.Sequence(lambda n: f"outcome-{n}")
    statement = factory.Faker("paragraph")
    organisations = names_bodies(OutcomeOrganisationFactory, "outcome")


class ProgressEntryFactory(OrderedFactory):
    class Meta:
        model = ProgressEntry

    outcome = factory.SubFactory(OutcomeFactory)
    text = factory.Faker("paragraph")


class MilestoneOrganisationFactory(OrganisationLinkFactory):
    class Meta:
        model = MilestoneOrganisation

    milestone = factory.SubFactory("tests.factories.MilestoneFactory")


class MilestoneFactory(OrderedFactory):
    """`organisations=[...]` names those bodies on the milestone itself (else it inherits the
    outcome's)."""

    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    outcome = factory.SubFactory(OutcomeFactory)
    year = 2027
    text = factory.Faker("paragraph")
    organisations = names_bodies(MilestoneOrganisationFactory, "milestone")


def grant(user, permission: str) -> None:
    """Give `user` a permission such as accounts.roles.ALL_ROUTE_MAPS, as an admin would."""
    app_label, codename = permission.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


class UserFactory(factory.django.DjangoModelFactory):
    """A user with no role. Editors and publishers edit only what they are given:
    `route_maps=[...]` / `source_documents=[...]` assign them, `all_route_maps=True` /
    `all_source_documents=True` grant the explicit "edit every one" permission."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=name)[0])

    @factory.post_generation
    def all_route_maps(self, create, extracted, **kwargs):
        if extracted:
            grant(self, ALL_ROUTE_MAPS)

    @factory.post_generation
    def all_source_documents(self, create, extracted, **kwargs):
        if extracted:
            grant(self, ALL_SOURCE_DOCUMENTS)

    @factory.post_generation
    def route_maps(self, create, extracted, **kwargs):
        for route_map in extracted or []:
            route_map.editors.add(self)

    @factory.post_generation
    def source_documents(self, create, extracted, **kwargs):
        for document in extracted or []:
            document.editors.add(self)


class EditorFactory(UserFactory):
    """An editor with no assignment, so no route map or document, unless given some."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get_or_create(name=EDITORS)[0])


class PublisherFactory(UserFactory):
    """A publisher who edits every route map and document, as the Publishers group does on
    an installed site; pass `all_route_maps=False` (and remove the group's permission) for
    a publisher scoped by assignments."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get_or_create(name=PUBLISHERS)[0])

    @factory.post_generation
    def all_route_maps(self, create, extracted, **kwargs):
        if extracted is None or extracted:
            grant(self, ALL_ROUTE_MAPS)

    @factory.post_generation
    def all_source_documents(self, create, extracted, **kwargs):
        if extracted is None or extracted:
            grant(self, ALL_SOURCE_DOCUMENTS)


class ModeratorFactory(UserFactory):
    """A moderator of consultation responses: the one role that sees respondents' names."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get_or_create(name=MODERATORS)[0])


def build_route_map(
    *, outcomes: int = 2, milestones_per_year: int = 1, organisations=None, title=None
):
    """A published route map with outcomes, progress and milestones in every plan year;
    `title` names the route map (else a numbered "Route map N")."""
    edition = EditionFactory(**({"route_map__title": title} if title else {}))
    organisations = organisations or [OrganisationFactory(), OrganisationFactory()]
    WhatMattersFactory.create_batch(2, edition=edition)
    for _ in range(outcomes):
        outcome = OutcomeFactory(edition=edition, organisations=organisations)
        outcome.linked_route_maps.add(RouteMapFactory())
        ProgressEntryFactory.create_batch(2, outcome=outcome)
        for year in range(2024, 2031):
            MilestoneFactory.create_batch(
                milestones_per_year, outcome=outcome, year=year, organisations=organisations[:1]
            )
    return edition


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed email subscription to a route map."""

    class Meta:
        model = "subscriptions.Subscription"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    route_map = factory.SubFactory(RouteMapFactory)
    organisation = None
    confirmed_at = factory.Faker("date_time", tzinfo=factory.Faker("pytimezone"))


class PendingSubscriptionFactory(SubscriptionFactory):
    confirmed_at = None


def draft_copy(live, *, milestone_status=None):
    """A draft of `live`'s route map with the same content and keys, as editors start one;
    `milestone_status` (optional) changes every milestone's status in the copy, stamped as an
    editor's change is (today, by Promise Scotland)."""
    draft = DraftEditionFactory(
        route_map=live.route_map,
        summary=live.summary,
        summary_detail=live.summary_detail,
        vision=live.vision,
    )
    for statement in live.what_matters.all():
        WhatMattersFactory(edition=draft, order=statement.order, text=statement.text)
    for outcome in live.outcomes.all():
        copy = OutcomeFactory(
            edition=draft,
            key=outcome.key,
            order=outcome.order,
            slug=outcome.slug,
            title=outcome.title,
            statement=outcome.statement,
            organisations=[link.organisation for link in outcome.organisation_links.all()],
        )
        for entry in outcome.progress_entries.all():
            ProgressEntryFactory(outcome=copy, key=entry.key, order=entry.order, text=entry.text)
        for milestone in outcome.milestones.all():
            stamped = Milestone(
                status=milestone_status or milestone.status,
                status_updated_on=milestone.status_updated_on,
                status_updated_by=milestone.status_updated_by,
            )
            stamp_status(stamped, milestone.status)
            MilestoneFactory(
                outcome=copy,
                key=milestone.key,
                year=milestone.year,
                order=milestone.order,
                text=milestone.text,
                status=stamped.status,
                status_updated_on=stamped.status_updated_on,
                status_updated_by=stamped.status_updated_by,
                progress_note=milestone.progress_note,
                organisations=[link.organisation for link in milestone.organisation_links.all()],
            )
    return draft


# Source documents, commitments and consultations ------------------------------------------


def _days_from_today(days: int):
    import datetime

    from core import clock

    return clock.today() + datetime.timedelta(days=days)


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sources.SourceDocument"

    title = factory.Sequence(lambda n: f"Source document {n}")
    slug = factory.Sequence(lambda n: f"source-document-{n}")
    kind = "government_response"
    publisher = factory.SubFactory(OrganisationFactory)
    published_on = factory.Faker("date_object")
    summary = factory.Faker("sentence")


class ConsultationFactory(SourceDocumentFactory):
    """An open consultation: it closes a month from today."""

    kind = "consultation"
    published_on = None
    closes_on = factory.LazyFunction(lambda: _days_from_today(30))


class CommitmentFactory(OrderedFactory):
    class Meta:
        model = "sources.Commitment"

    document = factory.SubFactory(SourceDocumentFactory)
    reference = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    text = factory.Faker("paragraph")
    timescale = "2025-26"


class ConsultationQuestionFactory(OrderedFactory):
    class Meta:
        model = "sources.ConsultationQuestion"

    document = factory.SubFactory(ConsultationFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    text = factory.Faker("sentence")
    hint = "Please tell us why."


class ConsultationResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sources.ConsultationResponse"

    document = factory.SubFactory(ConsultationFactory)
    respondent_type = "kinship_carer"
    name = factory.Faker("name")
    consent_to_publish = True


class ConsultationAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sources.ConsultationAnswer"

    response = factory.SubFactory(ConsultationResponseFactory)
    question = factory.SubFactory(
        ConsultationQuestionFactory, document=factory.SelfAttribute("..response.document")
    )
    text = factory.Faker("paragraph")


def build_source_document(
    *, commitments: int = 3, outcomes=(), milestones=(), organisations=(), links_each: int = 2
):
    """A published document whose commitments each support `links_each` of the given outcomes
    and milestones (taken in turn) and name the given organisations."""
    from sources.models import CommitmentMilestone, CommitmentOrganisation, CommitmentOutcome
    from sources.services import document_version_record

    document = SourceDocumentFactory()
    outcomes, milestones = list(outcomes), list(milestones)
    links, outcome_links, milestone_links = [], [], []
    for index in range(commitments):
        commitment = CommitmentFactory(document=document)
        links += [
            CommitmentOrganisation(commitment=commitment, organisation=o, role="lead", order=n)
            for n, o in enumerate(organisations, start=1)
        ]
        for step in range(min(links_each, len(outcomes))):
            outcome = outcomes[(index + step) % len(outcomes)]
            outcome_links.append(
                CommitmentOutcome(
                    commitment=commitment,
                    route_map=outcome.edition.route_map,
                    outcome_key=outcome.key,
                )
            )
        for step in range(min(links_each, len(milestones))):
            milestone = milestones[(index + step) % len(milestones)]
            milestone_links.append(
                CommitmentMilestone(
                    commitment=commitment,
                    route_map=milestone.outcome.edition.route_map,
                    milestone_key=milestone.key,
                )
            )
    CommitmentOrganisation.objects.bulk_create(links)
    CommitmentOutcome.objects.bulk_create(outcome_links)
    CommitmentMilestone.objects.bulk_create(milestone_links)
    # As the seed loader does: the document as first published is version 1.
    document_version_record(document=document, note="Entered for the test.")
    return document


class PartnerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.PartnerProfile"

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


def partner_for(organisation, **kwargs):
    """A signed-in-able partner user of `organisation` (in the Partners group)."""
    from accounts.roles import PARTNERS

    user = UserFactory(roles=[PARTNERS], **kwargs)
    PartnerProfileFactory(user=user, organisation=organisation)
    return user


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    """A pending update; pass `milestone=` to fill in its route map, key and text."""

    class Meta:
        model = "partners.ProgressUpdate"
        exclude = ["milestone"]

    milestone = factory.SubFactory(MilestoneFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    submitted_by = factory.SubFactory(UserFactory)
    route_map = factory.LazyAttribute(lambda o: o.milestone.outcome.edition.route_map)
    milestone_key = factory.LazyAttribute(lambda o: o.milestone.key)
    milestone_text = factory.LazyAttribute(lambda o: o.milestone.text)
    milestone_year = factory.LazyAttribute(lambda o: o.milestone.year)
    proposed_status = "in_progress"
    note = factory.Faker("sentence")


class AcceptedUpdateFactory(ProgressUpdateFactory):
    """An update an editor accepted just now."""

    class Meta:
        model = "partners.ProgressUpdate"
        exclude = ["milestone"]

    state = "accepted"
    reviewed_at = factory.LazyFunction(timezone.now)


class DeclinedUpdateFactory(AcceptedUpdateFactory):
    """An update an editor declined just now."""

    state = "declined"


class CommitmentUpdateFactory(ProgressUpdateFactory):
    """A pending update on a commitment of a source document; pass `commitment=`."""

    class Meta:
        model = "partners.ProgressUpdate"
        exclude = ["milestone"]

    milestone = None
    commitment = factory.SubFactory(CommitmentFactory)
    route_map = None
    milestone_key = None
    milestone_text = factory.LazyAttribute(lambda o: o.commitment.text)
    milestone_year = factory.LazyAttribute(lambda o: o.commitment.year_to)


def edit_in_draft(milestone, values: dict, *, user=None, **options) -> Milestone:
    """Save `values` to `milestone` in its route map's draft through the editors' service, as
    a colleague does: no bodies chosen (so none of its own), its revision as read here."""
    return milestone_update(
        route_map=milestone.outcome.edition.route_map,
        key=milestone.key,
        user=user,
        values=values,
        organisations=[],
        expected_revision=milestone.revision,
        **options,
    )


def edit_commitment_in_draft(commitment, values: dict, *, user=None, expected_revision=None):
    """Save `values` to `commitment` in its document's draft through the editors' service, as
    `edit_in_draft` does for a milestone: its other values and bodies as the draft has them,
    its revision as read now unless `expected_revision` is given (a stale form)."""
    from sources import services

    document = commitment.document
    item = services.editable_commitment(
        document, services.document_draft(document), services.commitment_key(commitment.pk)
    )
    current = {name: getattr(item, name) for name in services.COMMITMENT_FIELDS}
    del current["status_updated_on"], current["status_updated_by"]
    return services.commitment_draft_save(
        document=document,
        user=user,
        key=item.key,
        expected_revision=item.revision if expected_revision is None else expected_revision,
        values={**current, **values},
        organisations=item.organisations,
    )
