"""Atom feeds of published updates: one entry per publish, of every route map, of one route
map, or of one source document.

Each entry says what changed in plain words (`describe_changes` against the version before),
so a reader's feed client shows the news without opening the site. Drafts never appear:
only editions that were published (now live or superseded) are listed.
"""

import uuid

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from core.templatetags.richtext import plaintext
from core.text import clean_values
from routemap.changes import CONTENT_PREFETCH, describe_changes, with_previous
from routemap.models import Edition, RouteMap
from sources.models import DocumentVersion, SourceDocument
from sources.services import latest_versions

FEED_LENGTH = 50
# Entry ids must never change once a feed client has seen them.
ENTRY_NAMESPACE = uuid.UUID("6f1d3f5e-2c1b-4f0e-9a57-0c7a3e5b9d21")


def route_map_changes_path(route_map: RouteMap) -> str:
    return f"/route-maps/{route_map.slug}/changes/"


def published_editions(route_map: RouteMap | None = None) -> list[Edition]:
    """The latest published editions (newest first), each with `previous` (the version
    before, or None) and `changes` set, in a fixed number of queries."""
    editions = Edition.objects.filter(
        state__in=[Edition.State.PUBLISHED, Edition.State.SUPERSEDED],
        number__isnull=False,
        published_at__isnull=False,
    )
    if route_map is not None:
        editions = editions.filter(route_map=route_map)
    latest = list(
        editions.select_related("route_map")
        .prefetch_related(*CONTENT_PREFETCH)
        .order_by("-published_at", "-pk")[:FEED_LENGTH]
    )
    for edition in with_previous(latest):
        edition.changes = describe_changes(edition.previous, edition)
    return latest


def source_dated(edition: Edition) -> str:
    """ "as published on plan2430.scot, last updated December 2025": how an imported version
    is dated, as the changes page says it."""
    text = f"as published on {edition.imported_from}"
    if edition.last_updated:
        text += f", last updated {date_format(edition.last_updated, 'F Y')}"
    return text


class CleanAtom1Feed(Atom1Feed):
    """Atom that cleans every text it is given (titles, summaries, names...). Django refuses to
    write a control character to XML, and a feed quotes the last 50 publishes: one stored
    `\\x1b` would otherwise make the feed answer 500 until 50 more publishes had passed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = clean_values(self.feed)

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = clean_values(self.items[-1])


class UpdatesFeed(Feed):
    """Every publish of every route map."""

    feed_type = CleanAtom1Feed
    title = "Plan 24-30 route maps: updates"
    subtitle = "Each time a route map is published, what changed."
    author_name = "Route Map Tracker"

    def link(self, obj) -> str:
        return reverse("home")

    def items(self, obj):
        return published_editions()

    def item_title(self, edition: Edition) -> str:
        if edition.imported_from:
            return f"{edition.route_map.title}: version {edition.number}, {source_dated(edition)}"
        return f"{edition.route_map.title} updated: version {edition.number}"

    def item_description(self, edition: Edition) -> str:
        note = plaintext(edition.change_note)
        # Each change with its details: the new note whole, a rewording marked word by word.
        changes = render_to_string(
            "routemap/includes/_feed_changes.html", {"changes": edition.changes}
        )
        return format_html(
            "{}{}",
            format_html("<p>{}</p>", note) if note else "",
            changes if edition.changes else "",
        )

    def item_link(self, edition: Edition) -> str:
        return route_map_changes_path(edition.route_map)

    def item_guid(self, edition: Edition) -> str:
        name = f"route-maps/{edition.route_map_id}/versions/{edition.number}"
        return uuid.uuid5(ENTRY_NAMESPACE, name).urn

    item_guid_is_permalink = False

    def item_pubdate(self, edition: Edition):
        # A version brought in from its source was not published on the day it was loaded;
        # its title carries the source's own date (a month), so no day is claimed here.
        return None if edition.imported_from else edition.published_at

    def item_updateddate(self, edition: Edition):
        return edition.published_at


class RouteMapUpdatesFeed(UpdatesFeed):
    """Every publish of one route map."""

    def get_object(self, request, slug: str) -> RouteMap:
        return get_object_or_404(RouteMap.objects.listed(), slug=slug)

    def title(self, route_map: RouteMap) -> str:
        return f"{route_map.title}: updates"

    def subtitle(self, route_map: RouteMap) -> str:
        return f"Each time the {route_map.title} route map is published, what changed."

    def link(self, route_map: RouteMap) -> str:
        return route_map.get_absolute_url()

    def items(self, route_map: RouteMap):
        return published_editions(route_map)


class DocumentUpdatesFeed(UpdatesFeed):
    """Every published version of one source document (sources.DocumentVersion), told as
    route maps' versions are."""

    def get_object(self, request, slug: str) -> SourceDocument:
        return get_object_or_404(SourceDocument.objects.published(), slug=slug)

    def title(self, document: SourceDocument) -> str:
        return f"{document.title}: updates"

    def subtitle(self, document: SourceDocument) -> str:
        return f"Each time {document.title} is published here, what changed."

    def link(self, document: SourceDocument) -> str:
        return document.get_absolute_url()

    def items(self, document: SourceDocument) -> list[DocumentVersion]:
        versions = latest_versions(document, FEED_LENGTH)
        for version in versions:
            version.document = document
        return versions

    def item_title(self, version: DocumentVersion) -> str:
        if version.imported_from:
            return f"{version.document.title}: version {version.number}, {source_dated(version)}"
        return f"{version.document.title} updated: version {version.number}"

    def item_link(self, version: DocumentVersion) -> str:
        return reverse("sources:changes", args=[version.document.slug])

    def item_guid(self, version: DocumentVersion) -> str:
        name = f"sources/{version.document_id}/versions/{version.number}"
        return uuid.uuid5(ENTRY_NAMESPACE, name).urn
