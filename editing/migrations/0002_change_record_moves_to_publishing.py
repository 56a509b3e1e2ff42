# The change record now belongs to publishing (publishing 0001); the table is not touched.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("editing", "0001_initial"),
        ("publishing", "0001_change_record_from_editing"),
        # It read editing.ChangeRecord, so it runs while the model is still here.
        ("milestones", "0005_statuses_nobody_set"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChangeRecord")],
            database_operations=[],
        ),
    ]
