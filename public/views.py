"""Public pages: the plan by foundation, a route map, one outcome."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.roles import can_edit_route_map
from core import clock
from core.forms import CompareForm
from core.pagecache import uses_query_parameters
from milestones.exports import COLUMNS
from milestones.models import Status
from organisations.models import Sector
from outcomes.glance import current_plan_year, route_map_glance
from public.charts import plan_charts, route_map_charts
from public.front import happening_now, plan_shape
from routemap.changes import CONTENT_PREFETCH, describe_changes, with_links, with_previous
from routemap.models import Edition, Foundation, RouteMap


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What is happening now (this year, overdue, due soon, latest changes), then the plan's
    shape: its foundations in order, each with its route maps in the plan's order and how many
    have content published."""
    route_maps = list(RouteMap.objects.listed().with_live_edition())
    groups, unplaced = plan_shape(route_maps, list(Foundation.objects.all()))
    charts = plan_charts(route_maps)
    return render(
        request,
        "routemap/home.html",
        {
            "groups": groups,
            "unplaced": unplaced,
            "charts": charts,
            "now": happening_now(today=clock.today(), by_year=charts[1]),
            "due_soon_days": settings.DUE_SOON_DAYS,
        },
    )


def _live_edition(slug: str) -> tuple[RouteMap, Edition | None]:
    route_map = get_object_or_404(RouteMap.objects.listed().select_related("foundation"), slug=slug)
    edition = Edition.objects.published().with_content().filter(route_map=route_map).first()
    return route_map, edition


@require_safe
def route_map_detail(request: HttpRequest, slug: str) -> HttpResponse:
    route_map, edition = _live_edition(slug)
    return render(
        request,
        "routemap/route_map_detail.html",
        {
            "route_map": route_map,
            "edition": edition,
            "outcomes": edition.outcomes.all() if edition else [],
            "glance": route_map_glance(edition.outcomes.all()) if edition else None,
            "this_year": clock.today().year,
            "opening_year": current_plan_year(),
            "can_edit": can_edit_route_map(request.user, route_map),
            "charts": route_map_charts(edition) if edition else None,
        },
    )


@require_safe
def outcome_detail(request: HttpRequest, slug: str, outcome_slug: str) -> HttpResponse:
    route_map, edition = _live_edition(slug)
    outcome = (
        next((o for o in edition.outcomes.all() if o.slug == outcome_slug), None)
        if edition
        else None
    )
    if outcome is None:
        raise Http404("No such outcome")
    return render(
        request,
        "routemap/outcome_detail.html",
        {
            "route_map": route_map,
            "edition": edition,
            "outcome": outcome,
            "this_year": clock.today().year,
            "opening_year": current_plan_year(),
        },
    )


MAX_VERSIONS_SHOWN = 20


@require_safe
@uses_query_parameters("from_version", "to_version")
def route_map_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """Published versions with their notes, and what changed in plain words."""
    route_map = get_object_or_404(RouteMap.objects.listed().select_related("foundation"), slug=slug)
    history = Edition.objects.filter(
        route_map=route_map,
        state__in=[Edition.State.PUBLISHED, Edition.State.SUPERSEDED],
    ).order_by("-number")
    versions = list(history.values_list("number", flat=True))
    form = CompareForm(request.GET or None, versions=versions)
    if form.is_bound and form.is_valid():
        wanted = {form.cleaned_data["from_version"], form.cleaned_data["to_version"]}
        # The latest version too: change lines link to where things are now.
        editions = {
            e.number: e
            for e in history.filter(number__in=wanted | {versions[0]}).prefetch_related(
                *CONTENT_PREFETCH
            )
        }
        comparison = with_links(
            describe_changes(
                editions[form.cleaned_data["from_version"]],
                editions[form.cleaned_data["to_version"]],
            ),
            route_map=route_map,
            live=editions[versions[0]],
        )
        shown = []
    else:
        comparison = None
        editions = list(history[: MAX_VERSIONS_SHOWN + 1].prefetch_related(*CONTENT_PREFETCH))
        shown = []
        for edition in with_previous(editions[:MAX_VERSIONS_SHOWN], known=editions):
            changes = None  # the first version: nothing to compare with
            if edition.previous:
                changes = with_links(
                    describe_changes(edition.previous, edition),
                    route_map=route_map,
                    live=editions[0],
                )
            shown.append((edition, changes))
    return render(
        request,
        "routemap/changes.html",
        {
            "route_map": route_map,
            "versions": shown,
            "form": form,
            "comparison": comparison,
            "version_count": len(versions),
            "changes_url": reverse("routemap:changes", args=[route_map.slug]),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "routemap/accessibility.html")


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """How to reuse the data: the export columns and the JSON API, with example URLs."""
    return render(
        request,
        "routemap/open_data.html",
        {
            "columns": COLUMNS,
            "sectors": Sector.choices,
            "statuses": Status.choices,
            "due_soon_days": settings.DUE_SOON_DAYS,
        },
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """API clients get JSON; people get the site's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "Not found", "path": request.path}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request, so no context processor runs: the error may be that the
    database or the session cannot be reached."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "Server error"}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token (an old tab, cookies blocked, signed out
    meanwhile): say so in plain words instead of Django's bare page. The reason is logged
    by Django, not shown."""
    return render(request, "403_csrf.html", status=403)
