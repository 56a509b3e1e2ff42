"""Editor pages under /edit/: thin views over editing.services, htmx-enhanced.

Every form works as a full-page POST; with htmx the response is the edited fragment only.
"""

from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import (
    editable_route_map_ids,
    is_editor,
    is_moderator,
    is_partner,
    is_publisher,
)
from core.text import cut_at_word
from editing import history, services
from editing.drafts import (
    Drafting,
    discard_page,
    form_after_conflict,
    form_at_revision,
    form_response,
    history_page,
    publish_page,
)
from editing.forms import (
    MilestoneForm,
    MoveForm,
    NewMilestoneForm,
    NewOrganisationForm,
    NewOutcomeForm,
    NewRouteMapForm,
    OutcomeForm,
    ProgressForm,
    PublishForm,
    RemoveForm,
    RestoreForm,
    RouteMapForm,
)
from editing.permissions import editor_required, publisher_required, route_map_for_editing
from milestones.models import (
    Milestone,
    Status,
    due_counts,
    responsible_bodies,
)
from outcomes.models import Outcome, ProgressEntry
from publishing.models import ChangeRecord
from routemap.changes import describe_changes
from routemap.models import Edition, RouteMap

# ------------------------------------------------------------------------------- helpers


def _edition_with_content(route_map: RouteMap) -> Edition | None:
    edition = services.editable_edition(route_map)
    if edition is None:
        return None
    return Edition.objects.with_content().get(pk=edition.pk)


