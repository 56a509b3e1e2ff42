"""Organisations: the bodies that must act ("Who needs to work on this")."""

from collections.abc import Callable, Hashable, Iterable

from django.db import models
from django.urls import reverse


class Sector(models.TextChoices):
    SCOTTISH_GOVERNMENT = "scottish-government", "Scottish Government and national bodies"
    LOCAL_GOVERNMENT = "local-government", "Local government"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    JUSTICE = "justice", "Justice"
    THIRD_SECTOR = "third-sector", "Third sector"
    SCRUTINY = "scrutiny", "Scrutiny and regulation"
    UK_GOVERNMENT = "uk-government", "UK Government"
    OTHER = "other", "Other public bodies"


class Role(models.TextChoices):
    """What a body does on an outcome or milestone, where the source text makes it clear."""

    UNSTATED = "", "Not stated"
    LEAD = "lead", "Lead"
    CONTRIBUTOR = "contributor", "Contributor"


class Organisation(models.Model):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=30, blank=True)
    sector = models.CharField(max_length=30, choices=Sector.choices, default=Sector.OTHER)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        if self.abbreviation and self.abbreviation not in self.name:
            return f"{self.name} ({self.abbreviation})"
        return self.name


class OrganisationLink(models.Model):
    """A body named on an outcome, milestone or commitment, with its role there, in the order
    the sources name them. Each kind subclasses this with a `ForeignKey` to its item, named by
    `item_field`, and `Meta.constraints = one_link_per_organisation(item_field)`."""

    item_field: str = ""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    role = models.CharField(max_length=12, choices=Role.choices, blank=True, default=Role.UNSTATED)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation} on {getattr(self, self.item_field)}"

    @classmethod
    def as_prefetch(cls, lookup: str = "organisation_links") -> models.Prefetch:
        """The prefetch of an item's links (every kind names them `organisation_links`), each
        with its organisation: what every page naming the bodies needs. A classmethod, so a
        layer that may not import this one reaches it through a relation."""
        return models.Prefetch(lookup, queryset=cls.objects.select_related("organisation"))


def one_link_per_organisation(item_field: str) -> list[models.UniqueConstraint]:
    """A body is named once on an item; the message is the one an editor's form shows."""
    return [
        models.UniqueConstraint(
            fields=[item_field, "organisation"],
            name=f"unique_{item_field}_organisation",
            violation_error_message=f"This organisation is already listed for this {item_field}.",
        )
    ]


def in_kept_order(chosen: Iterable, current_keys: Iterable[Hashable], key: Callable) -> list:
    """`chosen` with the bodies already there (their `key` in `current_keys`) first, in that
    order, then new ones in the order given. Bodies keep the order the sources name them in:
    a form's ticked boxes carry no order, and a spreadsheet cell that only reorders is no edit."""
    position: dict = {}
    for i, current in enumerate(current_keys):
        position.setdefault(current, i)
    return sorted(chosen, key=lambda item: position.get(key(item), len(position)))
