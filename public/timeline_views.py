"""The public timeline of every published action (or the progress so far), and its CSV and
JSON exports, which follow the same filters and the same "Show" choice."""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core import clock
from core.htmx import vary_on_htmx, wants_partial
from core.pagecache import uses_query_parameters
from milestones import exports
from public.timeline import build_timeline
from public.timeline_forms import FILTER_FIELDS, TimelineFilterForm


def canonical_url(path: str, form: TimelineFilterForm, page: str = "") -> str:
    """The path with only the filters in use (no blank parameters), in a fixed order."""
    params = form.params()
    if page and page != "1":
        params["page"] = page
    return f"{path}?{params.urlencode()}" if params else path


def has_blank_parameters(request: HttpRequest) -> bool:
    return any(value == "" for value in request.GET.values())


def filtered_page_context(request: HttpRequest, form: TimelineFilterForm) -> dict:
    """What the filter form, result summary and download links need on any filtered page."""
    export_query = form.export_params().urlencode()
    suffix = f"?{export_query}" if export_query else ""
    return {
        "form": form,
        "filter_query": form.params().urlencode(),
        "actions_query": form.params_without("show").urlencode(),
        "active_filters": form.active_filters(),
        "csv_url": reverse("timeline-csv") + suffix,
        "json_url": reverse("timeline-json") + suffix,
        "outcome_field_swap": wants_partial(request.META),
        "this_year": clock.today().year,
    }


@require_safe
@vary_on_htmx
@uses_query_parameters(*FILTER_FIELDS, "page")
def timeline(request: HttpRequest) -> HttpResponse:
    form = TimelineFilterForm(request.GET)
    page = request.GET.get("page", "")
    partial = wants_partial(request.META)
    if not partial and has_blank_parameters(request):
        # A form submitted without JavaScript sends every field; keep the URL short.
        return HttpResponseRedirect(canonical_url(request.path, form, page))
    context = filtered_page_context(request, form)
    context["results_url"] = request.path
    if form.is_valid():
        context["timeline"] = build_timeline(form, page or 1)
    template = (
        "milestones/includes/_timeline_results.html" if partial else "milestones/timeline.html"
    )
    response = render(request, template, context)
    if partial:
        response["HX-Push-Url"] = canonical_url(request.path, form, page)
    return response


def _export_filters(request: HttpRequest) -> tuple[TimelineFilterForm, dict | None]:
    form = TimelineFilterForm(request.GET)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return form, errors
    return form, None


def _export_records(form: TimelineFilterForm, request: HttpRequest):
    if form.shows_progress:
        return exports.progress_records(form.progress().with_context().in_plan_order(), request)
    actions = form.actions()
    return exports.action_records(
        actions.milestones.with_context().in_timeline_order(),
        actions.commitments.in_due_order(),
        request,
    )


@require_safe
@uses_query_parameters(*FILTER_FIELDS)
def export_csv(request: HttpRequest) -> HttpResponse:
    form, errors = _export_filters(request)
    if errors:
        lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
        return HttpResponse(
            "The filters are not valid:\n" + "\n".join(lines) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        exports.csv_lines(_export_records(form, request)),
        content_type="text/csv; charset=utf-8",
    )
    contents = "progress" if form.shows_progress else "milestones"
    filename = f"plan-24-30-{contents}-{clock.today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@uses_query_parameters(*FILTER_FIELDS)
def export_json(request: HttpRequest) -> HttpResponse:
    form, errors = _export_filters(request)
    if errors:
        return JsonResponse({"error": "The filters are not valid.", "fields": errors}, status=400)
    return StreamingHttpResponse(
        exports.json_chunks(_export_records(form, request), filters=form.params().dict()),
        content_type="application/json",
    )
