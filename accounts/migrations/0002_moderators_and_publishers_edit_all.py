"""The Moderators group, and the explicit "edit every route map / source document" choice
for the Publishers group.

Until now an editor with no assignments, and every publisher, edited everything. Access now
fails closed: assignments, or the explicit permission. Publishers are the central team that
publishes the whole plan, so their group is given the permission here, once, where an admin
sees it and can take it away (a later migrate does not grant it again). Editors are not:
an unassigned editor now edits nothing until an admin assigns route maps or documents, or
grants the permission.
"""

from django.db import migrations

EDIT_ALL = [
    ("routemap", "routemap", "edit_all_route_maps", "Can edit every route map"),
    ("sources", "sourcedocument", "edit_all_source_documents", "Can edit every source document"),
]


def create_moderators_and_grant_publishers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group.objects.get_or_create(name="Moderators")
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    for app_label, model, codename, name in EDIT_ALL:
        # Permissions are otherwise created after the last migration; make them now.
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        publishers.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("routemap", "0003_explicit_all_route_maps"),
        ("sources", "0004_source_document_editors"),
    ]
    operations = [
        migrations.RunPython(create_moderators_and_grant_publishers, migrations.RunPython.noop)
    ]
