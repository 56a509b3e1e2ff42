"""Editor pages for consultations: moderate responses, export them as CSV.

Checked in the views: anonymous readers are sent to sign in, people without an editorial role
get 403. Moderation rules (consent) are enforced by services and the model, not here.
"""

import csv
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import is_editor
from routemap.seed import validation_message
from sources import services
from sources.models import ConsultationResponse, SourceDocument

# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def editor_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_editor(request.user):
            raise PermissionDenied("You need an editor role to moderate consultation responses.")
        return view(request, *args, **kwargs)

    return wrapper


def _consultation(slug: str) -> SourceDocument:
    document = SourceDocument.objects.filter(
        slug=slug, kind=SourceDocument.Kind.CONSULTATION
    ).first()
    if document is None:
        raise Http404("No such consultation")
    return document


@require_GET
@editor_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = (
        SourceDocument.objects.filter(kind=SourceDocument.Kind.CONSULTATION)
        .select_related("publisher")
        .annotate(
            response_count=Count("responses"),
            pending_count=Count(
                "responses", filter=Q(responses__state=ConsultationResponse.State.PENDING)
            ),
        )
    )
    return render(request, "sources/edit/consultation_list.html", {"consultations": consultations})


@require_GET
@editor_required
def response_list(request: HttpRequest, slug: str) -> HttpResponse:
    document = _consultation(slug)
    states = ConsultationResponse.State
    state = request.GET.get("state", states.PENDING)
    responses = document.responses.with_answers().select_related("moderated_by")
    counts = dict(document.responses.order_by().values_list("state").annotate(n=Count("pk")))
    if state in states.values:
        responses = responses.filter(state=state)
    else:
        state = "all"
    filters = [(value, label, counts.get(value, 0)) for value, label in states.choices]
    return render(
        request,
        "sources/edit/response_list.html",
        {
            "document": document,
            "responses": responses,
            "state": state,
            "filters": filters,
            "total": sum(counts.values()),
            "states": states,
        },
    )


@require_POST
@editor_required
def response_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    document = _consultation(slug)
    response = get_object_or_404(ConsultationResponse, pk=pk, document=document)
    state = request.POST.get("state", "")
    back = request.POST.get("back_state", "")
    if back not in [*ConsultationResponse.State.values, "all"]:
        back = ConsultationResponse.State.PENDING
    try:
        services.consultation_response_moderate(response=response, state=state, user=request.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        label = ConsultationResponse.State(state).label.lower()
        messages.success(request, f"Response {response.pk}: {label}.")
    url = reverse("sources-edit:responses", args=[document.slug])
    return redirect(f"{url}?state={back}#response-{response.pk}")


def csv_safe(value) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@require_GET
@editor_required
def response_csv(request: HttpRequest, slug: str) -> HttpResponse:
    document = _consultation(slug)
    questions = list(document.questions.all())
    responses = document.responses.with_answers().select_related("moderated_by").order_by("pk")
    stamp = timezone.localdate().isoformat()
    http = HttpResponse(content_type="text/csv; charset=utf-8")
    http["Content-Disposition"] = f'attachment; filename="{document.slug}-responses-{stamp}.csv"'
    writer = csv.writer(http)
    writer.writerow(
        [
            "id",
            "received",
            "respondent_type",
            "name",
            "organisation",
            "consent_to_publish",
            "state",
            "moderated_by",
            "moderated_at",
            *(csv_safe(str(q)) for q in questions),
        ]
    )
    for response in responses:
        answers = {a.question_id: a.text for a in response.answers.all()}
        writer.writerow(
            [
                response.pk,
                timezone.localtime(response.created_at).isoformat(timespec="seconds"),
                response.get_respondent_type_display(),
                csv_safe(response.name),
                csv_safe(response.organisation),
                "yes" if response.consent_to_publish else "no",
                response.state,
                response.moderated_by.get_username() if response.moderated_by else "",
                timezone.localtime(response.moderated_at).isoformat(timespec="seconds")
                if response.moderated_at
                else "",
                *(csv_safe(answers.get(q.pk, "")) for q in questions),
            ]
        )
    return http
