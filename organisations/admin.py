from django.contrib import admin, messages
from django.template.response import TemplateResponse

from organisations.models import Organisation
from partners.invitation_forms import PartnerInviteForm
from partners.invitations import InviteRefused, partner_invite
from routemap.forms import CleanTextModelForm


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["name", "abbreviation", "sector"]
    list_filter = ["sector"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}
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
