"""Every milestone gets a due date with its precision, read from its text and year as
Milestone.refresh_due does (milestones.dates), and a flag for dates an editor sets."""

from django.db import migrations, models


def fill_due_dates(apps, schema_editor):
    from milestones.dates import milestone_due
    from core.templatetags.richtext import plaintext

    Milestone = apps.get_model("milestones", "Milestone")
    milestones = list(Milestone.objects.only("pk", "text", "year"))
    for milestone in milestones:
        milestone.due_date, milestone.due_precision = milestone_due(
            plaintext(milestone.text), milestone.year
        )
    Milestone.objects.bulk_update(milestones, ["due_date", "due_precision"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("milestones", "0005_statuses_nobody_set")]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="due_date",
            field=models.DateField(editable=False, null=True, verbose_name="Due date"),
        ),
        migrations.AddField(
            model_name="milestone",
            name="due_precision",
            field=models.CharField(
                choices=[
                    ("day", "Day"),
                    ("month", "Month"),
                    ("season", "Season"),
                    ("part", "Part of the year (early, mid or late)"),
                    ("financial_year", "Financial year"),
                    ("year", "Year"),
                ],
                default="year",
                editable=False,
                max_length=20,
                verbose_name="Due date precision",
            ),
        ),
        migrations.AddField(
            model_name="milestone",
            name="due_set_by_editor",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Otherwise it is read from the text (or is the end of the year) on every save."
                ),
                verbose_name="Due date set by an editor",
            ),
        ),
        migrations.RunPython(fill_due_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="milestone",
            name="due_date",
            field=models.DateField(blank=True, editable=False, verbose_name="Due date"),
        ),
    ]
