"""The API's organisation endpoints: each body with the number of its published actions, and
one body's actions in full (sources.actions: its milestones, own or inherited from their
outcome, and the commitments naming it). Field names are in public/openapi.yaml."""

from django.http import HttpRequest, JsonResponse

from organisations.models import Organisation
from public.api import clean_json_response, milestone_data, not_found, read_only
from public.source_api import commitment_data
from sources.actions import action_counts, organisation_actions
from sources.models import resolve_links


def organisation_summary(organisation: Organisation, request: HttpRequest) -> dict:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "abbreviation": organisation.abbreviation,
        "sector": organisation.sector,
        "sector_label": organisation.get_sector_display(),
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
    }


@read_only
def organisation_list(request: HttpRequest) -> JsonResponse:
    counts = action_counts()
    organisations = []
    for organisation in Organisation.objects.all():
        count = counts.get(organisation.pk)
        organisations.append(
            {
                **organisation_summary(organisation, request),
                "action_count": count.total if count else 0,
                "overdue_count": count.overdue if count else 0,
                "due_soon_count": count.due_soon if count else 0,
            }
        )
    return clean_json_response({"organisations": organisations})


@read_only
def organisation_detail(request: HttpRequest, slug: str) -> JsonResponse:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return not_found(f"No organisation with slug '{slug}'.")
    actions = organisation_actions(organisation)
    milestones = list(actions.milestones.with_context().in_plan_order())
    commitments = list(actions.commitments.with_context().in_due_order())
    resolve_links(commitments)
    data = organisation_summary(organisation, request)
    data["action_count"] = len(milestones) + len(commitments)
    data["milestones"] = [
        {
            **milestone_data(m),
            "route_map": m.outcome.edition.route_map.slug,
            "outcome": m.outcome.slug,
            "url": request.build_absolute_uri(m.get_absolute_url()),
        }
        for m in milestones
    ]
    data["commitments"] = [
        {
            **commitment_data(c, request),
            "id": f"{c.document.slug}/{c.reference}",
            "document": c.document.slug,
            "document_title": c.document.title,
            "url": request.build_absolute_uri(c.get_absolute_url()),
        }
        for c in commitments
    ]
    return clean_json_response(data)
