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


def in_kept_order(chosen: Iterable, current_keys: Iterable[Hashable], key: Callable) -> list:
    """`chosen` with the bodies already there (their `key` in `current_keys`) first, in that
    order, then new ones in the order given. Bodies keep the order the sources name them in:
    a form's ticked boxes carry no order, and a spreadsheet cell that only reorders is no edit."""
    position: dict = {}
    for i, current in enumerate(current_keys):
        position.setdefault(current, i)
    return sorted(chosen, key=lambda item: position.get(key(item), len(position)))
