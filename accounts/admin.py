"""The user page in the admin shows what a person may edit: their route map and source
document assignments, next to their roles (groups) and permissions, where the explicit
"Can edit every route map" / "Can edit every source document" choices are granted."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import EmailPreference
from core.forms import CleanTextModelForm
from routemap.models import RouteMap
from sources.models import SourceDocument

User = get_user_model()


class RouteMapAssignmentInline(admin.TabularInline):
    model = RouteMap.editors.through
    extra = 0
    verbose_name = "route map assignment"
    verbose_name_plural = (
        "Route maps this person may edit (none: no route map, unless they may edit every one)"
    )
    autocomplete_fields = ["routemap"]


class SourceDocumentAssignmentInline(admin.TabularInline):
    model = SourceDocument.editors.through
    extra = 0
    verbose_name = "source document assignment"
    verbose_name_plural = (
        "Source documents this person may edit (none: no document, unless they may edit every one)"
    )
    autocomplete_fields = ["sourcedocument"]


class EmailPreferenceInline(admin.StackedInline):
    model = EmailPreference
    form = CleanTextModelForm
    can_delete = False
    verbose_name_plural = "Emails about their work (none recorded: every kind is on)"
    fields = ["review_decisions", "review_digest"]


admin.site.unregister(User)


@admin.register(User)
class AssignmentsUserAdmin(UserAdmin):
    inlines = [
        *UserAdmin.inlines,
        RouteMapAssignmentInline,
        SourceDocumentAssignmentInline,
        EmailPreferenceInline,
    ]
