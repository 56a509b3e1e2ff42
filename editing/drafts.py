"""What route maps and source documents share in their editor pages: what the draft banner,
the publish, discard and history pages need to know of the thing being drafted
(templates/editing/includes/_draft_banner.html, publish.html, discard.html and history.html),
the one flow of those three pages, and how an item's form answers, with htmx or without."""

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

from accounts.roles import is_publisher
from core.validation import validation_message
from editing.conflicts import OPENED, explain_conflict, opened_token


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


@dataclass
class Drafting:
    """A route map or a source document (`subject`), as its editor pages need it: the draft
    banner, and the publish, discard and history pages. Each kind says where its pages are and
    how it is drafted (editing.views.RouteMapDrafting, editing.document_views.DocumentDrafting).
    """

    subject: Any  # has a title, a slug and a public page

    publish_form: ClassVar[type[forms.Form]]  # its note, worded for where the public reads it
    kind: ClassVar[str]  # DraftPages.kind
    noun: ClassVar[str]  # DraftPages.noun
    base_template: ClassVar[str]  # DraftPages.base_template
    url_namespace: ClassVar[str]  # DraftPages.url_namespace
    edit_page: ClassVar[str]  # the name of its edit page in that namespace

    @cached_property
    def pages(self) -> DraftPages:
        subject = self.subject
        return DraftPages(
            title=subject.title,
            kind=self.kind,
            noun=self.noun,
            base_template=self.base_template,
            change_list_template="editing/includes/_change_list.html",
            edit_url=reverse(f"{self.url_namespace}:{self.edit_page}", args=[subject.slug]),
            public_url=subject.get_absolute_url(),
            url_namespace=self.url_namespace,
            slug=subject.slug,
        )

    def context(self, request: HttpRequest, **extra) -> dict:
        """Its editor pages' context, with `extra`."""
        return {
            **self.subject_context(),
            "can_publish": is_publisher(request.user),
            "draft_pages": self.pages,
            **extra,
        }

    def subject_context(self) -> dict:
        """What its own editor pages' templates call it, and whether it has a draft."""
        raise NotImplementedError

    @property
    def draft(self) -> object | None:
        """The unpublished changes, None when there are none."""
        raise NotImplementedError

    def changes(self) -> list[str]:
        """The draft's differences from what is published, in plain words."""
        raise NotImplementedError

    def publish_refusal(self) -> str:
        """Why the draft cannot be published as it is ("" when it can)."""
        return ""

    def publish(self, *, user, note: str) -> None:
        raise NotImplementedError

    def discard(self, *, user) -> None:
        raise NotImplementedError

    def records(self):
        """The newest of its change records, for its history."""
        raise NotImplementedError

    def saves(self) -> list:
        """Its newest records as saves, each with where its item is (editing.history.Save)."""
        raise NotImplementedError


def publish_page(request: HttpRequest, drafting: Drafting) -> HttpResponse:
    pages = drafting.pages
    if drafting.draft is None:
        messages.info(request, "There are no unpublished changes to publish.")
        return redirect(pages.edit_url)
    form = drafting.publish_form(request.POST or None)
    refusal = drafting.publish_refusal()
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            drafting.publish(user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, f"The draft cannot be published: {validation_message(exc)}")
        else:
            messages.success(request, f"“{pages.title}” is published.")
            return redirect(pages.public_url)
    return render(
        request,
        "editing/publish.html",
        drafting.context(request, form=form, changes=drafting.changes(), refusal=refusal),
        status=409 if refusal and request.method == "POST" else 200,
    )


def discard_page(request: HttpRequest, drafting: Drafting) -> HttpResponse:
    pages = drafting.pages
    if drafting.draft is None:
        messages.info(request, "There is no draft to discard.")
        return redirect(pages.edit_url)
    if request.method == "POST":
        drafting.discard(user=request.user)
        messages.success(
            request, f"The draft was discarded. The published {pages.noun} is unchanged."
        )
        return redirect(pages.edit_url)
    return render(
        request, "editing/discard.html", drafting.context(request, changes=drafting.changes())
    )


def history_page(request: HttpRequest, drafting: Drafting) -> HttpResponse:
    return render(
        request,
        "editing/history.html",
        drafting.context(request, saves=drafting.saves(), subject=drafting.pages.title),
    )


def form_response(
    request: HttpRequest, *, fragment: str, page: str, context: dict, status: int = 200
) -> HttpResponse:
    """An item's form: with htmx the fragment swapped in place of the item, always with 200
    (htmx only swaps successful responses); otherwise the full page, with `status`."""
    if request.htmx:
        return render(request, fragment, context)
    return render(request, page, context, status=status)


def form_at_revision(form_class, request: HttpRequest, revision: int, opened=None, **kwargs):
    """The form again with what this editor typed, now carrying `revision` and, as what it
    was opened with (editing.conflicts), `opened` or else what was typed: a form kept on the
    page after an htmx save goes on from the revision, and the values, just saved."""
    data = request.POST.copy()
    data["revision"] = revision
    if OPENED in form_class.base_fields:
        data[OPENED] = opened or opened_token(form_class(data, **kwargs))
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


def form_after_conflict(form_class, request: HttpRequest, conflict, **kwargs):
    """The form again with what this editor typed, now carrying the current revision, so
    saving again is a deliberate choice to replace the other person's change; `conflict`
    learns what changed since the form was opened (editing.conflicts)."""
    saved_form = form_class(initial=form_class.initial_for(conflict.current), **kwargs)
    explain_conflict(conflict, typed_form=form_class(request.POST, **kwargs), saved_form=saved_form)
    form = form_at_revision(
        form_class,
        request,
        conflict.current.revision,
        opened=saved_form.initial.get(OPENED),
        **kwargs,
    )
    # A form that hides some fields shows those someone else changed (MilestoneForm.more_open).
    form.changed_by_others = {change.name for change in conflict.changes}
    return form
