"""A site as it stood before the one publishing system keeps everything when migrated to today's
schema: route maps' editions and their history, source documents' drafts and their history,
and what the public reads.

The migrations this covers: the change record moving to publishing and taking in document
drafts' records (publishing 0001-0002, editing 0002, sources 0010), organisation links on one
abstract base (milestones 0007, outcomes 0005, sources 0009), a drafted commitment's bodies
as rows (sources 0011), every document's version 1 (sources 0012) and outcomes' and progress
entries' revision 1 (outcomes 0006), and each record of those days a save of its own
(publishing 0003)."""

import datetime
import uuid

import pytest
from django.apps import apps as current_apps
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from outcomes.models import Outcome, ProgressEntry
from publishing.models import ChangeRecord
from sources import services
from sources.models import CommitmentChange, DocumentDraft, SourceDocument
from tests.helpers import migrate_to_latest

BEFORE_ONE_PUBLISHING = [
    ("sources", "0008_commitment_due_dates"),
    ("milestones", "0006_milestone_due_dates"),
    ("outcomes", "0004_progress_date_ends_stated_period"),
    ("editing", "0001_initial"),
    ("publishing", None),
]
# Exactly these are unapplied on the way back: nothing else moves.
COVERED = {
    ("publishing", "0001_change_record_from_editing"),
    ("publishing", "0002_one_change_record"),
    ("publishing", "0003_change_record_save_key"),
    ("editing", "0002_change_record_moves_to_publishing"),
    ("milestones", "0007_organisation_link"),
    ("outcomes", "0005_organisation_link"),
    ("outcomes", "0006_outcome_and_progress_revision"),
    ("sources", "0009_organisation_link"),
    ("sources", "0010_one_change_record"),
    ("sources", "0011_commitment_change_organisation_links"),
    ("sources", "0012_document_versions"),
    ("sources", "0013_commitment_revision"),
}

PUBLISHED = "Published words everyone reads"
DRAFTED = "Drafted words nobody outside sees"


def migrate(targets):
    """Migrate the test database to `targets`; the app registry as the database now stands
    (every applied migration, so apps left where they were keep their latest fields)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = set(executor.loader.applied_migrations)
    return executor.loader.project_state(sorted(applied)).apps, applied


def put_back_latest_schema():
    """After the test, pass or fail, the database is at the latest migrations again, so the
    tests after it find today's schema. Should a migration have failed on this test's rows,
    the rows of the table only the old schema has go first, then it migrates again (the
    failure itself is already reported)."""
    try:
        migrate_to_latest()
    except DatabaseError:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sources_sourcechangerecord")
        migrate_to_latest()


def moment(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, 15))


def set_created_at(model, pk, when) -> None:
    # created_at is stamped on creation: put the original moment back.
    model.objects.filter(pk=pk).update(created_at=when)


# -------------------------------------------------------------------- what must survive


def links(apps, model_name: str, item_field: str, item_id) -> list:
    model = apps.get_model(*model_name.split("."))
    rows = model.objects.filter(**{item_field: item_id}).order_by("order", "pk")
    return list(rows.values_list("organisation_id", "role", "order"))


def name_bodies(model, item_field: str, item, rows) -> None:
    """Name the bodies of `rows` (organisation, role, order) on `item`, the rows written in
    the order given: the order field, not the row order, is the sources' order."""
    for organisation, role, order in rows:
        model.objects.create(
            **{item_field: item}, organisation_id=organisation.pk, role=role, order=order
        )


