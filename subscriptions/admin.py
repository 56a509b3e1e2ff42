from django.contrib import admin

from core.forms import CleanTextModelForm
from subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Read-only: subscriptions change only through their own links."""

    form = CleanTextModelForm

    list_display = ["email", "route_map", "organisation", "confirmed_at", "created_at"]
    list_filter = ["route_map", "organisation"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
