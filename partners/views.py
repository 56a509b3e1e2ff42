"""Partner pages (/my-organisation/) and the editors' review queue (/edit/updates/)."""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import partner_organisation
from editing.models import ChangeRecord
from editing.permissions import editor_required
from editing.services import EditConflict
from milestones.models import Status, due_soon_condition, overdue_condition
from partners import review, services
from partners.forms import AcceptForm, DeclineForm, ProgressUpdateForm
from partners.models import ProgressUpdate
from routemap.models import Edition
from sources.actions import organisation_actions
from sources.models import resolve_links


def partner_required(view):
    """Anonymous readers are sent to sign in; people who are not partners get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = partner_organisation(request.user)
        if organisation is None:
            raise PermissionDenied("This page is for partner organisations.")
        return view(request, organisation, *args, **kwargs)

    return wrapper


# ------------------------------------------------------------------------------- partners


def _urgency(today: datetime.date | None = None) -> Case:
    """0 overdue, 1 due soon, 2 neither: by due date, for milestones and commitments alike."""
    return Case(
        When(overdue_condition(today), then=Value(0)),
        When(due_soon_condition(today), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def organisation_commitments(organisation, today: datetime.date | None = None):
    """The commitments naming the organisation (sources.actions), overdue first, then due
    soon, then by due date (`urgency` as for milestones)."""
    commitments = organisation_actions(organisation).commitments.with_context()
    return commitments.annotate(urgency=_urgency(today)).in_due_order("urgency")


def organisation_milestones(organisation, today: datetime.date | None = None):
    """The organisation's published milestones (sources.actions: its own or inherited),
    overdue first, then due soon, then by year and due date, with the date of the last
    published change to each (`urgency`: 0 overdue, 1 due soon, 2 neither)."""
    last_change = ChangeRecord.objects.filter(
        route_map=OuterRef("outcome__edition__route_map"),
        object_key=OuterRef("key"),
        edition__state__in=[Edition.State.PUBLISHED, Edition.State.SUPERSEDED],
    ).order_by("-created_at")
    return (
        organisation_actions(organisation)
        .milestones.with_context()
        .annotate(
            urgency=_urgency(today),
            last_changed_at=Subquery(last_change.values("created_at")[:1]),
        )
        .order_by(
            "urgency",
            "year",
            "due_date",
            "outcome__edition__route_map__order",
            "outcome__edition__route_map__title",
            "outcome__order",
            "order",
            "pk",
        )
    )


@partner_required
@require_GET
def my_organisation(request: HttpRequest, organisation) -> HttpResponse:
    milestones = list(organisation_milestones(organisation))
    commitments = list(organisation_commitments(organisation))
    resolve_links(commitments)
    updates = list(
        ProgressUpdate.objects.filter(organisation=organisation)
        .with_people()
        .order_by("-created_at", "-pk")
    )
    by_milestone: dict = {}
    for update in updates:
        by_milestone.setdefault((update.route_map_id, update.milestone_key), []).append(update)
    for milestone in milestones:
        own = by_milestone.get((milestone.outcome.edition.route_map_id, milestone.key), [])
        milestone.partner_updates = own
        accepted = [u.reviewed_at for u in own if u.state == ProgressUpdate.State.ACCEPTED]
        dates = [d for d in [milestone.last_changed_at, *accepted] if d is not None]
        milestone.last_update = max(dates) if dates else None
    return render(
        request,
        "partners/my_organisation.html",
        {
            "organisation": organisation,
            "milestones": milestones,
            "commitments": commitments,
            "action_count": len(milestones) + len(commitments),
            "overdue_count": sum(1 for a in [*milestones, *commitments] if a.urgency == 0),
            "due_soon_count": sum(1 for a in [*milestones, *commitments] if a.urgency == 1),
            "updates": updates,
            "pending_count": sum(1 for u in updates if u.state == ProgressUpdate.State.PENDING),
        },
    )


@partner_required
@require_http_methods(["GET", "POST"])
def update_submit(request: HttpRequest, organisation, key) -> HttpResponse:
    milestone = services.partner_milestone(organisation, key)
    if milestone is None:
        raise Http404(f"{organisation.name} has no published milestone with that identifier.")
    reported = milestone.status if milestone.status != Status.NO_UPDATE else None
    form = ProgressUpdateForm(request.POST or None, initial={"proposed_status": reported})
    if request.method == "POST" and form.is_valid():
        services.progress_update_submit(
            user=request.user,
            milestone_key=milestone.key,
            route_map=milestone.outcome.edition.route_map,
            proposed_status=form.cleaned_data["proposed_status"],
            note=form.cleaned_data["note"],
            evidence_url=form.cleaned_data["evidence_url"],
        )
        messages.success(
            request,
            "Your update has been sent. An editor will review it; you will see the outcome "
            "under “Your updates”.",
        )
        return redirect(reverse("partners:home") + "#updates")
    return render(
        request,
        "partners/update_form.html",
        {"organisation": organisation, "milestone": milestone, "form": form},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------------------- review queue
# Each pending update is a card (partners/includes/_review_card.html) with an accept form and
# a decline form. With htmx they post in place and the card is swapped for its result; without
# JavaScript they post, and the queue page comes back with a message (or the card's errors).


def _reviewable(request, pk: int) -> ProgressUpdate:
    update = get_object_or_404(ProgressUpdate.objects.with_people(), pk=pk)
    if not update.can_be_reviewed_by(request.user):
        raise PermissionDenied(
            "This update is about a route map or source document assigned to other editors."
        )
    return update


def _with_forms(update, *, accept_form=None, decline_form=None, conflict=None, error=""):
    """The card's forms: the bound ones given (errors, a conflict), fresh ones otherwise."""
    revision = update.current.revision if update.current is not None else None
    update.accept_form = accept_form or AcceptForm.for_update(update, revision=revision)
    update.decline_form = decline_form or DeclineForm.for_update(update)
    update.conflict = conflict
    update.error = error
    return update


