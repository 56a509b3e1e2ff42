"""What route maps and source documents share in their editor pages: what the draft banner,
the one publish page and the one discard page need to know of the thing being drafted
(templates/editing/includes/_draft_banner.html, publish.html and discard.html), and how an
item's form answers, with htmx or without."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


@dataclass(frozen=True)
class DraftPages:
    title: str  # what is published, as its editors call it
    kind: str  # "this <kind> has unpublished changes"
    noun: str  # "the published <noun> stays as it is"
    base_template: str  # the editor pages it belongs to (breadcrumbs)
    change_list_template: str  # how its unpublished changes are listed
    edit_url: str  # where Cancel goes
    public_url: str  # where the public reads it
    url_namespace: str  # of its history, publish and discard pages, each by `slug`
    slug: str

    def _page(self, name: str) -> str:
        return reverse(f"{self.url_namespace}:{name}", args=[self.slug])

    @property
    def history_url(self) -> str:
        return self._page("history")

    @property
    def publish_url(self) -> str:
        return self._page("publish")

    @property
    def discard_url(self) -> str:
        return self._page("discard")


def form_response(
    request: HttpRequest, *, fragment: str, page: str, context: dict, status: int = 200
) -> HttpResponse:
    """An item's form: with htmx the fragment swapped in place of the item, always with 200
    (htmx only swaps successful responses); otherwise the full page, with `status`."""
    if request.htmx:
        return render(request, fragment, context)
    return render(request, page, context, status=status)


def form_after_conflict(form_class, request: HttpRequest, conflict, **kwargs):
    """The form again with what this editor typed, now carrying the current revision, so
    saving again is a deliberate choice to replace the other person's change."""
    data = request.POST.copy()
    data["revision"] = conflict.current.revision
    form = form_class(data, **kwargs)
    form.is_valid()
    return form
