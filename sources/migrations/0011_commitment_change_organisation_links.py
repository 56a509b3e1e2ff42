"""A drafted commitment's bodies become link rows (CommitmentChangeOrganisation), as every other
list of bodies is, instead of JSON ([{"organisation": pk, "role": "lead"}, ...] in order).

The rows keep the JSON's order; a body deleted since it was chosen (JSON kept no foreign key)
is left out, as the editors' pages already left it out, and a body listed twice keeps its first
place. Going back writes the JSON from the rows.
"""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 500


def _organisation_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def json_to_links(apps, schema_editor):
    CommitmentChange = apps.get_model("sources", "CommitmentChange")
    Link = apps.get_model("sources", "CommitmentChangeOrganisation")
    Organisation = apps.get_model("organisations", "Organisation")
    existing = set(Organisation.objects.values_list("pk", flat=True))
    links = []
    changes = CommitmentChange.objects.order_by("pk").values_list("pk", "organisations")
    for change_id, organisations in changes.iterator():
        named = set()
        for item in organisations or []:
            if not isinstance(item, dict):
                continue
            organisation_id = _organisation_id(item.get("organisation"))
            if organisation_id not in existing or organisation_id in named:
                continue
            named.add(organisation_id)
            links.append(
                Link(
                    change_id=change_id,
                    organisation_id=organisation_id,
                    role=item.get("role") or "",
                    order=len(named),
                )
            )
    Link.objects.bulk_create(links, batch_size=BATCH)


def links_to_json(apps, schema_editor):
    CommitmentChange = apps.get_model("sources", "CommitmentChange")
    Link = apps.get_model("sources", "CommitmentChangeOrganisation")
    by_change = {}
    for link in Link.objects.order_by("change_id", "order", "pk").iterator():
        by_change.setdefault(link.change_id, []).append(
            {"organisation": link.organisation_id, "role": link.role}
        )
    changes = list(CommitmentChange.objects.filter(pk__in=by_change))
    for change in changes:
        change.organisations = by_change[change.pk]
    CommitmentChange.objects.bulk_update(changes, ["organisations"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("sources", "0010_one_change_record"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommitmentChangeOrganisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        choices=[("", "Not stated"), ("lead", "Lead"), ("contributor", "Contributor")],
                        default="",
                        max_length=12,
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "change",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="organisation_links",
                        to="sources.commitmentchange",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["order", "pk"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(
                        fields=("change", "organisation"),
                        name="unique_change_organisation",
                        violation_error_message=(
                            "This organisation is already listed for this change."
                        ),
                    )
                ],
            },
        ),
        migrations.RunPython(json_to_links, links_to_json),
        migrations.RemoveField(model_name="commitmentchange", name="organisations"),
    ]
