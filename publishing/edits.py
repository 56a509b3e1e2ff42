"""What every draft editor shares, whether the draft is a route map's or a source document's:
the refusals (someone else saved the item first; the item or the draft is not there to change),
and an organisation with its role."""

from dataclasses import dataclass

from organisations.models import Organisation


class EditConflict(Exception):
    """Someone else saved the same item after this editor opened it."""

    def __init__(self, current, records):
        self.current = current
        self.records = records
        # Told by the editor side (editing.conflicts.explain_conflict): the fields changed
        # since the refused form was opened, and the saves made since.
        self.changes = []
        self.saves = records
        super().__init__("The item was changed by someone else.")


def refuse_if_changed(item, expected_revision: int | None, records) -> None:
    """Refuse (EditConflict) a save made from a form opened at another revision of `item`
    (a core.models.Revised the caller has locked): someone else saved it since. `records`,
    a query of its newest change records, tells the editor what they changed; it is read
    only when refusing."""
    if item.revision != expected_revision:
        raise EditConflict(item, list(records))


class NotEditable(Exception):
    """The item is not in the draft being edited, or the draft is not there to publish or
    discard. The message says which, for the editor."""


@dataclass
class OrganisationChoice:
    organisation: Organisation
    role: str
