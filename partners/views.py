"""Partner pages (/my-organisation/) and the editors' review queue (/edit/updates/)."""

import datetime
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import partner_organisation
from core.htmx import vary_on_htmx, wants_partial
from editing.permissions import editor_required
from milestones.models import Status, due_soon_condition, overdue_condition
from partners import review, services
from partners.forms import AcceptForm, DeclineForm, ProgressUpdateForm
from partners.models import ProgressUpdate, action_key_of
from public.timeline import breakdown
from public.timeline_forms import TimelineFilterForm
from public.timeline_views import canonical_url, filtered_page_context, has_blank_parameters
from publishing.edits import EditConflict
from publishing.models import ChangeRecord
from routemap.models import Edition
from sources.actions import ActionCount, organisation_action_count
from sources.models import Commitment, resolve_links


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


def partner_commitments(commitments, today: datetime.date | None = None):
    """Commitments (of sources.actions) as the partner's page lists them, overdue first, then
    due soon, then by due date (`urgency` as for milestones)."""
    return commitments.with_context().annotate(urgency=_urgency(today)).in_due_order("urgency")


def partner_milestones(milestones, today: datetime.date | None = None):
    """Published milestones (of sources.actions) as the partner's page lists them, overdue
    first, then due soon, then by year and due date, with the date of the last published
    change to each (`urgency`: 0 overdue, 1 due soon, 2 neither)."""
    last_change = ChangeRecord.objects.filter(
        route_map=OuterRef("outcome__edition__route_map"),
        object_key=OuterRef("key"),
        edition__state__in=[Edition.State.PUBLISHED, Edition.State.SUPERSEDED],
    ).order_by("-created_at")
    return (
        milestones.with_context()
        .annotate(
            urgency=_urgency(today),
            last_changed_at=Subquery(last_change.values("created_at")[:1]),
        )
        .in_timeline_order("urgency")
    )


def due_year(action) -> int | None:
    """The year an action is due: its due date's, or a milestone's plan year; None for a
    commitment printed without a timescale."""
    if action.due_date is not None:
        return action.due_date.year
    return getattr(action, "year", None)


@dataclass
class YearGroup:
    year: int | None
    actions: list

    @property
    def key(self) -> str:
        return f"year-{self.year}" if self.year else "year-none"

    @property
    def label(self) -> str:
        return str(self.year) if self.year else "No year given"


def by_due_year(actions: list) -> list[YearGroup]:
    """Milestones and commitments together under the year each is due ("No year given"
    last); within a year overdue first, then due soon, then by due date, keeping the given
    order for ties."""
    ordered = sorted(
        actions,
        key=lambda a: (
            due_year(a) is None,
            due_year(a) or 0,
            a.urgency,
            a.due_date or datetime.date.max,
        ),
    )
    groups: list[YearGroup] = []
    for action in ordered:
        year = due_year(action)
        if not groups or groups[-1].year != year:
            groups.append(YearGroup(year, []))
        groups[-1].actions.append(action)
    return groups


def attach_updates(actions: list, updates: list[ProgressUpdate]) -> None:
    """Each action's `kind`, its own updates, newest first (`partner_updates`), the newest of them
    (`latest_update`), and the date of its last published change or accepted update
    (`last_update`, milestones only: commitments show who set their status and when)."""
    by_action: dict = {}
    for update in updates:
        by_action.setdefault(update.action_key, []).append(update)
    for action in actions:
        action.kind = "commitment" if isinstance(action, Commitment) else "milestone"
        own = by_action.get(action_key_of(action), [])
        action.partner_updates = own
        action.latest_update = own[0] if own else None
        if not isinstance(action, Commitment):
            accepted = [u.reviewed_at for u in own if u.state == ProgressUpdate.State.ACCEPTED]
            dates = [d for d in [action.last_changed_at, *accepted] if d is not None]
            action.last_update = max(dates) if dates else None


@partner_required
@require_GET
@vary_on_htmx
def my_organisation(request: HttpRequest, organisation) -> HttpResponse:
    """The organisation's actions by the year they are due, with the public organisation
    page's filters (a GET form; htmx swaps the results), and the updates it has sent."""
    form = TimelineFilterForm(request.GET, organisation=organisation)
    partial = wants_partial(request.META)
    if not partial and has_blank_parameters(request):
        return HttpResponseRedirect(canonical_url(request.path, form))
    updates = list(
        ProgressUpdate.objects.sent_by(organisation).with_people().order_by("-created_at", "-pk")
    )
    context = filtered_page_context(request, form)
    context.update(organisation=organisation, results_url=request.path, years=None)
    if form.is_valid():
        actions = form.actions()
        milestones = list(partner_milestones(actions.milestones))
        commitments = list(partner_commitments(actions.commitments))
        resolve_links(commitments)
        attach_updates([*milestones, *commitments], updates)
        context.update(
            years=by_due_year([*milestones, *commitments]),
            match_count=len(milestones) + len(commitments),
            breakdown=breakdown(len(milestones), len(commitments)),
        )
    if partial:
        response = render(request, "partners/includes/_my_actions.html", context)
        response["HX-Push-Url"] = canonical_url(request.path, form)
        return response
    if context["years"] is not None and not form.params():
        # The list is every action: count it rather than ask the database again.
        listed = [a for group in context["years"] for a in group.actions]
        summary = ActionCount(
            total=len(listed),
            overdue=sum(1 for a in listed if a.urgency == 0),
            due_soon=sum(1 for a in listed if a.urgency == 1),
            milestones=sum(1 for a in listed if a.kind == "milestone"),
            commitments=sum(1 for a in listed if a.kind == "commitment"),
        )
    else:
        summary = organisation_action_count(organisation)
    context.update(
        summary=summary,
        updates=updates,
        pending_count=sum(1 for u in updates if u.is_waiting),
        calendar_url=reverse("organisations:calendar", args=[organisation.slug]),
    )
    return render(request, "partners/my_organisation.html", context)


