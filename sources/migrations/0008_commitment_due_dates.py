"""Commitments get the due date their printed timescale gives (sources.timescales), as
Commitment.save does; none where no timescale is printed."""

from django.db import migrations, models


def fill_due_dates(apps, schema_editor):
    from sources.timescales import TimescaleError, timescale_due

    Commitment = apps.get_model("sources", "Commitment")
    commitments = list(Commitment.objects.only("pk", "timescale"))
    for commitment in commitments:
        try:
            due = timescale_due(commitment.timescale)
        except TimescaleError:
            due = None
        commitment.due_date, commitment.due_precision = due if due else (None, "")
    Commitment.objects.bulk_update(commitments, ["due_date", "due_precision"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("sources", "0007_statuses_nobody_set")]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="due_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text=(
                    "The end of the timescale printed (sources.timescales); none when none is."
                ),
                null=True,
                verbose_name="Due date",
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="due_precision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("day", "Day"),
                    ("month", "Month"),
                    ("season", "Season"),
                    ("part", "Part of the year (early, mid or late)"),
                    ("financial_year", "Financial year"),
                    ("year", "Year"),
                ],
                editable=False,
                max_length=20,
                verbose_name="Due date precision",
            ),
        ),
        migrations.RunPython(fill_due_dates, migrations.RunPython.noop),
    ]
