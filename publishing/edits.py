"""What every draft editor shares, whether the draft is a route map's or a source document's:
the refusal when someone else saved the item first, and an organisation with its role."""

from dataclasses import dataclass

from organisations.models import Organisation


class EditConflict(Exception):
    """Someone else saved the same item after this editor opened it."""

    def __init__(self, current, records):
        self.current = current
        self.records = records
        super().__init__("The item was changed by someone else.")


@dataclass
class OrganisationChoice:
    organisation: Organisation
    role: str