def _pending_for(user):
    return ProgressUpdate.objects.pending().reviewable_by(user)


def _render_card(request, update, *, status: int, **card) -> HttpResponse:
    """One card again (with errors, a conflict or a message): alone for htmx, which swaps only
    successful responses, or in the whole queue page."""
    _with_forms(update, **card)
    if request.htmx:
        return render(request, "partners/includes/_review_card.html", {"update": update})
    return _queue_page(request, card=update, status=status)


def _reviewed(request, update, message: str) -> HttpResponse:
    """After a decision: the card's result for htmx (focus moves to it, and the page's live
    region announces it), or back to the queue with the message."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("partners_review:queue")
    update.refresh_from_db()
    review.attach_context([update])
    return render(
        request,
        "partners/includes/_review_result.html",
        {
            "update": update,
            "message": message,
            "publish_url": review.publish_url(update, request.user),
            "draft_url": review.draft_url(update),
            "waiting": _pending_for(request.user).count(),
            "announcement": f"{update.get_state_display()}: the update from "
            f"{update.organisation.name}.",
        },
    )


def _queue_page(request, *, card=None, status: int = 200) -> HttpResponse:
    """The queue: pending updates oldest first, each beside the item as it is now, then the
    last ten decisions. `card` replaces its pending update (bound forms after an error)."""
    user = request.user
    reviewable = ProgressUpdate.objects.reviewable_by(user).with_people()
    updates = list(reviewable.pending().order_by("created_at", "pk"))
    reviewed = list(
        reviewable.filter(
            state__in=[ProgressUpdate.State.ACCEPTED, ProgressUpdate.State.DECLINED]
        ).order_by("-reviewed_at", "-pk")[:10]
    )
    review.attach_context(updates + reviewed)
    updates = [card if card and u.pk == card.pk else _with_forms(u) for u in updates]
    for update in reviewed:
        update.publish_url = review.publish_url(update, user)
    return render(
        request,
        "partners/review_queue.html",
        {"updates": updates, "reviewed": reviewed},
        status=status,
    )


@editor_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request)


@editor_required
@require_POST
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    update = _reviewable(request, pk)
    review.attach_context([update])
    if update.state != ProgressUpdate.State.PENDING:
        return _already_reviewed(request, update)
    form = AcceptForm.for_update(update, request.POST)
    if not form.is_valid():
        return _render_card(request, update, accept_form=form, status=400)
    try:
        services.progress_update_accept(
            update=update,
            user=request.user,
            note=form.cleaned_data["note"],
            expected_revision=form.cleaned_data["revision"],
        )
    except services.AlreadyReviewed:
        return _already_reviewed(request, update)
    except services.NotApplicable as exc:
        review.attach_context([update])
        return _render_card(request, update, accept_form=form, error=str(exc), status=409)
    except EditConflict as conflict:
        # Keep the editor's text; the form now carries the current revision, so accepting
        # again is a deliberate choice to replace the note someone else saved.
        data = request.POST.copy()
        data[form.add_prefix("revision")] = conflict.current.revision
        form = AcceptForm.for_update(update, data)
        form.is_valid()
        review.attach_context([update])
        return _render_card(request, update, accept_form=form, conflict=conflict, status=409)
    where = (
        f"the draft of “{update.commitment.document.title}”"
        if update.is_commitment
        else f"the draft of “{update.route_map.title}”"
    )
    return _reviewed(
        request,
        update,
        f"Accepted the update from {update.organisation.name}: its status and progress note "
        f"are in {where}. They become public when it is published.",
    )


def _already_reviewed(request, update) -> HttpResponse:
    update.refresh_from_db()
    message = f"This update was already {update.get_state_display().lower()}"
    if update.reviewer_name:
        message += f" by {update.reviewer_name}"
    message += "."
    if request.htmx:
        return _reviewed(request, update, message)
    messages.info(request, message)
    return redirect("partners_review:queue")


@editor_required
@require_http_methods(["GET", "POST"])
def review_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """The decline form on its own page: the way without JavaScript, and where its errors
    show when it was sent from a card without htmx."""
    update = _reviewable(request, pk)
    if update.state != ProgressUpdate.State.PENDING:
        return _already_reviewed(request, update)
    form = DeclineForm.for_update(update, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_decline(
                update=update, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.AlreadyReviewed:
            return _already_reviewed(request, update)
        return _reviewed(
            request,
            update,
            f"Declined the update from {update.organisation.name}. They will see why.",
        )
    review.attach_context([update])
    if request.htmx and request.method == "POST":
        return _render_card(request, update, decline_form=form, status=400)
    return render(
        request,
        "partners/decline.html",
        {"update": update, "form": form},
        status=400 if form.errors else 200,
    )
