"""Read-only JSON API over published content. Field names are documented on /open-data/ and,
for programs, in the OpenAPI description served at /api/openapi.json (public/openapi.yaml)."""

import functools
import json
from pathlib import Path

import yaml
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from core.text import clean_values
from milestones.models import Milestone
from routemap.models import Edition, RouteMap


def read_only(view):
    """GET and HEAD only: any other method answers 405 with `Allow: GET, HEAD`. Exempt from
    the CSRF check, which protects forms and would otherwise answer a POST with its HTML
    failure page; nothing here changes anything, whatever the method."""
    return csrf_exempt(require_safe(view))


def clean_json_response(data: dict) -> JsonResponse:
    """JSON of stored text without control characters: JSON could escape them, but the
    programs reading this API would then meet them in their own XML, CSV or pages."""
    return JsonResponse(clean_values(data))


def not_found(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=404)


def milestone_data(milestone: Milestone) -> dict:
    return {
        "id": str(milestone.key),
        "year": milestone.year,
        "order": milestone.order,
        "text": milestone.text,
        "status": milestone.status,
        "status_label": milestone.get_status_display(),
        **milestone.status_updated_data(),
        "overdue": milestone.overdue,
        "due_date": milestone.due_date.isoformat(),
        "due_precision": milestone.due_precision,
        "due_label": milestone.due_label,
        "due_soon": milestone.due_soon,
        "progress_note": milestone.progress_note,
        "subject_to_decisions_after_may_2026": milestone.subject_to_decisions_after_may_2026,
        "organisations": [link.organisation.slug for link in milestone.responsible_links],
    }


def edition_data(route_map: RouteMap, edition: Edition | None, request: HttpRequest) -> dict:
    data = {
        "slug": route_map.slug,
        "title": route_map.title,
        "foundation": route_map.foundation.name if route_map.foundation else None,
        "url": request.build_absolute_uri(route_map.get_absolute_url()),
        "version": None,
        "published_at": None,
        "imported_from": None,
        "summary": "",
        "last_updated": None,
        "what_matters": [],
        "outcomes": [],
    }
    if edition is None:
        return data
    data.update(
        version=edition.number,
        # A version brought in from its source is dated by `last_updated`, as the source
        # dates it; the moment it was loaded here is not its publication.
        published_at=(
            None
            if edition.imported_from or edition.published_at is None
            else edition.published_at.isoformat()
        ),
        imported_from=edition.imported_from or None,
        summary=edition.summary,
        last_updated=edition.last_updated.isoformat() if edition.last_updated else None,
        what_matters=[statement.text for statement in edition.what_matters.all()],
        outcomes=[
            {
                "order": outcome.order,
                "slug": outcome.slug,
                "title": outcome.title,
                "statement": outcome.statement,
                "url": request.build_absolute_uri(outcome.get_absolute_url()),
                "progress": [
                    {
                        "date": entry.date.isoformat() if entry.date else None,
                        "date_label": entry.date_label,
                        "text": entry.text,
                    }
                    for entry in outcome.progress_entries.all()
                ],
                "milestones": [milestone_data(m) for m in outcome.milestones.all()],
                "organisations": [
                    {"slug": link.organisation.slug, "role": link.role or None}
                    for link in outcome.organisation_links.all()
                ],
                "linked_route_maps": [rm.slug for rm in outcome.linked_route_maps.all()],
            }
            for outcome in edition.outcomes.all()
        ],
    )
    return data


@read_only
def route_map_list(request: HttpRequest) -> JsonResponse:
    route_maps = RouteMap.objects.listed().with_live_edition()
    return clean_json_response(
        {
            "route_maps": [
                {
                    "slug": rm.slug,
                    "title": rm.title,
                    "foundation": rm.foundation.name if rm.foundation else None,
                    "url": request.build_absolute_uri(rm.get_absolute_url()),
                    "api_url": request.build_absolute_uri(f"/api/route-maps/{rm.slug}/"),
                    "has_content": rm.live_edition is not None,
                }
                for rm in route_maps
            ]
        }
    )


@read_only
def route_map_detail(request: HttpRequest, slug: str) -> JsonResponse:
    route_map = RouteMap.objects.listed().select_related("foundation").filter(slug=slug).first()
    if route_map is None:
        return not_found(f"No route map with slug '{slug}'.")
    edition = Edition.objects.published().with_content().filter(route_map=route_map).first()
    return clean_json_response(edition_data(route_map, edition, request))


OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


@functools.cache
def openapi_json() -> bytes:
    """The committed description as JSON, made once per process: it changes only with a
    release."""
    with OPENAPI_FILE.open(encoding="utf-8") as file:
        return json.dumps(yaml.safe_load(file)).encode()


@read_only
def openapi(request: HttpRequest) -> HttpResponse:
    """The API's OpenAPI 3.1 description (public, cached like every API answer)."""
    return HttpResponse(openapi_json(), content_type="application/json")