def route_map_content(apps, route_map_id) -> list:
    """Every edition of the route map with its outcomes, progress, milestones and bodies."""
    Edition = apps.get_model("routemap", "Edition")
    Outcome = apps.get_model("outcomes", "Outcome")
    ProgressEntry = apps.get_model("outcomes", "ProgressEntry")
    Milestone = apps.get_model("milestones", "Milestone")
    editions = []
    for edition in Edition.objects.filter(route_map_id=route_map_id).order_by("pk"):
        outcomes = []
        for outcome in Outcome.objects.filter(edition=edition).order_by("order", "pk"):
            progress = ProgressEntry.objects.filter(outcome=outcome).order_by("order", "pk")
            milestones = Milestone.objects.filter(outcome=outcome).order_by("year", "order", "pk")
            outcomes.append(
                {
                    "outcome": (outcome.pk, outcome.key, outcome.slug, outcome.title),
                    "statement": outcome.statement,
                    "bodies": links(apps, "outcomes.OutcomeOrganisation", "outcome", outcome.pk),
                    "progress": list(
                        progress.values_list("pk", "key", "order", "date", "date_label", "text")
                    ),
                    "milestones": [
                        (
                            m.pk,
                            m.key,
                            m.year,
                            m.order,
                            m.text,
                            m.status,
                            m.status_updated_on,
                            m.status_updated_by_id,
                            m.due_date,
                            links(apps, "milestones.MilestoneOrganisation", "milestone", m.pk),
                        )
                        for m in milestones
                    ],
                }
            )
        editions.append(
            {
                "edition": (edition.pk, edition.state, edition.number, edition.published_at),
                "summary": edition.summary,
                "published_by": edition.published_by_id,
                "outcomes": outcomes,
            }
        )
    return editions


def live_commitments(apps, document_id) -> list:
    Commitment = apps.get_model("sources", "Commitment")
    CommitmentOutcome = apps.get_model("sources", "CommitmentOutcome")
    CommitmentMilestone = apps.get_model("sources", "CommitmentMilestone")
    commitments = Commitment.objects.filter(document_id=document_id).order_by("order", "pk")
    return [
        (
            c.pk,
            c.order,
            c.reference,
            c.title,
            c.text,
            c.timescale,
            c.status,
            c.progress_note,
            c.section_id,
            c.due_date,
            links(apps, "sources.CommitmentOrganisation", "commitment", c.pk),
            list(
                CommitmentOutcome.objects.filter(commitment=c)
                .order_by("pk")
                .values_list("route_map_id", "outcome_key")
            ),
            list(
                CommitmentMilestone.objects.filter(commitment=c)
                .order_by("pk")
                .values_list("route_map_id", "milestone_key")
            ),
        )
        for c in commitments
    ]


# ------------------------------------------------------------- the site before the move


def old_route_map(apps, *, bodies, editor, publisher) -> dict:
    """A route map with version 1 published and a draft of it, its bodies named in an order
    other than the order the rows were written, and its history in editing.ChangeRecord."""
    RouteMap = apps.get_model("routemap", "RouteMap")
    Edition = apps.get_model("routemap", "Edition")
    Outcome = apps.get_model("outcomes", "Outcome")
    OutcomeOrganisation = apps.get_model("outcomes", "OutcomeOrganisation")
    ProgressEntry = apps.get_model("outcomes", "ProgressEntry")
    Milestone = apps.get_model("milestones", "Milestone")
    MilestoneOrganisation = apps.get_model("milestones", "MilestoneOrganisation")
    OldChangeRecord = apps.get_model("editing", "ChangeRecord")

    route_map = RouteMap.objects.create(slug="kinship-care", title="Kinship care")
    outcome_key, progress_key = uuid.uuid4(), uuid.uuid4()
    milestone_keys = [uuid.uuid4(), uuid.uuid4()]
    lead, contributor, named = bodies

    def edition(state, number, words):
        made = Edition.objects.create(
            route_map=route_map,
            state=state,
            number=number,
            summary=f"Summary: {words}",
            published_at=moment(2) if number else None,
            published_by_id=publisher.pk if number else None,
        )
        outcome = Outcome.objects.create(
            edition=made,
            key=outcome_key,
            order=1,
            slug="support",
            title="Families get support",
            statement=f"Statement: {words}",
        )
        # Written last-first.
        name_bodies(
            OutcomeOrganisation,
            "outcome",
            outcome,
            [(named, "", 3), (contributor, "contributor", 2), (lead, "lead", 1)],
        )
        ProgressEntry.objects.create(
            outcome=outcome,
            key=progress_key,
            order=1,
            date=datetime.date(2024, 12, 31),
            date_label="Late 2024",
            text=f"Progress: {words}",
        )
        for order, (key, year) in enumerate(zip(milestone_keys, [2025, 2027], strict=True), 1):
            milestone = Milestone.objects.create(
                outcome=outcome,
                key=key,
                year=year,
                order=order,
                text=f"Milestone {order}: {words}",
                status="in_progress" if order == 1 else "no_update",
                status_updated_on=datetime.date(2026, 2, 1) if order == 1 else None,
                due_date=datetime.date(year, 12, 31),
                due_precision="year",
            )
            name_bodies(
                MilestoneOrganisation,
                "milestone",
                milestone,
                [(contributor, "contributor", 2), (lead, "lead", 1)],
            )
        return made

    published = edition("published", 1, PUBLISHED)
    draft = edition("draft", None, DRAFTED)

    history = []
    for when, user, action, object_type, key, field, before, after, of in [
        (moment(2), publisher, "published", "route map", None, "", "", "", published),
        (moment(3), editor, "changed", "milestone", milestone_keys[0], "text",
         f"Milestone 1: {PUBLISHED}", f"Milestone 1: {DRAFTED}", draft),
        (moment(4), None, "added", "progress", progress_key, "", "", f"Progress: {DRAFTED}", draft),
        (moment(5), editor, "changed", "outcome", outcome_key, "statement",
         f"Statement: {PUBLISHED}", f"Statement: {DRAFTED}", draft),
    ]:  # fmt: skip
        record = OldChangeRecord.objects.create(
            route_map=route_map,
            edition=of,
            user_id=user.pk if user else None,
            action=action,
            object_type=object_type,
            object_key=key,
            object_label=object_type.capitalize(),
            field=field,
            before=before,
            after=after,
        )
        set_created_at(OldChangeRecord, record.pk, when)
        history.append(
            (when, user.pk if user else None, action, object_type, key, field, before, after, of.pk)
        )
    return {
        "route_map": route_map,
        "outcome_key": outcome_key,
        "milestone_keys": milestone_keys,
        "history": history,
    }