def _send_update(request: HttpRequest, organisation, action, **about) -> HttpResponse:
    """The form for a new update on `action` (a live milestone or commitment; `about` names
    it for `progress_update_submit`), warning when one of the organisation's is waiting."""
    noun = "commitment" if isinstance(action, Commitment) else "milestone"
    waiting = (
        ProgressUpdate.objects.sent_by(organisation)
        .pending()
        .about(action)
        .order_by("-created_at", "-pk")
        .first()
    )
    reported = action.status if action.status != Status.NO_UPDATE else None
    form = ProgressUpdateForm(
        request.POST or None, initial={"proposed_status": reported}, noun=noun
    )
    if request.method == "POST" and form.is_valid():
        services.progress_update_submit(user=request.user, **about, **form.cleaned_data)
        messages.success(
            request,
            "Your update has been sent. An editor will review it; you will see the outcome "
            "under “Your updates”.",
        )
        return redirect(reverse("partners:home") + "#updates")
    return render(
        request,
        "partners/update_form.html",
        {
            "organisation": organisation,
            "action": action,
            "noun": noun,
            "anchor": f"{noun}-{action.key if noun == 'milestone' else action.pk}",
            "form": form,
            "waiting": waiting,
        },
        status=400 if form.errors else 200,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def update_submit(request: HttpRequest, organisation, key) -> HttpResponse:
    milestone = services.partner_milestone(organisation, key)
    if milestone is None:
        raise Http404(f"{organisation.name} has no published milestone with that identifier.")
    return _send_update(
        request,
        organisation,
        milestone,
        milestone_key=milestone.key,
        route_map=milestone.outcome.edition.route_map,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def commitment_update_submit(request: HttpRequest, organisation, pk: int) -> HttpResponse:
    """Another body's commitment and a commitment of an unpublished document look alike:
    not found."""
    commitment = services.partner_commitment(organisation, pk)
    if commitment is None:
        raise Http404(f"{organisation.name} is named on no published commitment with that number.")
    return _send_update(request, organisation, commitment, commitment=commitment)


def _own_update(organisation, pk: int) -> ProgressUpdate:
    """One of the organisation's updates; another organisation's is not found."""
    return get_object_or_404(ProgressUpdate.objects.sent_by(organisation).with_people(), pk=pk)


def _partner_too_late(request: HttpRequest, update: ProgressUpdate) -> HttpResponse:
    messages.info(
        request,
        f"This update was already {update.get_state_display().lower()}, so it can no longer "
        "be changed. Send a new update if there is more to say.",
    )
    return redirect(reverse("partners:home") + f"#update-{update.pk}")


@partner_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, organisation, pk: int) -> HttpResponse:
    """Change an update while it waits for review. If an editor reviews it first, the
    partner is told and what they typed stays on the form."""
    update = _own_update(organisation, pk)
    if request.method == "GET" and not update.is_waiting:
        return _partner_too_late(request, update)
    noun = "commitment" if update.is_commitment else "milestone"
    initial = {
        "proposed_status": update.proposed_status,
        "note": update.note,
        "evidence_url": update.evidence_url,
    }
    form = ProgressUpdateForm(request.POST or None, initial=initial, noun=noun)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_edit(update=update, user=request.user, **form.cleaned_data)
        except services.AlreadyReviewed as exc:
            form.add_error(
                None,
                f"{exc} It can no longer be changed, so your changes were not saved. "
                "They are still below: copy them into a new update if they are still needed.",
            )
            status = 409
        else:
            messages.success(request, "Your update has been changed. An editor will review it.")
            return redirect(reverse("partners:home") + f"#update-{update.pk}")
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "partners/update_edit.html",
        {
            "organisation": organisation,
            "update": update,
            "noun": noun,
            "form": form,
            "anchor": f"update-{update.pk}",
        },
        status=status,
    )


@partner_required
@require_http_methods(["GET", "POST"])
def update_withdraw(request: HttpRequest, organisation, pk: int) -> HttpResponse:
    """Asks first (GET), then withdraws (POST): a withdrawn update is never reviewed."""
    update = _own_update(organisation, pk)
    if not update.is_waiting:
        return _partner_too_late(request, update)
    if request.method == "POST":
        try:
            services.progress_update_withdraw(update=update, user=request.user)
        except services.AlreadyReviewed:
            update.refresh_from_db(fields=["state"])
            return _partner_too_late(request, update)
        messages.success(request, "Your update was withdrawn. It will not be reviewed.")
        return redirect(reverse("partners:home") + f"#update-{update.pk}")
    return render(
        request, "partners/update_withdraw.html", {"organisation": organisation, "update": update}
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
