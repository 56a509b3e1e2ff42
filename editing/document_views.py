"""Editor pages for source documents: the draft of a document and its commitments (edit,
add, remove, publish, discard, history); consultations' responses (moderate, export as CSV).

Checked in the views: anonymous readers are sent to sign in; editors and publishers edit
only the documents assigned to them (or every one with the explicit permission, see
accounts.roles); only publishers publish or discard; only moderators see consultation
responses, because they carry respondents' names. The rules are in services and the models.
"""

import csv
from dataclasses import dataclass
from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import (
    can_edit_source_document,
    editable_source_document_ids,
    is_moderator,
)
from core import clock
from editing import history
from editing.document_forms import CommitmentForm, DocumentForm, PublishForm
from editing.drafts import (
    Drafting,
    discard_page,
    form_after_conflict,
    form_response,
    history_page,
    publish_page,
)
from editing.permissions import (
    editor_or_moderator_required,
    editor_required,
    moderator_required,
    publisher_required,
)
from milestones.exports import csv_cell
from milestones.models import Status
from publishing.edits import EditConflict
from sources import services
from sources.models import ConsultationResponse, SourceDocument


def _consultation(slug: str) -> SourceDocument:
    document = SourceDocument.objects.filter(
        slug=slug, kind=SourceDocument.Kind.CONSULTATION
    ).first()
    if document is None:
        raise Http404("No such consultation")
    return document


@require_GET
@editor_or_moderator_required
def document_list(request: HttpRequest) -> HttpResponse:
    """The documents this person may edit, whether they have unpublished changes, and, for
    moderators, every consultation with its responses."""
    editable = editable_source_document_ids(request.user)
    moderator = is_moderator(request.user)
    if editable is None:
        visible = Q()
    else:
        visible = Q(pk__in=editable)
        if moderator:
            visible |= Q(kind=SourceDocument.Kind.CONSULTATION)
    documents = (
        SourceDocument.objects.filter(visible)
        .select_related("publisher", "draft")
        .annotate(
            commitment_count=Count("commitments", distinct=True),
            response_count=Count("responses", distinct=True),
            pending_count=Count(
                "responses",
                filter=Q(responses__state=ConsultationResponse.State.PENDING),
                distinct=True,
            ),
        )
        .order_by("title")
    )
    for document in documents:
        document.can_edit = editable is None or document.pk in editable
    return render(
        request,
        "sources/edit/document_list.html",
        {"documents": documents, "can_moderate": moderator},
    )


@require_GET
@moderator_required
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
@moderator_required
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
        # The rules broken, as sentences (the consent rule is the model's constraint).
        messages.error(request, " ".join(exc.messages))
    else:
        label = ConsultationResponse.State(state).label.lower()
        messages.success(request, f"Response {response.pk}: {label}.")
    url = reverse("sources-edit:responses", args=[document.slug])
    return redirect(f"{url}?state={back}#response-{response.pk}")


@require_GET
@moderator_required
def response_csv(request: HttpRequest, slug: str) -> HttpResponse:
    document = _consultation(slug)
    questions = list(document.questions.all())
    responses = document.responses.with_answers().select_related("moderated_by").order_by("pk")
    stamp = clock.today().isoformat()
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
            *(csv_cell(str(q)) for q in questions),
        ]
    )
    for response in responses:
        answers = {a.question_id: a.text for a in response.answers.all()}
        writer.writerow(
            [
                response.pk,
                timezone.localtime(response.created_at).isoformat(timespec="seconds"),
                response.get_respondent_type_display(),
                csv_cell(response.name),
                csv_cell(response.organisation),
                "yes" if response.consent_to_publish else "no",
                response.state,
                response.moderated_by.get_username() if response.moderated_by else "",
                timezone.localtime(response.moderated_at).isoformat(timespec="seconds")
                if response.moderated_at
                else "",
                *(csv_cell(answers.get(q.pk, "")) for q in questions),
            ]
        )
    return http


# ------------------------------------------------------------------------ document drafts
# Editors change a document and its commitments in a draft (sources.services); publishers
# publish or discard it. Every form works as a full-page POST; with htmx a commitment's
# "Edit" swaps in its form and saving swaps back the commitment only.


def _document_for_editing(request: HttpRequest, slug: str) -> SourceDocument:
    document = get_object_or_404(SourceDocument.objects.select_related("publisher"), slug=slug)
    if not can_edit_source_document(request.user, document):
        raise PermissionDenied("This source document is assigned to other editors.")
    return document


def _edit_url(document: SourceDocument, anchor: str = "") -> str:
    url = reverse("sources-edit:document", args=[document.slug])
    return f"{url}#{anchor}" if anchor else url


@dataclass
class DocumentDrafting(Drafting):
    """A source document (`subject`) and its draft."""

    subject: SourceDocument
    publish_form: ClassVar = PublishForm
    kind: ClassVar = "document"
    noun: ClassVar = "document"
    base_template: ClassVar = "sources/edit/base_edit.html"
    url_namespace: ClassVar = "sources-edit"
    edit_page: ClassVar = "document"

    def subject_context(self) -> dict:
        return {"document": self.subject, "draft": self.draft}

    @cached_property
    def draft(self):
        return services.document_draft(self.subject)

    def changes(self) -> list[str]:
        return services.describe_draft(self.subject, self.draft)

    def publish(self, *, user, note: str) -> None:
        services.document_publish(document=self.subject, user=user, note=note)

    def discard(self, *, user) -> None:
        services.document_draft_discard(document=self.subject, user=user)

    def records(self):
        return self.subject.change_records.newest_first()[:300]

    def saves(self) -> list:
        records = list(self.records())
        return history.saves(records, history.document_contexts(self.subject, records))