def old_document(apps, *, bodies, editor, publisher, route_map) -> dict:
    """A published document with commitments, a draft changing one (its bodies as JSON),
    adding one and removing one, and its history in sources.SourceChangeRecord."""
    SourceDocument = apps.get_model("sources", "SourceDocument")
    Section = apps.get_model("sources", "Section")
    Commitment = apps.get_model("sources", "Commitment")
    CommitmentOrganisation = apps.get_model("sources", "CommitmentOrganisation")
    CommitmentOutcome = apps.get_model("sources", "CommitmentOutcome")
    CommitmentMilestone = apps.get_model("sources", "CommitmentMilestone")
    DocumentDraft = apps.get_model("sources", "DocumentDraft")
    CommitmentChange = apps.get_model("sources", "CommitmentChange")
    SourceChangeRecord = apps.get_model("sources", "SourceChangeRecord")
    lead, contributor, named = bodies

    document = SourceDocument.objects.create(
        slug="kinship-response",
        title="Response on kinship care",
        kind="government_response",
        publisher_id=lead.pk,
        published_on=datetime.date(2025, 6, 1),
        published_label="June 2025",
        summary=f"Document summary: {PUBLISHED}",
        introduction="What the government will do.",
    )
    section = Section.objects.create(document=document, order=1, number="8", title="Support")
    kept, dropped = [
        Commitment.objects.create(
            document=document,
            order=order,
            section=section,
            reference=reference,
            title=f"Commitment {reference}",
            text=f"Commitment {reference}: {PUBLISHED}",
            timescale="2026",
            year_from=2026,
            year_to=2026,
            due_date=datetime.date(2026, 12, 31),
            due_precision="year",
            status="in_progress" if order == 1 else "no_update",
            status_updated_on=datetime.date(2026, 2, 1) if order == 1 else None,
            progress_note=f"Progress note {reference}",
        )
        for order, reference in [(1, "8.1"), (2, "8.2")]
    ]
    name_bodies(
        CommitmentOrganisation,
        "commitment",
        kept,
        [(named, "", 3), (lead, "lead", 1), (contributor, "contributor", 2)],
    )
    name_bodies(CommitmentOrganisation, "commitment", dropped, [(contributor, "contributor", 1)])
    CommitmentOutcome.objects.create(
        commitment=kept, route_map=route_map["route_map"], outcome_key=route_map["outcome_key"]
    )
    for key in route_map["milestone_keys"]:
        CommitmentMilestone.objects.create(
            commitment=kept, route_map=route_map["route_map"], milestone_key=key
        )

    draft = DocumentDraft.objects.create(
        document=document,
        title=f"Draft title: {DRAFTED}",
        summary=f"Document summary: {DRAFTED}",
        introduction=document.introduction,
        created_by_id=editor.pk,
    )
    changed = CommitmentChange.objects.create(
        draft=draft,
        commitment=kept,
        reference=kept.reference,
        section=section,
        title=kept.title,
        text=f"Commitment 8.1: {DRAFTED}",
        timescale=kept.timescale,
        status="achieved",
        status_updated_on=datetime.date(2026, 3, 3),
        progress_note=kept.progress_note,
        organisations=[
            {"organisation": contributor.pk, "role": "contributor"},
            {"organisation": named.pk, "role": ""},
            {"organisation": lead.pk, "role": "lead"},
        ],
        revision=3,
    )
    added = CommitmentChange.objects.create(
        draft=draft,
        reference="9.1",
        section=section,
        text=f"Commitment 9.1: {DRAFTED}",
        timescale="2027",
        organisations=[{"organisation": lead.pk, "role": "lead"}],
    )
    removed = CommitmentChange.objects.create(
        draft=draft,
        commitment=dropped,
        reference=dropped.reference,
        text=dropped.text,
        removed=True,
        organisations=[{"organisation": contributor.pk, "role": "contributor"}],
    )

    history = []
    for when, user, action, subject, field, before, after in [
        (moment(2, 10), publisher, "published", "document", "", "", ""),
        (moment(3, 10), editor, "changed", "commitment 8.1", "text",
         f"Commitment 8.1: {PUBLISHED}", f"Commitment 8.1: {DRAFTED}"),
        (moment(3, 11), editor, "changed", "commitment 8.1", "status", "In progress", "Achieved"),
        (moment(4, 10), None, "added", "commitment 9.1", "", "", f"Commitment 9.1: {DRAFTED}"),
        (moment(5, 10), editor, "removed", "commitment 8.2", "", "", ""),
        (moment(6, 10), editor, "changed", "document", "summary",
         f"Document summary: {PUBLISHED}", f"Document summary: {DRAFTED}"),
    ]:  # fmt: skip
        record = SourceChangeRecord.objects.create(
            document=document,
            commitment=kept if subject == "commitment 8.1" else None,
            user_id=user.pk if user else None,
            action=action,
            subject=subject,
            field=field,
            before=before,
            after=after,
        )
        set_created_at(SourceChangeRecord, record.pk, when)
        history.append((when, user.pk if user else None, action, subject, field, before, after))
    return {
        "document": document,
        "draft": draft,
        "changes": {"changed": changed.pk, "added": added.pk, "removed": removed.pk},
        "kept": kept.pk,
        "dropped": dropped.pk,
        "history": history,
    }


