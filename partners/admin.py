from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse

from accounts.roles import PARTNERS
from core.forms import CleanTextModelForm
from organisations.admin import OrganisationAdmin
from organisations.models import Organisation
from partners.invitation_forms import PartnerInviteForm
from partners.invitations import InviteRefused, partner_invite
from partners.models import PartnerProfile, ProgressUpdate


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

    list_display = ["organisation", "about", "proposed_status", "state", "created_at"]
    list_filter = ["state", "organisation", "route_map"]
    list_select_related = ["organisation", "route_map", "commitment__document"]

    @admin.display(description="About")
    def about(self, obj: ProgressUpdate) -> str:
        if obj.is_commitment:
            return f"{obj.commitment.document}: commitment {obj.commitment.reference}"
        return f"{obj.route_map}, {obj.milestone_year}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrganisationWithInvitesAdmin(OrganisationAdmin):
    """The organisations admin with the invite action: it lives here so that organisations
    (a domain app) does not depend on partners."""

    actions = ["invite_partner"]

    @admin.action(description="Invite a partner for this organisation")
    def invite_partner(self, request, queryset):
        """An intermediate page asking for the partner's email and name (as Django's own
        "delete selected" asks for confirmation); one organisation at a time."""
        if not request.user.has_perm("partners.add_partnerprofile"):
            self.message_user(
                request, "You do not have permission to add partners.", messages.ERROR
            )
            return None
        organisations = list(queryset[:2])
        if len(organisations) != 1:
            self.message_user(
                request,
                "Choose exactly one organisation: a partner reports for one organisation.",
                messages.WARNING,
            )
            return None
        organisation = organisations[0]
        form = PartnerInviteForm(request.POST if "invite" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                invitation = partner_invite(
                    email=form.cleaned_data["email"],
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    invited_by=request.user,
                )
            except InviteRefused as exc:
                form.add_error("email", str(exc))
            else:
                self.message_user(
                    request,
                    f"Invited {invitation.user.email} as a partner for {organisation.name}: "
                    "they have been emailed a link to choose a password.",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/organisations/organisation/invite_partner.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Invite a partner for {organisation.name}",
                "opts": self.model._meta,
                "organisation": organisation,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.errors else 200,
        )


admin.site.unregister(Organisation)
admin.site.register(Organisation, OrganisationWithInvitesAdmin)
