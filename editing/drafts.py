"""What the one publish page and the one discard page need to know of the thing being drafted,
so route maps and source documents share both pages (templates/editing/publish.html and
discard.html)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DraftPages:
    title: str  # what is published, as its editors call it
    noun: str  # "the published <noun> stays as it is"
    base_template: str  # the editor pages it belongs to (breadcrumbs)
    change_list_template: str  # how its unpublished changes are listed
    edit_url: str  # where Cancel goes
