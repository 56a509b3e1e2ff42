"""Public pages: source documents, their commitments, and answering a consultation."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from core.forms import CompareForm
from core.pagecache import uses_query_parameters
from public.views import MAX_VERSIONS_SHOWN
from sources import services
from sources.forms import HONEYPOT_FIELD, ConsultationResponseForm
from sources.models import SourceDocument, resolve_links


def not_shared_while_open(response: HttpResponse, documents) -> HttpResponse:
    """A page saying a consultation is open must not outlive its closing date in the public
    page cache (which lasts until the next publish): keep such pages private."""
    if any(document.is_open() for document in documents):
        patch_cache_control(response, private=True)
    return response


@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    documents = list(SourceDocument.objects.published().with_counts().newest_first())
    response = render(request, "sources/document_list.html", {"documents": documents})
    return not_shared_while_open(response, documents)


def _document(slug: str) -> SourceDocument:
    document = SourceDocument.objects.published().with_content().filter(slug=slug).first()
    if document is None:
        raise Http404("No such document")
    return document


def _render_document(
    request: HttpRequest,
    document: SourceDocument,
    form: ConsultationResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    commitments = list(document.commitments.all())
    resolve_links(commitments)
    sections = [
        (section, [c for c in commitments if c.section_id == section.pk])
        for section in document.sections.all()
    ]
    unsectioned = [c for c in commitments if c.section_id is None]
    is_open = document.is_open()
    if document.is_consultation and is_open and form is None:
        form = ConsultationResponseForm(questions=document.questions.all())
    responses = document.responses.published().with_answers() if document.is_consultation else []
    response = render(
        request,
        "sources/document_detail.html",
        {
            "document": document,
            "sections": sections,
            "unsectioned": unsectioned,
            "commitment_count": len(commitments),
            "is_open": is_open,
            "form": form,
            "responses": responses,
        },
        status=status,
    )
    return not_shared_while_open(response, [document])


@require_safe
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_document(request, _document(slug))


@require_safe
@uses_query_parameters("from_version", "to_version")
def document_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """Published versions with their notes and what each changed; any two compared."""
    document = get_object_or_404(SourceDocument.objects.published(), slug=slug)
    history = document.versions.newest_first()
    numbers = list(history.values_list("number", flat=True))
    form = CompareForm(request.GET or None, versions=numbers)
    comparison, shown = None, []
    if form.is_bound and form.is_valid():
        old, new = form.cleaned_data["from_version"], form.cleaned_data["to_version"]
        chosen = {v.number: v.content for v in history.filter(number__in=[old, new])}
        comparison = services.describe_content_changes(chosen[old], chosen[new])
    else:
        shown = [(v, v.changes) for v in services.latest_versions(document, MAX_VERSIONS_SHOWN)]
    return render(
        request,
        "sources/changes.html",
        {
            "document": document,
            "versions": shown,
            "form": form,
            "comparison": comparison,
            "version_count": len(numbers),
            "changes_url": reverse("sources:changes", args=[document.slug]),
        },
    )


@require_POST
def consultation_respond(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(slug)
    if not document.is_consultation:
        raise Http404("Not a consultation")
    if not document.is_open():
        return render(
            request, "sources/consultation_closed.html", {"document": document}, status=410
        )
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the hidden field: look like success, keep nothing.
        return redirect("sources:thanks", slug=document.slug)
    form = ConsultationResponseForm(request.POST, questions=document.questions.all())
    address_hash = services.address_hash(services.client_address(request))
    if services.is_rate_limited(address_hash=address_hash):
        form.is_valid()
        form.add_error(None, services.RATE_LIMIT_MESSAGE)
        return _render_document(request, document, form, status=429)
    if not form.is_valid():
        return _render_document(request, document, form)
    try:
        services.consultation_response_submit(
            document=document,
            respondent_type=form.cleaned_data["respondent_type"],
            answers=form.answers(),
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            consent_to_publish=form.cleaned_data["consent_to_publish"],
            address_hash=address_hash,
        )
    except services.ConsultationClosed:
        # Closed between the check above and now (midnight).
        return render(
            request, "sources/consultation_closed.html", {"document": document}, status=410
        )
    return redirect("sources:thanks", slug=document.slug)


@require_safe
def consultation_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    document = SourceDocument.objects.published().filter(slug=slug).first()
    if document is None or not document.is_consultation:
        raise Http404("No such consultation")
    return render(request, "sources/consultation_thanks.html", {"document": document})
