"""Editorial roles, held as Django groups so admins manage them in the admin.

Editor: edits drafts (of every route map, or only those assigned to them).
Publisher: everything an editor can, plus publish and discard drafts.
Admin: a superuser; manages users, roles and organisations in the Django admin.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EDITORS = "Editors"
PUBLISHERS = "Publishers"


def _groups(user) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def is_publisher(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or PUBLISHERS in _groups(user)))


def is_editor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(is_publisher(user) or EDITORS in _groups(user))


def can_edit_route_map(user, route_map) -> bool:
    """Publishers edit every route map; an editor edits those assigned to them, or every
    route map when they have no assignments."""
    if is_publisher(user):
        return True
    if not is_editor(user):
        return False
    assigned = user.assigned_route_maps.values_list("pk", flat=True)
    return not assigned.exists() or route_map.pk in set(assigned)
