"""Values every page template needs (quick-exit target, icon sprite)."""

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse

from accounts.roles import is_editor, is_moderator, is_partner


def site(request: HttpRequest) -> dict:
    return {
        "hide_page_url": settings.HIDE_PAGE_URL,
        "icons_url": static("vendor/sgds/images/icons/icons.stack.svg"),
        "plan_years": range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1),
        "search_url": reverse("search"),
        **signed_in_roles(request),
    }


def signed_in_roles(request: HttpRequest) -> dict:
    """Which signed-in links to offer; computed only for signed-in people, so anonymous
    (public, cached) pages run no extra queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_is_editor": False, "user_is_moderator": False, "user_is_partner": False}
    return {
        "user_is_editor": is_editor(user),
        "user_is_moderator": is_moderator(user),
        "user_is_partner": is_partner(user),
    }
