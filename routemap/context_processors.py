"""Values every page template needs (quick-exit target, icon sprite)."""

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse


def site(request: HttpRequest) -> dict:
    return {
        "hide_page_url": settings.HIDE_PAGE_URL,
        "icons_url": static("vendor/sgds/images/icons/icons.stack.svg"),
        "plan_years": range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1),
        "search_url": reverse("search"),
    }
