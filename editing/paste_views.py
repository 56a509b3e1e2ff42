"""A route map's first draft from its pasted page: paste, review the proposal, create.

Publishers only, and only for a route map with no content. Nothing is written until
"Create draft": the review page carries the pasted text in a hidden field and reads it
again on every post, so the proposal shown is always the one the text gives.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.validation import validation_message
from editing import services
from editing.paste_forms import PasteForm, ReviewForm, ReviewTextForm
from editing.permissions import publisher_required, route_map_for_editing
from organisations.models import Organisation
from publishing.edits import NotEditable
from routemap.models import RouteMap

CHECK, CREATE = "check", "create"


def _page(request, route_map, template: str, status: int = 200, **context) -> HttpResponse:
    return render(
        request, f"editing/{template}", {"route_map": route_map, **context}, status=status
    )


def _review_form(route_map: RouteMap, proposal, data=None, text: str = "") -> ReviewForm:
    return ReviewForm(
        data,
        initial={"text": text},
        proposal=proposal,
        organisations=Organisation.objects.order_by("name"),
        route_maps=RouteMap.objects.exclude(pk=route_map.pk).order_by("title"),
    )


@publisher_required
@require_http_methods(["GET", "POST"])
def paste(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    if refusal := services.paste_refusal(route_map):
        return _page(request, route_map, "paste.html", status=409, refusal=refusal)
    step = request.POST.get("step")
    if request.method == "GET" or step not in (CHECK, CREATE):
        form = PasteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            review = _review_form(route_map, form.proposal, text=form.cleaned_data["text"])
            return _page(request, route_map, "paste_review.html", form=review)
        return _page(
            request, route_map, "paste.html", status=400 if form.errors else 200, form=form
        )
    text_form = ReviewTextForm(request.POST)
    if not text_form.is_valid():  # the hidden text was lost or changed: start again
        form = PasteForm(request.POST)
        form.is_valid()
        return _page(request, route_map, "paste.html", status=400, form=form)
    review = _review_form(route_map, text_form.proposal, data=request.POST)
    if not review.is_valid() or step == CHECK:
        return _page(
            request,
            route_map,
            "paste_review.html",
            status=400 if review.errors else 200,
            form=review,
        )
    data, new_bodies = review.edition_data()
    try:
        services.route_map_draft_from_paste(
            route_map=route_map, user=request.user, data=data, new_bodies=new_bodies
        )
    except NotEditable as exc:
        return _page(request, route_map, "paste.html", status=409, refusal=str(exc))
    except ValidationError as exc:
        review.add_error(None, f"The draft could not be made: {validation_message(exc)}")
        return _page(request, route_map, "paste_review.html", status=400, form=review)
    messages.success(
        request,
        f"Draft made from the pasted page: {len(data.outcomes)} outcomes. "
        "Check it here; nothing is public until it is published.",
    )
    return redirect("editing:route_map", route_map.slug)
