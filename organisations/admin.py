from django.contrib import admin

from core.forms import CleanTextModelForm
from organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """partners.admin adds "Invite a partner for this organisation" to this page."""

    form = CleanTextModelForm
    list_display = ["name", "abbreviation", "sector"]
    list_filter = ["sector"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}