def _milestone(route_map: RouteMap, key) -> Milestone:
    edition = services.editable_edition(route_map)
    milestone = (
        Milestone.objects.filter(outcome__edition=edition, key=key)
        .select_related("outcome__edition__route_map", "status_updated_by")
        .prefetch_related(*responsible_bodies())
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone in this route map.")
    return milestone


def _outcome(route_map: RouteMap, key) -> Outcome:
    edition = services.editable_edition(route_map)
    outcome = Outcome.objects.filter(edition=edition, key=key).select_related("edition").first()
    if outcome is None:
        raise Http404("No such outcome in this route map.")
    return outcome


def _progress(route_map: RouteMap, key) -> ProgressEntry:
    edition = services.editable_edition(route_map)
    entry = ProgressEntry.objects.filter(outcome__edition=edition, key=key).first()
    if entry is None:
        raise Http404("No such progress entry in this route map.")
    return entry


def _back_to(route_map: RouteMap, anchor: str = "") -> str:
    url = reverse("editing:route_map", args=[route_map.slug])
    return f"{url}#{anchor}" if anchor else url


def _progress_list(route_map: RouteMap, outcome_key) -> str:
    return reverse("editing:outcome", args=[route_map.slug, outcome_key]) + "#progress"


@dataclass
class RouteMapDrafting(Drafting):
    """A route map (`subject`) and its draft edition."""

    subject: RouteMap
    publish_form: ClassVar = PublishForm
    kind: ClassVar = "route map"
    noun: ClassVar = "version"
    base_template: ClassVar = "editing/base_editing.html"
    url_namespace: ClassVar = "editing"
    edit_page: ClassVar = "route_map"

    def subject_context(self) -> dict:
        states = set(
            self.subject.editions.filter(
                state__in=[Edition.State.DRAFT, Edition.State.PUBLISHED]
            ).values_list("state", flat=True)
        )
        return {
            "route_map": self.subject,
            "has_draft": Edition.State.DRAFT in states,
            "never_published": Edition.State.PUBLISHED not in states,
        }

    def publish_refusal(self) -> str:
        if self.draft is not None and not self.draft.outcomes.exists():
            return (
                "A route map is published with at least one outcome: the public page would "
                "otherwise have nothing to show. Add an outcome to the draft first."
            )
        return ""

    @cached_property
    def draft(self) -> Edition | None:
        return self.subject.editions.filter(state=Edition.State.DRAFT).first()

    def changes(self) -> list[str]:
        live = self.subject.editions.filter(state=Edition.State.PUBLISHED).first()
        return describe_changes(live, self.draft)

    def publish(self, *, user, note: str) -> None:
        services.route_map_publish(route_map=self.subject, user=user, note=note)

    def discard(self, *, user) -> None:
        services.route_map_discard_draft(route_map=self.subject, user=user)

    def records(self):
        return ChangeRecord.objects.filter(route_map=self.subject).newest_first()[:200]

    def saves(self) -> list:
        return _route_map_saves(self.subject, self.records())


def _route_map_saves(route_map: RouteMap, records) -> list[history.Save]:
    """The records as saves; a save of a milestone still in the draft can be restored."""
    records = list(records)
    edition = services.editable_edition(route_map)
    contexts = history.route_map_contexts(route_map, edition.pk if edition else None, records)

    def restorable(save: history.Save) -> bool:
        return save.context.revision is not None and services.is_restorable(save.records)

    return history.saves(records, contexts, restorable)


def _context(request: HttpRequest, route_map: RouteMap, **extra) -> dict:
    return RouteMapDrafting(route_map).context(request, **extra)


# ------------------------------------------------------------------------------- overview


def _dashboard_route_maps(user) -> list[RouteMap]:
    """Route maps this editor can edit, each with its live version, its draft (when there is
    one), whether either has outcomes (`has_content`), how many changes were made since the
    draft began and who made the last one."""
    ids = editable_route_map_ids(user)
    last_change = ChangeRecord.objects.filter(route_map=OuterRef("pk")).order_by("-created_at")
    draft = Edition.objects.drafts().filter(route_map=OuterRef("pk"))
    changes_since_draft = (
        ChangeRecord.objects.filter(
            route_map=OuterRef("pk"), created_at__gte=OuterRef("draft_started_at")
        )
        .order_by()
        .values("route_map")
        .annotate(count=Count("pk"))
        .values("count")
    )
    route_maps = RouteMap.objects.with_live_edition().annotate(
        draft_started_at=Subquery(draft.values("created_at")[:1]),
        changes_since_draft=Coalesce(Subquery(changes_since_draft), 0),
        last_changed_at=Subquery(last_change.values("created_at")[:1]),
        last_changed_by=Subquery(last_change.values("user__username")[:1]),
        has_content=Exists(
            Outcome.objects.filter(
                edition__route_map=OuterRef("pk"),
                edition__state__in=[Edition.State.PUBLISHED, Edition.State.DRAFT],
            )
        ),
    )
    if ids is not None:
        route_maps = route_maps.filter(pk__in=ids)
    return list(route_maps)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs attention: drafts waiting to be published, overdue and due-soon milestones,
    partner updates to review and the latest publishes. Partners who sign in land on their
    page, moderators who do not edit on the consultations they moderate."""
    user = request.user
    if user.is_authenticated and not is_editor(user) and is_partner(user):
        return redirect("partners:home")
    if user.is_authenticated and not is_editor(user) and is_moderator(user):
        return redirect("sources-edit:documents")
    return _dashboard(request)


@editor_required
def _dashboard(request: HttpRequest) -> HttpResponse:
    route_maps = _dashboard_route_maps(request.user)
    by_pk = {rm.pk: rm for rm in route_maps}
    rows = (
        Milestone.objects.published()
        .filter(outcome__edition__route_map__in=list(by_pk))
        .order_by()
        .values("outcome__edition__route_map")
        .annotate(**due_counts())
        .filter(Q(overdue__gt=0) | Q(due_soon__gt=0))
    )
    timeline = reverse("timeline")
    attention = []
    for row in rows:
        route_map = by_pk[row["outcome__edition__route_map"]]
        slug = route_map.slug
        attention.append(
            {
                "route_map": route_map,
                "overdue": row["overdue"],
                "due_soon": row["due_soon"],
                "overdue_url": f"{timeline}?{urlencode({'route_map': slug, 'overdue': 'on'})}",
                "due_soon_url": f"{timeline}?{urlencode({'route_map': slug, 'due_soon': 'on'})}",
            }
        )
    attention.sort(key=lambda item: (item["route_map"].order, item["route_map"].title))
    publishes = (
        Edition.objects.filter(published_at__isnull=False, route_map__in=list(by_pk))
        .select_related("route_map", "published_by")
        .order_by("-published_at", "-pk")[:10]
    )
    return render(
        request,
        "editing/dashboard.html",
        {
            "route_maps": route_maps,
            # Route maps with content get their actions; the empty ones (most of the plan's,
            # until their text is entered) share one line.
            "with_content": [rm for rm in route_maps if rm.has_content],
            "empty_route_maps": [rm for rm in route_maps if not rm.has_content],
            "drafts": [rm for rm in route_maps if rm.draft_started_at is not None],
            "attention": attention,
            "overdue_total": sum(item["overdue"] for item in attention),
            "overdue_url": f"{timeline}?overdue=on",
            "due_soon_total": sum(item["due_soon"] for item in attention),
            "due_soon_url": f"{timeline}?due_soon=on",
            "due_soon_days": settings.DUE_SOON_DAYS,
            "publishes": publishes,
            "can_moderate": is_moderator(request.user),
            "can_create_route_maps": is_publisher(request.user),
        },
    )


@publisher_required
@require_http_methods(["GET", "POST"])
def route_map_new(request: HttpRequest) -> HttpResponse:
    """A new route map, with an empty draft its editor page opens on."""
    form = NewRouteMapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            route_map = services.route_map_create(
                user=request.user,
                title=data["title"],
                foundation=data["foundation"],
                after=data["after"],
                source_url=data["source_url"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"“{route_map.title}” is created as a draft. Add its details and outcomes; "
                "the public sees it once it is published.",
            )
            return redirect("editing:route_map", route_map.slug)
    return render(request, "editing/route_map_new.html", {"form": form})


@editor_required
@require_GET
def route_map_edit(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    edition = _edition_with_content(route_map)
    # With no version at all yet, the first save starts an empty draft (revision 1).
    initial = RouteMapForm.initial_for(edition) if edition is not None else {"revision": 1}
    form = RouteMapForm(initial=initial)
    # A route map with no content yet can start from its published page's text.
    can_paste = is_publisher(request.user) and not services.paste_refusal(route_map)
    return render(
        request,
        "editing/route_map.html",
        _context(request, route_map, edition=edition, form=form, can_paste=can_paste),
    )


@editor_required
@require_POST
def route_map_details(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    form = RouteMapForm(request.POST)
    conflict = None
    if form.is_valid():
        values = {f: form.cleaned_data[f] for f in services.ROUTE_MAP_FIELDS}
        try:
            draft = services.route_map_update(
                route_map=route_map,
                user=request.user,
                values=values,
                what_matters=form.statements(),
                expected_revision=form.cleaned_data["revision"],
            )
        except services.EditConflict as caught:
            conflict = caught
            form = form_after_conflict(RouteMapForm, request, conflict)
        else:
            if request.htmx:
                return render(
                    request,
                    "editing/includes/_route_map_form.html",
                    _context(
                        request,
                        route_map,
                        form=form_at_revision(RouteMapForm, request, draft.revision),
                        saved=True,
                    ),
                )
            messages.success(request, "Route map details saved to the draft.")
            return redirect(_back_to(route_map, "details"))
    return form_response(
        request,
        fragment="editing/includes/_route_map_form.html",
        page="editing/form_page.html",
        context=_context(
            request,
            route_map,
            form=form,
            conflict=conflict,
            form_template="editing/includes/_route_map_form.html",
            title="Route map details",
        ),
        status=409 if conflict else 200,
    )


# ------------------------------------------------------------------------------- milestones


def _milestone_form_response(request, route_map, milestone, form, conflict=None, status=200):
    return form_response(
        request,
        fragment="editing/includes/_milestone_form.html",
        page="editing/milestone_form.html",
        context=_context(request, route_map, milestone=milestone, form=form, conflict=conflict),
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, slug: str, key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    milestone = _milestone(route_map, key)
    if request.method == "GET":
        if request.htmx and request.GET.get("cancel"):
            return render(
                request,
                "editing/includes/_milestone.html",
                _context(request, route_map, milestone=milestone, returned=True),
            )
        form = MilestoneForm(initial=MilestoneForm.initial_for(milestone), milestone=milestone)
        return _milestone_form_response(request, route_map, milestone, form)

    form = MilestoneForm(request.POST, milestone=milestone)
    if not form.is_valid():
        return _milestone_form_response(request, route_map, milestone, form)
    try:
        services.milestone_update(
            route_map=route_map,
            key=milestone.key,
            user=request.user,
            values=form.values(),
            organisations=form.organisation_choices(),
            expected_revision=form.cleaned_data["revision"],
        )
    except services.EditConflict as conflict:
        form = form_after_conflict(MilestoneForm, request, conflict, milestone=conflict.current)
        return _milestone_form_response(
            request, route_map, _milestone(route_map, key), form, conflict=conflict, status=409
        )
    if request.htmx:
        return render(
            request,
            "editing/includes/_milestone.html",
            _context(request, route_map, milestone=_milestone(route_map, key), saved=True),
        )
    messages.success(request, "Milestone saved to the draft.")
    return redirect(_back_to(route_map, f"edit-milestone-{key}"))


@editor_required
@require_http_methods(["GET", "POST"])
def milestone_add(request: HttpRequest, slug: str, outcome_key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    outcome = _outcome(route_map, outcome_key)
    if request.method == "POST":
        form = NewMilestoneForm(request.POST)
        if form.is_valid():
            milestone = services.milestone_add(
                route_map=route_map,
                outcome_key=outcome.key,
                user=request.user,
                values=form.values(),
                organisations=form.organisation_choices(),
            )
            messages.success(request, f"Milestone added to {milestone.year}.")
            return redirect(_back_to(route_map, f"edit-milestone-{milestone.key}"))
    else:
        form = NewMilestoneForm(initial={"status": Status.NO_UPDATE, "year": 2026})
    return render(
        request,
        "editing/milestone_add.html",
        _context(request, route_map, outcome=outcome, form=form),
    )


@editor_required
@require_GET
def milestone_history(request: HttpRequest, slug: str, key) -> HttpResponse:
    """A milestone never changed since the seed or import has no records yet but still has
    a history page (its edit page links here); a key not in this route map is 404."""
    route_map = route_map_for_editing(request, slug)
    records = list(
        ChangeRecord.objects.filter(route_map=route_map, object_key=key).newest_first()[:200]
    )
    saves = _route_map_saves(route_map, records)
    if saves:
        subject = saves[0].context.title or saves[0].heading
    else:
        subject = _milestone(route_map, key).text
    return render(
        request,
        "editing/history.html",
        _context(request, route_map, saves=saves, subject=subject, item_key=key),
    )


# ------------------------------------------------------------------------------- outcomes


@editor_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, slug: str, key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    outcome = _outcome(route_map, key)
    conflict = None
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                saved = services.outcome_update(
                    route_map=route_map,
                    key=outcome.key,
                    user=request.user,
                    values={
                        "title": form.cleaned_data["title"],
                        "statement": form.cleaned_data["statement"],
                    },
                    organisations=form.organisation_choices(),
                    linked_route_maps=form.cleaned_data["linked_route_maps"],
                    expected_revision=form.cleaned_data["revision"],
                )
            except services.EditConflict as caught:
                conflict = caught
                form = form_after_conflict(OutcomeForm, request, conflict)
            else:
                if request.htmx:
                    return render(
                        request,
                        "editing/includes/_outcome_form.html",
                        _context(
                            request,
                            route_map,
                            outcome=saved,
                            form=form_at_revision(OutcomeForm, request, saved.revision),
                            saved=True,
                        ),
                    )
                messages.success(request, "Outcome saved to the draft.")
                return redirect(_back_to(route_map, f"outcome-{outcome.key}"))
    else:
        form = OutcomeForm(initial=OutcomeForm.initial_for(outcome))
    progress = outcome.progress_entries.order_by("order", "pk")
    context = _context(
        request,
        route_map,
        outcome=outcome,
        form=form,
        conflict=conflict,
        progress=progress,
        progress_form=ProgressForm(),
    )
    if request.method == "POST":
        return form_response(
            request,
            fragment="editing/includes/_outcome_form.html",
            page="editing/outcome.html",
            context=context,
            status=409 if conflict else 200,
        )
    return render(request, "editing/outcome.html", context)


@editor_required
@require_http_methods(["GET", "POST"])
def outcome_add(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    form = NewOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.outcome_add(
            route_map=route_map,
            user=request.user,
            values=form.values(),
            organisations=form.organisation_choices(),
            linked_route_maps=form.cleaned_data["linked_route_maps"],
        )
        messages.success(request, f"Outcome “{outcome.title}” added to the draft.")
        return redirect(_back_to(route_map, f"outcome-{outcome.key}"))
    return render(request, "editing/outcome_add.html", _context(request, route_map, form=form))


def _outcome_remove_page(request, route_map, outcome, conflict=None) -> HttpResponse:
    """What goes with the outcome, and the partner updates waiting on its milestones."""
    return render(
        request,
        "editing/outcome_remove.html",
        _context(
            request,
            route_map,
            outcome=outcome,
            thing="outcome",
            text=outcome.statement,
            contents=services.outcome_contents(outcome),
            milestone_keys=list(outcome.milestones.values_list("key", flat=True)),
            form=RemoveForm(initial={"revision": outcome.revision}),
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def outcome_remove(request: HttpRequest, slug: str, key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    outcome = _outcome(route_map, key)
    if request.method == "GET":
        return _outcome_remove_page(request, route_map, outcome)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was removed: check the outcome below and try again.")
        return redirect("editing:outcome_remove", route_map.slug, outcome.key)
    contents = services.outcome_contents(outcome)
    try:
        services.outcome_remove(
            route_map=route_map,
            user=request.user,
            key=outcome.key,
            expected_revision=form.cleaned_data["revision"],
        )
    except services.EditConflict as conflict:
        return _outcome_remove_page(request, route_map, _outcome(route_map, key), conflict)
    messages.success(
        request, f"Outcome “{outcome.title}” removed from the draft, with its {contents}."
    )
    return redirect(_back_to(route_map, "outcomes"))


@editor_required
@require_POST
def outcome_move(request: HttpRequest, slug: str, key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    outcome = _outcome(route_map, key)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.outcome_move(
            route_map=route_map,
            user=request.user,
            key=outcome.key,
            direction=form.cleaned_data["direction"],
        )
    return redirect(_back_to(route_map, f"outcome-{outcome.key}"))


# ------------------------------------------------------------------------------- organisations


def _safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` if it is a page of this site, else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@editor_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    """A body not in the lists yet, then back to the form the editor came from (`next`).
    Editors and publishers alike: bodies are shared reference data, not part of a draft."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = NewOrganisationForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_create(
                name=data["name"], sector=data["sector"], abbreviation=data["abbreviation"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"“{organisation.name}” is added to the organisations. Choose it from the "
                "lists of organisations.",
            )
            return redirect(next_url or reverse("editing:dashboard"))
    return render(request, "editing/organisation_new.html", {"form": form, "next_url": next_url})


# ------------------------------------------------------------------------------- progress


def _progress_form_page(
    request, route_map, form, title: str, conflict=None, **extra
) -> HttpResponse:
    """Adding and editing a progress entry share one form, on a page of its own; a save
    refused as an edit conflict answers 409 with the conflict shown above the form."""
    return render(
        request,
        "editing/form_page.html",
        _context(
            request,
            route_map,
            form=form,
            conflict=conflict,
            form_template="editing/includes/_progress_form.html",
            action=request.path,
            title=title,
            **extra,
        ),
        status=409 if conflict else 200,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def progress_add(request: HttpRequest, slug: str, outcome_key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    outcome = _outcome(route_map, outcome_key)
    form = ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.progress_add(
            route_map=route_map,
            outcome_key=outcome.key,
            user=request.user,
            values=form.values(),
        )
        messages.success(request, "Progress entry added to the draft.")
        return redirect(_progress_list(route_map, outcome.key))
    return _progress_form_page(request, route_map, form, f"Add progress to “{outcome.title}”")


@editor_required
@require_http_methods(["GET", "POST"])
def progress_edit(request: HttpRequest, slug: str, key) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    entry = _progress(route_map, key)
    conflict = None
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                services.progress_update(
                    route_map=route_map,
                    key=entry.key,
                    user=request.user,
                    values=form.values(),
                    expected_revision=form.cleaned_data["revision"],
                )
            except services.EditConflict as caught:
                conflict = caught
                form = form_after_conflict(ProgressForm, request, conflict)
            else:
                messages.success(request, "Progress entry saved to the draft.")
                return redirect(_progress_list(route_map, entry.outcome.key))
    else:
        form = ProgressForm(initial=ProgressForm.initial_for(entry))
    return _progress_form_page(
        request, route_map, form, "Edit progress entry", conflict=conflict, entry=entry
    )


# ------------------------------------------------------------------------------- items


def _item(route_map: RouteMap, kind: str, key) -> Milestone | ProgressEntry:
    return _milestone(route_map, key) if kind == "milestone" else _progress(route_map, key)


def _after_item_change(route_map: RouteMap, kind: str, item, *, removed: bool) -> str:
    """Milestones are listed on the route map's edit page, progress entries on their
    outcome's; a removed milestone leaves its outcome in view, a moved one itself."""
    if kind == "progress":
        return _progress_list(route_map, item.outcome.key)
    return _back_to(
        route_map, f"outcome-{item.outcome.key}" if removed else f"edit-milestone-{item.key}"
    )


@editor_required
@require_http_methods(["GET", "POST"])
def item_remove(request: HttpRequest, slug: str, key, kind: str) -> HttpResponse:
    """Remove a milestone or progress entry (`kind`, from the URL pattern), once confirmed."""
    route_map = route_map_for_editing(request, slug)
    item = _item(route_map, kind, key)
    name = services.ITEM_KINDS[kind].name
    if request.method == "POST":
        services.item_remove(route_map=route_map, kind=kind, key=item.key, user=request.user)
        if request.htmx:
            return HttpResponse("")
        messages.success(request, f"{name.capitalize()} removed from the draft.")
        return redirect(_after_item_change(route_map, kind, item, removed=True))
    return render(
        request,
        "editing/confirm_remove.html",
        _context(request, route_map, thing=name, text=item.text),
    )


@editor_required
@require_POST
def item_move(request: HttpRequest, slug: str, key, kind: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    item = _item(route_map, kind, key)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.item_move(
            route_map=route_map,
            kind=kind,
            key=item.key,
            user=request.user,
            direction=form.cleaned_data["direction"],
        )
    return redirect(_after_item_change(route_map, kind, item, removed=False))


# ------------------------------------------------------------------------------- history


@editor_required
@require_GET
def route_map_history(request: HttpRequest, slug: str) -> HttpResponse:
    return history_page(request, RouteMapDrafting(route_map_for_editing(request, slug)))


@editor_required
@require_POST
def change_restore(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    """Put back the whole save the record belongs to, then back to the history it was
    restored from (the milestone's own when the form says so)."""
    route_map = route_map_for_editing(request, slug)
    record = get_object_or_404(ChangeRecord, pk=record_id, route_map=route_map)
    form = RestoreForm(request.POST)
    back = reverse("editing:history", args=[route_map.slug])
    if not form.is_valid():
        messages.error(request, "Nothing was restored: reload the history and try again.")
        return redirect(back)
    if form.cleaned_data["back"] == "milestone" and record.object_key:
        back = reverse("editing:milestone_history", args=[route_map.slug, record.object_key])
    try:
        milestone, records = services.save_restore(
            record=record, user=request.user, expected_revision=form.cleaned_data["revision"]
        )
    except services.NotEditable as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except services.EditConflict as conflict:
        messages.error(
            request,
            "Nothing was restored: this milestone was saved again after you opened its "
            f"history{_by_whom(conflict)}. Its newest save is now at the top.",
        )
        return redirect(back)
    save = history.saves(records, {})[0]
    where = f"{milestone.outcome.title}, {milestone.year}"
    messages.success(
        request,
        f"Restored the earlier {save.restored_fields} of the milestone "
        f"“{cut_at_word(milestone.text, 60)}” ({where}) in the draft. Publish to make the "
        "change public.",
    )
    return redirect(back)


def _by_whom(conflict) -> str:
    newest = conflict.records[0] if conflict.records else None
    return f" (by {newest.who})" if newest else ""


# ------------------------------------------------------------------------------- publish


@publisher_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    return publish_page(request, RouteMapDrafting(route_map_for_editing(request, slug)))


@publisher_required
@require_http_methods(["GET", "POST"])
def discard(request: HttpRequest, slug: str) -> HttpResponse:
    return discard_page(request, RouteMapDrafting(route_map_for_editing(request, slug)))
