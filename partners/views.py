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

from accounts.roles import can_edit_route_map, editable_route_map_ids, partner_organisation
from editing.models import ChangeRecord
from editing.permissions import editor_required
from editing.services import EditConflict, NotEditable
from milestones.models import Milestone, Status, due_soon_condition, overdue_condition
from partners import services
from partners.forms import DeclineForm, ProgressUpdateForm
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


def _reviewable(request, pk: int) -> ProgressUpdate:
    update = get_object_or_404(ProgressUpdate.objects.with_people(), pk=pk)
    if not can_edit_route_map(request.user, update.route_map):
        raise PermissionDenied("This update is about a route map assigned to other editors.")
    return update


@editor_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    route_map_ids = editable_route_map_ids(request.user)
    updates = list(
        ProgressUpdate.objects.pending()
        .for_route_maps(route_map_ids)
        .with_people()
        .order_by("created_at", "pk")
    )
    live = {
        (m.outcome.edition.route_map_id, m.key): m
        for m in Milestone.objects.published()
        .filter(key__in=[u.milestone_key for u in updates])
        .select_related("outcome__edition__route_map", "status_updated_by")
    }
    for update in updates:
        update.live_milestone = live.get((update.route_map_id, update.milestone_key))
    reviewed = list(
        ProgressUpdate.objects.exclude(state=ProgressUpdate.State.PENDING)
        .for_route_maps(route_map_ids)
        .with_people()
        .order_by("-reviewed_at", "-pk")[:10]
    )
    return render(request, "partners/review_queue.html", {"updates": updates, "reviewed": reviewed})


@editor_required
@require_POST
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    update = _reviewable(request, pk)
    try:
        services.progress_update_accept(update=update, user=request.user)
    except (services.AlreadyReviewed, NotEditable) as exc:
        messages.error(request, str(exc))
    except EditConflict:
        messages.error(
            request,
            "The milestone kept changing while the update was being accepted: nothing was "
            "changed. Try again.",
        )
    else:
        messages.success(
            request,
            f"Accepted the update from {update.organisation.name}: the milestone's status and "
            f"progress note are changed in the draft of “{update.route_map.title}”. "
            "Publish the route map to make them public.",
        )
    return redirect("partners_review:queue")


@editor_required
@require_http_methods(["GET", "POST"])
def review_decline(request: HttpRequest, pk: int) -> HttpResponse:
    update = _reviewable(request, pk)
    if update.state != ProgressUpdate.State.PENDING:
        messages.info(request, f"This update was already {update.get_state_display().lower()}.")
        return redirect("partners_review:queue")
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_decline(
                update=update, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.AlreadyReviewed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Declined the update from {update.organisation.name}. They will see why."
            )
        return redirect("partners_review:queue")
    return render(
        request,
        "partners/decline.html",
        {"update": update, "form": form},
        status=400 if form.errors else 200,
    )
