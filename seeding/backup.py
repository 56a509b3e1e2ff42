"""Backup and restore of the whole editorial state (published versions, drafts, history,
organisations, sources, users and roles) as one JSON file.

Django's serialisers do the work; users and groups are written with natural keys so the file
loads into any freshly migrated database.
"""

import datetime
import json

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

# In dependency order. Sessions, login attempts and caches are not editorial state.
MODELS = [
    "auth.group",
    "auth.user",
    "accounts.emailpreference",  # an unsubscribe must survive a restore
    "organisations.organisation",
    "routemap.foundation",
    "routemap.routemap",
    "routemap.edition",
    "routemap.whatmatters",
    "outcomes.outcome",
    "outcomes.outcomeorganisation",
    "outcomes.progressentry",
    "milestones.milestone",
    "milestones.milestoneorganisation",
]
# Apps added later are included when installed.
OPTIONAL_APPS = ["sources", "partners", "subscriptions"]
# Last: it names route maps and documents.
RECORDS = "publishing.changerecord"


def backup_models() -> list:
    models = [apps.get_model(label) for label in MODELS]
    for app_label in OPTIONAL_APPS:
        if apps.is_installed(app_label):
            models += list(apps.get_app_config(app_label).get_models())
    return [*models, apps.get_model(RECORDS)]


def _upgraded(data: list) -> list:
    """A backup made by an earlier version, in today's shape: each entry as `_upgraded_entry`
    makes it, followed by any rows it used to carry in a field."""
    organisations = {
        item.get("pk")
        for item in data
        if isinstance(item, dict) and item.get("model") == "organisations.organisation"
    }
    upgraded = []
    for item in data:
        if not isinstance(item, dict):
            upgraded.append(item)
            continue
        item = _upgraded_entry(item)
        if item.get("model") == "sources.commitmentchange":
            item, links = _change_without_organisations(item, organisations)
            upgraded += [item, *links]
        else:
            upgraded.append(item)
    return upgraded


def _upgraded_entry(item: dict) -> dict:
    """An entry of a backup made before route maps and documents shared one change record."""
    if item.get("model") == "editing.changerecord":
        return {**item, "model": RECORDS}
    if item.get("model") == "sources.sourcechangerecord":
        fields = dict(item["fields"])
        subject = fields.pop("subject", "")
        fields.pop("commitment", None)
        fields["object_label"] = subject
        fields["object_type"] = "commitment" if subject.startswith("commitment") else "document"
        return {"model": RECORDS, "pk": None, "fields": fields}
    return item


def _change_without_organisations(item: dict, organisations: set) -> tuple[dict, list[dict]]:
    """A drafted commitment from a backup made when it held its bodies as JSON
    ([{"organisation": pk, "role": "lead"}, ...] in order), and its bodies as link rows, as
    sources migration 0011 moved them: in order, a body missing from the backup left out, a
    body listed twice kept at its first place."""
    fields = item.get("fields")
    if not isinstance(fields, dict) or "organisations" not in fields:
        return item, []
    change = item.get("pk")
    fields = dict(fields)
    listed = fields.pop("organisations") or []
    links, named = [], set()
    for entry in listed if isinstance(listed, list) else []:
        organisation = entry.get("organisation") if isinstance(entry, dict) else None
        if change is None or organisation not in organisations or organisation in named:
            continue
        named.add(organisation)
        links.append(
            {
                "model": "sources.commitmentchangeorganisation",
                "pk": None,
                "fields": {
                    "change": change,
                    "organisation": organisation,
                    "role": entry.get("role") or "",
                    "order": len(named),
                },
            }
        )
    return {**item, "fields": fields}, links


def state_export(stream) -> int:
    """Write every editorial record to `stream`; returns how many were written."""
    objects = []
    for model in backup_models():
        objects += list(model._default_manager.order_by("pk"))
    data = serializers.serialize(
        "python", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    json.dump(data, stream, cls=ExactEncoder, indent=1, ensure_ascii=False)
    return len(objects)


class ExactEncoder(DjangoJSONEncoder):
    """Keeps microseconds, which Django's JSON encoder rounds away: a restore must be exact."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class NotEmpty(Exception):
    pass


@transaction.atomic
def state_import(stream) -> int:
    """Load a backup into an empty database (all or nothing); returns records loaded."""
    from routemap.models import RouteMap

    if RouteMap.objects.exists():
        raise NotEmpty("The database already has route maps; restore into an empty database.")
    count = 0
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise serializers.base.DeserializationError(str(exc)) from exc
    if not isinstance(data, list):
        raise serializers.base.DeserializationError("A backup is a list of records.")
    data = _upgraded(data)
    for item in serializers.deserialize("python", data, handle_forward_references=True):
        item.save()
        count += 1
    _reset_sequences()
    return count


def _reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), backup_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
