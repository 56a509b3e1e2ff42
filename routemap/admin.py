from django.contrib import admin

from core.forms import CleanTextModelForm
from routemap.models import Edition, Foundation, RouteMap, WhatMatters


@admin.register(Foundation)
class FoundationAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(RouteMap)
class RouteMapAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["title", "foundation", "order"]
    list_filter = ["foundation"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]
    filter_horizontal = ["editors"]


class WhatMattersInline(admin.TabularInline):
    model = WhatMatters
    form = CleanTextModelForm
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Read-only: editions change through the editing pages and the publish workflow."""

    form = CleanTextModelForm

    list_display = ["route_map", "state", "number", "published_at", "published_by"]
    list_filter = ["state", "route_map"]
    inlines = [WhatMattersInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
