"""Progress dates move from the start of the stated period to its end ("late 2024" was stored as
1 January 2024 and sorted before "June 2024"; it is now 31 December 2024). Entries whose date as
written names no year keep the date they have."""

from django.db import migrations, models

from outcomes.dates import period_end


def dates_to_period_end(apps, schema_editor):
    ProgressEntry = apps.get_model("outcomes", "ProgressEntry")
    changed = []
    for entry in ProgressEntry.objects.exclude(date_label="").only("pk", "date", "date_label"):
        end = period_end(entry.date_label)
        if end is not None and end != entry.date:
            entry.date = end
            changed.append(entry)
    ProgressEntry.objects.bulk_update(changed, ["date"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_plain_constraint_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="progressentry",
            name="date",
            field=models.DateField(
                blank=True,
                help_text=(
                    "For sorting only: the last day of the period the date as written states "
                    "(31 December 2024 for “late 2024”). Worked out from the date as written "
                    "whenever it names a year."
                ),
                null=True,
            ),
        ),
        # Going back leaves the dates at the end of their periods: both are valid sort dates.
        migrations.RunPython(dates_to_period_end, migrations.RunPython.noop),
    ]
