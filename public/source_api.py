"""Read-only JSON for source documents and their commitments (published documents only).

Published consultation responses are included without the name or organisation given.
"""

from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from public.api import clean_json_response, not_found, read_only
from public.source_views import not_shared_while_open
from sources.models import Commitment, SourceDocument, resolve_links


def _date(value):
    return value.isoformat() if value else None


def document_summary(document: SourceDocument, request: HttpRequest) -> dict:
    return {
        "slug": document.slug,
        "title": document.title,
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "publisher": document.publisher.slug,
        "published_on": _date(document.published_on),
        "published_label": document.published_label,
        "closes_on": _date(document.closes_on),
        "last_updated": _date(document.last_updated),
        "is_open": document.is_open(),
        "source_url": document.url,
        "url": request.build_absolute_uri(document.get_absolute_url()),
        "api_url": request.build_absolute_uri(f"/api/sources/{document.slug}/"),
    }


def commitment_data(commitment: Commitment, request: HttpRequest) -> dict:
    return {
        "reference": commitment.reference,
        "order": commitment.order,
        "title": commitment.title,
        "text": commitment.text,
        "section": str(commitment.section) if commitment.section else None,
        "timescale": commitment.timescale,
        "year_from": commitment.year_from,
        "year_to": commitment.year_to,
        "phase": commitment.phase.label if commitment.phase else None,
        "foundation": commitment.foundation.name if commitment.foundation else None,
        "status": commitment.status,
        "status_label": commitment.get_status_display(),
        **commitment.status_updated_data(),
        "overdue": commitment.overdue,
        "due_date": _date(commitment.due_date),
        "due_precision": commitment.due_precision or None,
        "due_label": commitment.due_label,
        "due_soon": commitment.due_soon,
        "progress_note": commitment.progress_note,
        "organisations": [
            {"slug": link.organisation.slug, "role": link.role or None}
            for link in commitment.organisation_links.all()
        ],
        "outcomes": [
            {
                "route_map": outcome.edition.route_map.slug,
                "outcome": outcome.slug,
                "key": str(outcome.key),
                "url": request.build_absolute_uri(outcome.get_absolute_url()),
            }
            for outcome in commitment.resolved_outcomes
        ],
        "milestones": [
            {
                "route_map": milestone.outcome.edition.route_map.slug,
                "outcome": milestone.outcome.slug,
                "id": str(milestone.key),
                "year": milestone.year,
                "url": request.build_absolute_uri(milestone.get_absolute_url()),
            }
            for milestone in commitment.resolved_milestones
        ],
    }


@read_only
def document_list(request: HttpRequest) -> JsonResponse:
    documents = list(SourceDocument.objects.published().with_counts().newest_first())
    response = clean_json_response(
        {
            "sources": [
                {**document_summary(d, request), "commitment_count": d.commitment_count}
                for d in documents
            ]
        }
    )
    return not_shared_while_open(response, documents)


@read_only
def document_detail(request: HttpRequest, slug: str) -> JsonResponse:
    document = SourceDocument.objects.published().with_content().filter(slug=slug).first()
    if document is None:
        return not_found(f"No source document with slug '{slug}'.")
    commitments = list(document.commitments.all())
    resolve_links(commitments)
    data = document_summary(document, request)
    data.update(
        summary=document.summary,
        introduction=document.introduction,
        vision=document.vision,
        phases=[
            {
                "label": phase.label,
                "name": phase.name,
                "timescale": phase.timescale,
                "year_from": phase.year_from,
                "year_to": phase.year_to,
                "text": phase.text,
                "source_note": phase.source_note,
            }
            for phase in document.phases.all()
        ],
        commitments=[commitment_data(c, request) for c in commitments],
        questions=[
            {"number": q.number, "text": q.text, "hint": q.hint} for q in document.questions.all()
        ],
        responses=[],
        version=document.versions.aggregate(n=Max("number"))["n"],
        changes_url=request.build_absolute_uri(reverse("sources:changes", args=[document.slug])),
    )
    if document.is_consultation:
        data["responses"] = [
            {
                "id": response.pk,
                "respondent_type": response.respondent_type,
                "received": _date(response.created_at.date()),
                "answers": [
                    {"question": answer.question.number, "text": answer.text}
                    for answer in response.answers.all()
                ],
            }
            for response in document.responses.published().with_answers()
        ]
    return not_shared_while_open(clean_json_response(data), [document])
