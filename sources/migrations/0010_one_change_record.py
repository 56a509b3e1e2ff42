# Document drafts' records now live in publishing's one change record (publishing 0002 moved
# them there).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0009_organisation_link"),
        ("publishing", "0002_one_change_record"),
    ]

    operations = [
        migrations.DeleteModel(name="SourceChangeRecord"),
    ]
