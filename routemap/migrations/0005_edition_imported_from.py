"""Versions brought in from the seed are marked with the site they were published on, so they are
dated by their source's "last updated" and not by the day the seed was loaded."""

from django.db import migrations, models

# seeding.routemaps.SEED_NOTE and SEED_SITE when this migration was written.
SEED_NOTE = "Imported from the published route map."
SEED_SITE = "plan2430.scot"


def mark_seeded_versions(apps, schema_editor):
    Edition = apps.get_model("routemap", "Edition")
    Edition.objects.filter(
        number=1, change_note=SEED_NOTE, published_by__isnull=True, imported_from=""
    ).update(imported_from=SEED_SITE)


class Migration(migrations.Migration):
    dependencies = [
        ("routemap", "0004_plain_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="imported_from",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Where this version was published before it was brought into the tracker, "
                    "e.g. plan2430.scot; its date is then the source's “last updated”. Empty "
                    "for versions published here."
                ),
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="edition",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When this version was published (or imported) here.",
                null=True,
            ),
        ),
        migrations.RunPython(mark_seeded_versions, migrations.RunPython.noop),
    ]
