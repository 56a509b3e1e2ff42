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
    editable = editable_route_map_ids(user)
    return editable is None or route_map.pk in editable


# ---------------------------------------------------------------------------------- partners
# A partner belongs to one organisation (partners.PartnerProfile) and is in the Partners group.
# Partners report progress on their organisation's milestones; they never edit route maps.

PARTNERS = "Partners"


def is_partner(user) -> bool:
    return partner_organisation(user) is not None


def partner_organisation(user):
    """The organisation a signed-in partner reports for, or None (cached on the user)."""
    if PARTNERS not in _groups(user):
        return None
    if not hasattr(user, "_partner_organisation"):
        from partners.models import PartnerProfile

        profile = PartnerProfile.objects.select_related("organisation").filter(user=user).first()
        user._partner_organisation = profile.organisation if profile else None
    return user._partner_organisation


def editable_route_map_ids(user) -> set[int] | None:
    """The route maps an editor may edit, in one query: None means every route map."""
    if is_publisher(user):
        return None
    if not is_editor(user):
        return set()
    assigned = set(user.assigned_route_maps.values_list("pk", flat=True))
    return assigned or None
