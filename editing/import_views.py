"""CSV export and import of a route map's editable edition, for editors.

The upload is kept in the session until it is applied, so "Apply" acts on exactly the file
that was previewed; the preview is worked out again on apply and compared with what the
editor saw, in case the route map changed in between.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from editing import imports, services
from editing.import_forms import ImportApplyForm, ImportUploadForm
from editing.permissions import editor_required, route_map_for_editing
from routemap.models import Edition

SESSION_KEY = "route_map_imports"


def _pending(request: HttpRequest, slug: str) -> dict | None:
    return request.session.get(SESSION_KEY, {}).get(slug)


def _set_pending(request: HttpRequest, slug: str, value: dict | None) -> None:
    pending = request.session.get(SESSION_KEY, {})
    if value is None:
        pending.pop(slug, None)
    else:
        pending[slug] = value
    request.session[SESSION_KEY] = pending


@editor_required
@require_GET
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    edition = services.editable_edition(route_map)
    if edition is None:
        label = "empty"
    elif edition.state == Edition.State.DRAFT:
        label = "draft"
    else:
        label = f"version-{edition.number}"
    response = StreamingHttpResponse(
        imports.export_lines(edition, request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{route_map.slug}-{label}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@editor_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _set_pending(
            request,
            route_map.slug,
            {
                "text": form.text,
                "name": form.cleaned_data["file"].name[:200],
                "remove_missing": form.cleaned_data["remove_missing"],
            },
        )
        return redirect("editing:import_preview", route_map.slug)
    return render(
        request,
        "editing/import_upload.html",
        {
            "route_map": route_map,
            "form": form,
            "has_draft": services.draft_has_changes(route_map),
            "columns": imports.COLUMN_HELP,
        },
        status=400 if form.errors else 200,
    )


def _preview_page(request, route_map, pending: dict, status: int = 200) -> HttpResponse:
    preview = imports.import_preview(
        route_map=route_map, text=pending["text"], remove_missing=pending["remove_missing"]
    )
    return render(
        request,
        "editing/import_preview.html",
        {
            "route_map": route_map,
            "preview": preview,
            "file_name": pending["name"],
            "apply_form": ImportApplyForm(initial={"token": preview.fingerprint()}),
        },
        status=status,
    )


@editor_required
@require_GET
def import_preview(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    pending = _pending(request, route_map.slug)
    if pending is None:
        messages.info(request, "Upload a CSV file to see what it would change.")
        return redirect("editing:import", route_map.slug)
    return _preview_page(request, route_map, pending)


@editor_required
@require_POST
def import_apply(request: HttpRequest, slug: str) -> HttpResponse:
    route_map = route_map_for_editing(request, slug)
    pending = _pending(request, route_map.slug)
    if pending is None or not request.POST.get("token"):
        messages.error(request, "There is no file waiting to be imported: upload it again.")
        return redirect("editing:import", route_map.slug)
    preview = imports.import_preview(
        route_map=route_map, text=pending["text"], remove_missing=pending["remove_missing"]
    )
    if preview.errors:
        return _preview_page(request, route_map, pending, status=400)
    form = ImportApplyForm(request.POST, stale_keys=[row.key for row in preview.stale])
    if not form.is_valid() or preview.fingerprint() != form.cleaned_data["token"]:
        messages.error(
            request,
            "The route map changed after you checked this file, so nothing was imported. "
            "Here is what the file would change now.",
        )
        return _preview_page(request, route_map, pending, status=409)
    try:
        counts = imports.route_map_import_apply(
            route_map=route_map,
            user=request.user,
            preview=preview,
            apply_stale=form.cleaned_data["apply_stale"],
        )
    except imports.ImportNotAllowed as exc:
        messages.error(request, str(exc))
        return _preview_page(request, route_map, pending, status=409)
    _set_pending(request, route_map.slug, None)
    if any(counts.values()):
        messages.success(
            request,
            f"Imported into the draft: {imports.created_words(counts)}{counts['added']} added, "
            f"{counts['changed']} changed, {counts['removed']} removed. Publish to make the "
            "changes public.",
        )
    else:
        messages.info(request, "No changes: the file matches the route map.")
    return redirect(reverse("editing:route_map", args=[route_map.slug]))
