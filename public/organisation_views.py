"""Public pages for responsible organisations: who must do what by when."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core.htmx import vary_on_htmx, wants_partial
from core.pagecache import uses_query_parameters
from organisations.models import Organisation, Sector
from public.timeline import PER_PAGE, Concatenated, breakdown
from public.timeline_forms import FILTER_FIELDS, TimelineFilterForm
from public.timeline_views import canonical_url, filtered_page_context, has_blank_parameters
from sources.actions import action_counts, organisation_actions
from sources.models import Commitment, resolve_links


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every body with at least one published action (sources.actions), by sector, with how
    many are overdue and due soon. Bodies with none are left out: a row of noughts tells a
    reader nothing."""
    counts = action_counts()
    organisations = list(Organisation.objects.filter(pk__in=list(counts)))
    for organisation in organisations:
        organisation.action_count = counts[organisation.pk].total
        organisation.overdue_count = counts[organisation.pk].overdue
        organisation.due_soon_count = counts[organisation.pk].due_soon
    sectors = [
        (value, label, [o for o in organisations if o.sector == value])
        for value, label in Sector.choices
    ]
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "sectors": [(value, label, orgs) for value, label, orgs in sectors if orgs],
            "due_soon_days": settings.DUE_SOON_DAYS,
        },
    )


@require_safe
@vary_on_htmx
@uses_query_parameters(
    *(name for name in FILTER_FIELDS if name not in ("show", "organisation", "sector")), "page"
)
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's actions: its milestones by route map, outcome and year, then the
    commitments naming it, with the timeline's filters (except organisation, which is this
    one, and sector, which is its own)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    form = TimelineFilterForm(request.GET, organisation=organisation)
    page_number = request.GET.get("page", "")
    partial = wants_partial(request.META)
    if not partial and has_blank_parameters(request):
        return HttpResponseRedirect(canonical_url(request.path, form, page_number))
    context = filtered_page_context(request, form)
    context.update(organisation=organisation, results_url=request.path)
    if form.is_valid():
        actions = form.actions()
        items = Concatenated(
            actions.milestones.with_context().in_plan_order(),
            actions.commitments.with_context().in_due_order(),
        )
        page = Paginator(items, PER_PAGE).get_page(page_number or 1)
        resolve_links(item for item in page.object_list if isinstance(item, Commitment))
        context["page"] = page
        context["breakdown"] = breakdown(*items.counts)
        context["milestones"] = [i for i in page.object_list if not isinstance(i, Commitment)]
        context["commitments"] = [i for i in page.object_list if isinstance(i, Commitment)]
        context["page_range"] = page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
        # "Nothing matched these filters" would suggest that other filters might match.
        context["acts_on_nothing"] = not page.paginator.count and (
            not context["active_filters"] or not organisation_actions(organisation).count()
        )
    template = (
        "organisations/includes/_organisation_results.html"
        if partial
        else "organisations/organisation_detail.html"
    )
    response = render(request, template, context)
    if partial:
        response["HX-Push-Url"] = canonical_url(request.path, form, page_number)
    return response
