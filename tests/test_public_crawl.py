"""Crawl every public page as an anonymous reader after hostile text has been published:
the text must be inert everywhere (pages, exports, feeds, calendars, API), and no draft text,
editor link or personal data may appear anywhere."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from editing import services
from milestones.models import Milestone
from organisations.models import Organisation
from outcomes.models import Outcome, ProgressEntry
from routemap.models import RouteMap
from tests.factories import (
    ConsultationAnswerFactory,
    ConsultationResponseFactory,
    EditorFactory,
    SubscriptionFactory,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(2)" onclick="steal()">click</a> '
    '=HYPERLINK("http://evil.example") "quoted" & ampersand \u202eRTL\u200b zero-width ÿ 🚸 '
)
LONG = "Very long words " * 400
DRAFT_SECRET = "Unpublished draft sentence 7f3a"
EDITOR_EMAIL = "secret-editor@example.org"
SUBSCRIBER_EMAIL = "private-subscriber@example.org"
RESPONDENT = "Private Respondent Name"
MAX_PAGES = 260


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if (
                name in ("href", "src", "action")
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self.in_script = True
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:40]!r}")


@pytest.fixture
def hostile_site(seeded, django_capture_on_commit_callbacks):
    route_map = RouteMap.objects.get(slug="where-children-live")
    editor = EditorFactory(username="secret-editor", email=EDITOR_EMAIL)
    services.route_map_update(
        route_map=route_map,
        user=editor,
        values={"summary": HOSTILE, "vision": LONG, "introduction": HOSTILE},
        what_matters=[HOSTILE],
        expected_revision=route_map.live_edition.revision,
    )
    draft = services.edition_ensure_draft(route_map=route_map)
    outcome = Outcome.objects.get(edition=draft, slug="kinship-care")
    services.outcome_update(
        route_map=route_map,
        key=outcome.key,
        user=editor,
        values={"title": HOSTILE[:200], "statement": HOSTILE},
        organisations=[],
        linked_route_maps=[],
        expected_revision=outcome.revision,
    )
    entry = ProgressEntry.objects.filter(outcome=outcome).first()
    services.progress_update(
        route_map=route_map,
        key=entry.key,
        user=editor,
        values={"text": HOSTILE, "date_label": HOSTILE[:100], "date": None},
        expected_revision=entry.revision,
    )
    for milestone in Milestone.objects.filter(outcome__edition=draft)[:3]:
        services.milestone_update(
            route_map=route_map,
            key=milestone.key,
            user=editor,
            values={"text": HOSTILE + LONG, "progress_note": HOSTILE},
            organisations=services._parse_organisations("scottish-government:lead"),
            expected_revision=milestone.revision,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.route_map_publish(route_map=route_map, user=editor, note=HOSTILE)
    # Afterwards: a draft that must stay private, and personal data that must never show.
    live_milestone = Milestone.objects.published().first()
    edit_in_draft(live_milestone, {"text": DRAFT_SECRET}, user=editor)
    organisation = Organisation.objects.get(slug="cosla")
    organisation.name = HOSTILE[:200]
    organisation.save()
    SubscriptionFactory(email=SUBSCRIBER_EMAIL, route_map=route_map)
    response = ConsultationResponseFactory(name=RESPONDENT, consent_to_publish=True)
    ConsultationAnswerFactory(response=response, text=HOSTILE)
    cache.clear()
    return route_map


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def crawl(client, *, wanted=lambda url: True) -> dict[str, tuple[str, bytes]]:
    """Every public page reachable from the home page (plus the machine-readable ones), less
    the addresses `wanted(url)` turns down."""
    queue = [
        "/",
        "/timeline/",
        "/search/?q=kinship",
        "/search/?q=%3Cscript%3E",
        "/open-data/",
        "/sources/",
        "/api/route-maps/",
        "/api/route-maps/where-children-live/",
        "/api/organisations/",
        "/api/organisations/scottish-government/",
        "/api/sources/",
        "/timeline/export.csv",
        "/timeline/export.json",
        "/feeds/updates.atom",
        "/route-maps/where-children-live/updates.atom",
        "/organisations/scottish-government/calendar.ics",
    ]
    seen: dict[str, tuple[str, bytes]] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or not wanted(url):
            continue
        response = client.get(url)
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
        seen[url] = (response.get("Content-Type", ""), body_of(response))
        if "text/html" not in seen[url][0]:
            continue
        parser = TagCollector()
        parser.feed(seen[url][1].decode())
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/accounts/", "/admin/", "/static/")):
                continue
            # Follow pages, and filtered views only one step (pagination and single filters).
            target = parts.path + (
                f"?{parts.query}" if parts.query and "&" not in parts.query else ""
            )
            if target not in seen:
                queue.append(target)
    return seen


def test_hostile_text_is_inert_and_nothing_private_leaks(client, hostile_site):
    pages = crawl(client)
    assert len(pages) > 60  # the crawl really went through the site
    html_pages = 0
    for url, (content_type, raw) in pages.items():
        body = raw.decode()
        for secret in (DRAFT_SECRET, EDITOR_EMAIL, SUBSCRIBER_EMAIL, RESPONDENT, "secret-editor"):
            assert secret not in body, f"{secret!r} leaked on {url}"
        if "text/html" in content_type:
            html_pages += 1
            assert 'href="/edit/' not in body, f"editor link on {url}"
            parser = TagCollector()
            parser.feed(body)
            assert parser.problems == [], f"{url}: {parser.problems}"
            assert "<script>alert" not in body
        elif "json" in content_type:
            json.loads(body)  # valid JSON: the text is data, escaped by the encoder
        elif "atom" in content_type or "xml" in content_type:
            root = ET.fromstring(raw)  # well-formed: the text was escaped
            assert not root.findall(".//{http://www.w3.org/1999/xhtml}script")
        elif "csv" in content_type:
            for row in csv.reader(io.StringIO(body)):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@")), f"formula cell in {url}"
    assert html_pages > 50
    route_map_page = pages["/route-maps/where-children-live/"][1].decode()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in route_map_page or (
        "alert(&quot;pwned&quot;)" in route_map_page
    )
