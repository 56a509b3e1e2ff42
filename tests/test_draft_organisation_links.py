"""A drafted commitment names its bodies as link rows (sources.CommitmentChangeOrganisation), as
every other list of bodies does: the migration moved the JSON it held into rows, in order, and
back again, and backups made while it held JSON still restore."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from milestones.models import Status
from organisations.models import Role
from publishing.edits import OrganisationChoice
from routemap.models import RouteMap
from sources import services
from sources.models import CommitmentChange
from tests.factories import (
    OrganisationFactory,
    PublisherFactory,
    SourceDocumentFactory,
    build_source_document,
)
from tests.helpers import migrate_to_latest

BEFORE = ("sources", "0010_one_change_record")
AFTER = ("sources", "0011_commitment_change_organisation_links")


def migrate(target):
    """Migrate the test database to `target` (a list of nodes); the app registry as it was."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_a_drafts_organisations_into_rows_in_order_and_back():
    lead, named_second, contributor, gone = OrganisationFactory.create_batch(4)
    document = SourceDocumentFactory()
    try:
        old = migrate([BEFORE])
        draft = old.get_model("sources", "DocumentDraft").objects.create(
            document_id=document.pk, title=document.title
        )
        changes = old.get_model("sources", "CommitmentChange").objects
        named = changes.create(
            draft=draft,
            reference="8.1",
            text="Named bodies",
            organisations=[
                {"organisation": lead.pk, "role": "lead"},
                {"organisation": named_second.pk, "role": ""},
                {"organisation": gone.pk, "role": "lead"},  # deleted since it was chosen
                {"organisation": contributor.pk, "role": "contributor"},
                {"organisation": lead.pk, "role": "contributor"},  # listed twice
            ],
        )
        unnamed = changes.create(draft=draft, reference="8.2", text="No bodies")
        old.get_model("organisations", "Organisation").objects.filter(pk=gone.pk).delete()

        migrate([AFTER])
        links = CommitmentChange.objects.get(pk=named.pk).organisation_links.all()
        assert [(link.organisation, link.role, link.order) for link in links] == [
            (lead, "lead", 1),
            (named_second, "", 2),
            (contributor, "contributor", 3),
        ]
        assert not CommitmentChange.objects.get(pk=unnamed.pk).organisation_links.exists()

        old = migrate([BEFORE])
        changes = old.get_model("sources", "CommitmentChange").objects
        assert changes.get(pk=named.pk).organisations == [
            {"organisation": lead.pk, "role": "lead"},
            {"organisation": named_second.pk, "role": ""},
            {"organisation": contributor.pk, "role": "contributor"},
        ]
        assert changes.get(pk=unnamed.pk).organisations == []
    finally:
        migrate_to_latest()


# ------------------------------------------------------------------------------ backups


def draft_with_bodies():
    """A document whose draft changes one commitment's bodies (a contributor, then the lead:
    the order the editor's form gives for new bodies) and adds one naming none."""
    lead, contributor = OrganisationFactory.create_batch(2)
    document = build_source_document(commitments=2)
    commitment = document.commitments.order_by("order").first()
    publisher = PublisherFactory(username="morag")
    services.commitment_draft_save(
        document=document,
        key=services.commitment_key(commitment.pk),
        user=publisher,
        values={
            **{name: getattr(commitment, name) for name in services.COMMITMENT_FIELDS},
            "progress_note": "Bodies agreed",
        },
        organisations=[
            OrganisationChoice(contributor, Role.CONTRIBUTOR),
            OrganisationChoice(lead, Role.LEAD),
        ],
        expected_revision=0,
    )
    services.commitment_draft_add(
        document=document,
        user=publisher,
        reference="9.1",
        values={"text": "A new commitment", "timescale": "", "status": Status.NO_UPDATE},
        organisations=[],
    )
    return document


def bodies_in_draft(document) -> list:
    draft = services.document_draft(document)
    return [
        (item.reference, [(c.organisation.slug, c.role) for c in item.organisations])
        for item, _ in services.editable_commitments(document, draft)
    ]


def as_when_drafts_held_json(backup: list, missing_organisation: int) -> list:
    """A backup as export_state wrote it while a drafted commitment held its bodies as JSON
    (one of them since deleted, as JSON allowed)."""
    links = [item for item in backup if item["model"] == "sources.commitmentchangeorganisation"]
    old = []
    for item in backup:
        if item in links:
            continue
        if item["model"] == "sources.commitmentchange":
            own = sorted(
                (link["fields"] for link in links if link["fields"]["change"] == item["pk"]),
                key=lambda fields: fields["order"],
            )
            listed = [{"organisation": f["organisation"], "role": f["role"]} for f in own]
            if listed:
                listed.insert(1, {"organisation": missing_organisation, "role": "lead"})
            item = {**item, "fields": {**item["fields"], "organisations": listed}}
        old.append(item)
    return old


def restore(backup_path):
    call_command("flush", "--no-input")
    assert not RouteMap.objects.exists()
    call_command("import_state", str(backup_path))


@pytest.mark.django_db(transaction=True)
def test_a_backup_keeps_a_drafts_bodies_in_order(tmp_path):
    document = draft_with_bodies()
    expected = bodies_in_draft(document)
    assert [len(bodies) for _, bodies in expected] == [2, 0, 0]
    backup = tmp_path / "state.json"
    call_command("export_state", str(backup))
    assert any(
        item["model"] == "sources.commitmentchangeorganisation"
        for item in json.loads(backup.read_text())
    )

    restore(backup)

    assert bodies_in_draft(document) == expected


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_while_drafts_held_json_organisations_restores_them_as_rows(tmp_path):
    document = draft_with_bodies()
    expected = bodies_in_draft(document)
    backup = tmp_path / "state.json"
    call_command("export_state", str(backup))
    missing = OrganisationFactory().pk + 1000
    old = as_when_drafts_held_json(json.loads(backup.read_text()), missing)
    assert not any(item["model"] == "sources.commitmentchangeorganisation" for item in old)
    backup.write_text(json.dumps(old))

    restore(backup)

    assert bodies_in_draft(document) == expected
    change = CommitmentChange.objects.get(commitment__isnull=False)
    assert [link.order for link in change.organisation_links.all()] == [1, 2]
    # Editing and publishing go on from the restored rows.
    services.document_publish(document=document, user=PublisherFactory(), note="Restored")
    published = document.commitments.order_by("order").first()
    assert [(link.organisation.slug, link.role) for link in published.responsible_links] == (
        expected[0][1]
    )
