"""What a save refused as an edit conflict shows the editor: each field someone else changed
since this editor opened the form, as the words that changed, beside what this editor typed
(templates/editing/includes/_conflict_summary.html, one partial for every kind).

How "what the editor opened" is known: every editing form carries, beside its revision, a
signed token of the values it was opened with, as the form shows them (choices by their
labels), and when. The change records after that revision were the other way, and a worse
one: records carry no revision, only a time; each kind records its values its own way (raw
statuses, bodies as one string, documents' "progress note" with a space); and an item's
records are read newest five only. The token holds exactly what the editor saw, in the same
terms as the saved version read through the same form, for all five kinds at once. It is
signed so a form cannot claim another starting point; a form sent without one (from a page
served before forms carried it) falls back to the change records, oldest value first.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core import signing

from core import clock
from core.forms import DesignSystemForm
from core.textdiff import changed

OPENED = "opened"
_SALT = "editing.opened"


def _shown(field: forms.Field, value) -> str:
    """A field's value as an editor reads it: a choice by its label, a tick as Yes or No."""
    if isinstance(field, forms.BooleanField):
        return "Yes" if value in (True, "on", "true", "True", "1") else "No"
    if value is None or value == "" or value == []:
        return ""
    if hasattr(field, "choices"):
        labels = {str(key): str(label) for key, label in field.choices}
        if isinstance(value, list | tuple):
            chosen = {str(v) for v in value}
            return ", ".join(label for key, label in labels.items() if key in chosen)
        return labels.get(str(value), str(value))
    return str(value)


def _raw(value):
    """A field's value as data: strings, or a list of them for a multiple choice."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def raw_values(form: forms.Form) -> dict:
    """Each field the editor sees, by name, as opened or as typed; reading no choices (no
    queries) until a conflict needs their labels."""
    # Bound fields made here, not form[name]: the form caches those, and a form may still
    # change its fields' hints after this runs in __init__.
    bound = (field.get_bound_field(form, name) for name, field in form.fields.items())
    return {b.name: _raw(b.value()) for b in bound if not b.is_hidden}


def shown_values(form: forms.Form, values: dict | None = None) -> dict[str, str]:
    """`values` (by default the form's own) as the form shows them."""
    values = raw_values(form) if values is None else values
    return {name: _shown(form.fields[name], value) for name, value in values.items()}


def opened_token(form: forms.Form) -> str:
    return signing.dumps(
        {"at": clock.now().isoformat(), "values": raw_values(form)},
        salt=_SALT,
        compress=True,
    )


def opened_version(data) -> tuple[datetime.datetime, dict] | None:
    """When the form was opened and its values then, from the token sent back with it."""
    try:
        opened = signing.loads(data.get(OPENED) or "", salt=_SALT)
        return datetime.datetime.fromisoformat(opened["at"]), dict(opened["values"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


class RemembersOpened(DesignSystemForm):
    """A form that carries what it was opened with (the module's docstring says why)."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and OPENED not in self.initial:
            self.initial[OPENED] = opened_token(self)


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed since this editor opened the form."""

    name: str
    label: str
    opened: str  # as this editor opened it
    saved: str  # as the other editor saved it
    typed: str  # as this editor typed it
    anchor: str  # the id of its control in the form, where the editor merges by hand

    @property
    def typed_is_saved(self) -> bool:
        return not changed(self.typed, self.saved)


def _control_id(bound: forms.BoundField) -> str:
    """A list of choices is reached by its first."""
    widget = bound.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def _opened_from_records(form: forms.Form, records) -> dict[str, str]:
    """What each field was before the records (newest first) changed it."""
    values = {}
    for record in records:
        name = record.field.replace(" ", "_")
        if name in form.fields:
            values[name] = _shown(form.fields[name], record.before)
    return values


def explain_conflict(conflict, *, typed_form: forms.Form, saved_form: forms.Form) -> None:
    """Fill `conflict.changes` (FieldChange, in the form's order) and `conflict.saves` (the
    change records made after the form was opened, newest first) for the partial."""
    saved, typed = shown_values(saved_form), shown_values(typed_form)
    opened = opened_version(typed_form.data)
    if opened is None:
        before, saves = _opened_from_records(saved_form, conflict.records), conflict.records
    else:
        at, values = opened
        before = shown_values(saved_form, {k: v for k, v in values.items() if k in saved})
        saves = [record for record in conflict.records if record.created_at >= at]
    conflict.saves = saves or conflict.records[:1]
    conflict.changes = [
        FieldChange(
            name=name,
            label=saved_form[name].label,
            opened=before[name],
            saved=value,
            typed=typed.get(name, ""),
            anchor=_control_id(saved_form[name]),
        )
        for name, value in saved.items()
        if name in before and changed(before[name], value)
    ]
