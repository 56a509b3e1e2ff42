# The change record moves from the editing app to publishing, table and rows untouched: this
# migration only tells Django's model state (editing 0002 removes it from editing's state).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("editing", "0001_initial"),
        ("routemap", "0002_routemap_editors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("changed", "Changed"),
                                    ("added", "Added"),
                                    ("removed", "Removed"),
                                    ("moved", "Moved"),
                                    ("restored", "Restored"),
                                    ("published", "Published"),
                                    ("discarded", "Discarded draft"),
                                ],
                                default="changed",
                                max_length=12,
                            ),
                        ),
                        ("object_type", models.CharField(max_length=20)),
                        ("object_key", models.UUIDField(blank=True, db_index=True, null=True)),
                        ("object_label", models.CharField(blank=True, max_length=200)),
                        ("field", models.CharField(blank=True, max_length=50)),
                        ("before", models.TextField(blank=True)),
                        ("after", models.TextField(blank=True)),
                        (
                            "edition",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="routemap.edition",
                            ),
                        ),
                        (
                            "route_map",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="routemap.routemap",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at", "-pk"], "db_table": "editing_changerecord"},
                ),
            ],
            database_operations=[],
        ),
    ]