# --------------------------------------------------------------------------------- the test


@pytest.mark.django_db(transaction=True)
def test_migrating_a_site_from_before_the_one_publishing_system_keeps_everything(client):
    try:
        old, applied = migrate(BEFORE_ONE_PUBLISHING)
        every = set(MigrationExecutor(connection).loader.graph.nodes)
        assert every - applied == COVERED

        Organisation = old.get_model("organisations", "Organisation")
        bodies = [
            Organisation.objects.create(slug=slug, name=name)
            for slug, name in [
                ("cosla", "COSLA"),
                ("social-work-scotland", "Social Work Scotland"),
                ("care-inspectorate", "Care Inspectorate"),
            ]
        ]
        User = old.get_model("auth", "User")
        editor = User.objects.create(username="morag", first_name="Morag")
        publisher = User.objects.create(username="iain", first_name="Iain")
        route_map = old_route_map(old, bodies=bodies, editor=editor, publisher=publisher)
        document = old_document(
            old, bodies=bodies, editor=editor, publisher=publisher, route_map=route_map
        )
        route_map_id, document_id = route_map["route_map"].pk, document["document"].pk
        editions_before = route_map_content(old, route_map_id)
        commitments_before = live_commitments(old, document_id)

        migrate_to_latest()

        # Route maps: editions, outcomes, progress, milestones and bodies, in order.
        assert route_map_content(current_apps, route_map_id) == editions_before
        assert [e["edition"][1:3] for e in editions_before] == [("published", 1), ("draft", None)]
        lead, contributor, named = (b.pk for b in bodies)
        outcome = editions_before[0]["outcomes"][0]
        assert outcome["bodies"] == [
            (lead, "lead", 1),
            (contributor, "contributor", 2),
            (named, "", 3),
        ]
        assert [m[-1] for m in outcome["milestones"]] == [
            [(lead, "lead", 1), (contributor, "contributor", 2)]
        ] * 2
        # Outcomes and progress entries saved before they had a revision start at 1.
        outcomes = Outcome.objects.filter(edition__route_map_id=route_map_id)
        progress = ProgressEntry.objects.filter(outcome__in=outcomes)
        assert list(outcomes.values_list("revision", flat=True)) == [1, 1]
        assert list(progress.values_list("revision", flat=True)) == [1, 1]

        # Every change record, of both kinds, in the one change record.
        records = ChangeRecord.objects.order_by("created_at", "pk")
        assert [
            (
                r.created_at,
                r.user_id,
                r.action,
                r.object_type,
                r.object_key,
                r.field,
                r.before,
                r.after,
                r.edition_id,
            )
            for r in records.filter(route_map_id=route_map_id)
        ] == route_map["history"]
        assert not records.filter(route_map_id=route_map_id, document__isnull=False).exists()
        assert [
            (r.created_at, r.user_id, r.action, r.object_label, r.field, r.before, r.after)
            for r in records.filter(document_id=document_id)
        ] == document["history"]
        assert [r.object_type for r in records.filter(document_id=document_id)] == [
            "document", "commitment", "commitment", "commitment", "commitment", "document"
        ]  # fmt: skip
        assert records.count() == len(route_map["history"]) + len(document["history"])
        # Each was saved at a moment of its own: each is a save of its own.
        assert len(set(records.values_list("save_key", flat=True))) == records.count()
        assert records.filter(document_id=document_id).first().who == "Iain"

        # The document's draft and its changes, bodies as rows in the order chosen.
        live = SourceDocument.objects.get(pk=document_id)
        draft = DocumentDraft.objects.get(document=live)
        assert (draft.pk, draft.title, draft.summary, draft.created_by_id) == (
            document["draft"].pk,
            f"Draft title: {DRAFTED}",
            f"Document summary: {DRAFTED}",
            editor.pk,
        )
        changes = {change.pk: change for change in CommitmentChange.objects.filter(draft=draft)}
        assert set(changes) == set(document["changes"].values())
        changed = changes[document["changes"]["changed"]]
        assert (changed.commitment_id, changed.text, changed.status, changed.revision) == (
            document["kept"],
            f"Commitment 8.1: {DRAFTED}",
            "achieved",
            3,
        )
        added = changes[document["changes"]["added"]]
        assert (added.commitment_id, added.reference, added.removed) == (None, "9.1", False)
        removed = changes[document["changes"]["removed"]]
        assert (removed.commitment_id, removed.removed) == (document["dropped"], True)

        def drafted_bodies(change):
            return list(change.organisation_links.values_list("organisation_id", "role", "order"))

        assert drafted_bodies(changed) == [
            (contributor, "contributor", 1),
            (named, "", 2),
            (lead, "lead", 3),
        ]
        assert drafted_bodies(added) == [(lead, "lead", 1)]
        assert drafted_bodies(removed) == [(contributor, "contributor", 1)]

        # The live commitments are as they were; version 1 is the document as the public reads it.
        assert live_commitments(current_apps, document_id) == commitments_before
        assert commitments_before[0][-3] == [
            (lead, "lead", 1),
            (contributor, "contributor", 2),
            (named, "", 3),
        ]
        versions = list(live.versions.all())
        assert [v.number for v in versions] == [1]
        assert versions[0].content == services.document_content(live)
        assert "Social Work Scotland (contributor)" in str(versions[0].content)

        # The public pages read the published words, never the draft's.
        for url, published in [
            ("/route-maps/kinship-care/", [f"Summary: {PUBLISHED}", f"Milestone 1: {PUBLISHED}"]),
            ("/sources/kinship-response/", [f"Commitment 8.1: {PUBLISHED}", "Commitment 8.2"]),
            ("/sources/kinship-response/changes/", ["Version 1", "The first version kept here."]),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            for words in published:
                assert words in page, (url, words)
            assert DRAFTED not in page, url
            assert "9.1" not in page, url
    finally:
        put_back_latest_schema()
