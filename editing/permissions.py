"""Permission checks for the editing pages, enforced in the views (never in templates).

Which route maps and documents someone may touch is decided in one place,
accounts.roles (assignments, or the explicit "edit all" permission); these helpers apply it.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.roles import can_edit_route_map, is_editor, is_moderator, is_publisher
from routemap.models import RouteMap


def _role_required(has_role, refusal: str):
    """A view decorator: anonymous readers are sent to sign in; signed-in people without the
    role get 403 with `refusal`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


editor_required = _role_required(is_editor, "You do not have permission to edit route maps.")
publisher_required = _role_required(is_publisher, "Only publishers can publish or discard drafts.")
# Consultation responses carry respondents' names: only moderators see them.
moderator_required = _role_required(is_moderator, "Only moderators can see consultation responses.")
# The documents list serves editors (their documents) and moderators (consultations).
editor_or_moderator_required = _role_required(
    lambda user: is_editor(user) or is_moderator(user),
    "You need an editor or moderator role for this page.",
)


def route_map_for_editing(request, slug: str) -> RouteMap:
    route_map = get_object_or_404(RouteMap.objects.select_related("foundation"), slug=slug)
    if not can_edit_route_map(request.user, route_map):
        raise PermissionDenied("This route map is assigned to other editors.")
    return route_map
