"""Public pages for responsible organisations: who must do what by when."""

import datetime
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from milestones.models import Milestone
from organisations.models import Organisation, Sector


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = list(Organisation.objects.all())
    sectors = [
        (label, [o for o in organisations if o.sector == value]) for value, label in Sector.choices
    ]
    return render(
        request,
        "organisations/organisation_list.html",
        {"sectors": [(label, orgs) for label, orgs in sectors if orgs]},
    )


@require_GET
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    milestones = list(
        Milestone.objects.published().for_organisation(organisation).with_context().in_plan_order()
    )
    groups = [
        (
            route_map,
            [
                (outcome, list(items))
                for outcome, items in groupby(rm_items, key=lambda m: m.outcome)
            ],
        )
        for route_map, rm_items in groupby(milestones, key=lambda m: m.outcome.edition.route_map)
    ]
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "groups": groups,
            "milestone_count": len(milestones),
            "this_year": datetime.date.today().year,
        },
    )