def _draft_context(request: HttpRequest, document: SourceDocument, **extra) -> dict:
    """`draft`, when the caller has it already (None too), saves a query."""
    drafting = DocumentDrafting(document)
    if "draft" in extra:
        drafting.draft = extra.pop("draft")
    return drafting.context(request, **extra)


def _item(document: SourceDocument, key: str):
    try:
        return services.editable_commitment(document, services.document_draft(document), key)
    except services.NotEditable as exc:
        raise Http404(str(exc)) from exc


def _form_errors_from(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@require_GET
@editor_required
def document_edit(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document_for_editing(request, slug)
    draft = services.document_draft(document)
    form = DocumentForm(initial=DocumentForm.initial_for(draft or document), document=document)
    return render(
        request,
        "sources/edit/document.html",
        _draft_context(
            request,
            document,
            draft=draft,
            form=form,
            rows=services.editable_commitments(document, draft),
        ),
    )


@require_http_methods(["GET", "POST"])
@editor_required
def document_details(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document_for_editing(request, slug)
    if request.method == "GET":
        return redirect(_edit_url(document, "details"))
    form = DocumentForm(request.POST, document=document)
    if form.is_valid():
        try:
            services.document_draft_update(
                document=document, user=request.user, values=form.values()
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, "Document details saved to the draft.")
            return redirect(_edit_url(document, "details"))
    return render(
        request, "sources/edit/details_form.html", _draft_context(request, document, form=form)
    )


def _commitment_form_response(request, document, item, form, conflict=None, status=200):
    return form_response(
        request,
        fragment="sources/edit/includes/_commitment_form.html",
        page="sources/edit/commitment_form.html",
        context=_draft_context(request, document, item=item, form=form, conflict=conflict),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@editor_required
def commitment_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    document = _document_for_editing(request, slug)
    item = _item(document, key)
    if request.method == "GET":
        if request.htmx and request.GET.get("cancel"):
            return render(
                request,
                "sources/edit/includes/_commitment.html",
                _draft_context(request, document, item=item),
            )
        form = CommitmentForm(initial=CommitmentForm.initial_for(item), document=document)
        return _commitment_form_response(request, document, item, form)
    form = CommitmentForm(request.POST, document=document)
    if not form.is_valid():
        return _commitment_form_response(request, document, item, form)
    try:
        services.commitment_draft_save(
            document=document,
            key=key,
            user=request.user,
            values=form.values(),
            organisations=form.organisation_choices(),
            expected_revision=form.cleaned_data["revision"],
        )
    except EditConflict as conflict:
        form = form_after_conflict(CommitmentForm, request, conflict, document=document)
        return _commitment_form_response(
            request, document, conflict.current, form, conflict=conflict, status=409
        )
    except services.NotEditable as exc:
        messages.error(request, str(exc))
        return redirect(_edit_url(document, f"commitment-{key}"))
    except ValidationError as exc:
        _form_errors_from(form, exc)
        return _commitment_form_response(request, document, item, form)
    if request.htmx:
        return render(
            request,
            "sources/edit/includes/_commitment.html",
            _draft_context(request, document, item=_item(document, key), saved=True),
        )
    messages.success(request, f"Commitment {item.reference} saved to the draft.")
    return redirect(_edit_url(document, f"commitment-{key}"))


@require_http_methods(["GET", "POST"])
@editor_required
def commitment_add(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document_for_editing(request, slug)
    if request.method == "POST":
        form = CommitmentForm(request.POST, document=document, adding=True)
        if form.is_valid():
            try:
                item = services.commitment_draft_add(
                    document=document,
                    user=request.user,
                    reference=form.cleaned_data["reference"],
                    values=form.values(),
                    organisations=form.organisation_choices(),
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, f"Commitment {item.reference} added to the draft.")
                return redirect(_edit_url(document, f"commitment-{item.key}"))
    else:
        form = CommitmentForm(initial={"status": Status.NO_UPDATE}, document=document, adding=True)
    return render(
        request, "sources/edit/commitment_add.html", _draft_context(request, document, form=form)
    )


@require_http_methods(["GET", "POST"])
@editor_required
def commitment_remove(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    document = _document_for_editing(request, slug)
    item = _item(document, key)
    if request.method == "POST":
        try:
            services.commitment_draft_remove(document=document, key=key, user=request.user)
        except services.NotEditable as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Commitment {item.reference} removed from the draft.")
        return redirect(_edit_url(document, "commitments"))
    return render(
        request, "sources/edit/confirm_remove.html", _draft_context(request, document, item=item)
    )


@require_GET
@editor_required
def document_history(request: HttpRequest, slug: str) -> HttpResponse:
    return history_page(request, DocumentDrafting(_document_for_editing(request, slug)))


@require_http_methods(["GET", "POST"])
@publisher_required
def document_publish(request: HttpRequest, slug: str) -> HttpResponse:
    return publish_page(request, DocumentDrafting(_document_for_editing(request, slug)))


@require_http_methods(["GET", "POST"])
@publisher_required
def document_discard(request: HttpRequest, slug: str) -> HttpResponse:
    return discard_page(request, DocumentDrafting(_document_for_editing(request, slug)))
