from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.roles import PARTNERS
from partners.models import PartnerProfile, ProgressUpdate
from routemap.forms import CleanTextModelForm


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    """Assign a person to the organisation they report for; this also puts them in the
    Partners group. To invite someone new, use "Invite a partner for this organisation" on
    the Organisations list (or `manage.py invite_partner`): it makes the account too and
    emails them a link to choose a password."""

    form = CleanTextModelForm

    list_display = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]  # never a list of every account

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.user.groups.add(Group.objects.get(name=PARTNERS))


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Read-only: updates are reviewed on /edit/updates/."""

    form = CleanTextModelForm

    list_display = ["organisation", "route_map", "proposed_status", "state", "created_at"]
    list_filter = ["state", "organisation", "route_map"]
    list_select_related = ["organisation", "route_map"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
