"""Editorial roles, held as Django groups so admins manage them in the admin.

Editor: edits drafts of the route maps and source documents assigned to them.
Publisher: everything an editor can, plus publish and discard drafts.
Moderator: reads, moderates and exports consultation responses, which carry respondents'
    names; the only role that sees personal data.
Admin: a superuser; manages users, roles and organisations in the Django admin.

Which route maps and documents an editor or publisher may touch is a separate question
from their role, and it fails closed: their assignments (the `editors` field of each route
map and source document), or every one of them only with the explicit "edit all"
permission, granted to a user or a group in the admin. No assignment means nothing.
"""

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EDITORS = "Editors"
PUBLISHERS = "Publishers"
MODERATORS = "Moderators"

# The explicit "all" choices: Django permissions, so the admin shows and grants them.
ALL_ROUTE_MAPS = "routemap.edit_all_route_maps"
ALL_SOURCE_DOCUMENTS = "sources.edit_all_source_documents"


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


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or MODERATORS in _groups(user))
    )


# ------------------------------------------------------------------------------ assignments


def _editable_ids(user, model, all_permission: str) -> set[int] | None:
    """The pks of `model` rows this editor may edit, in one query. None (every row) only
    for the explicit permission; otherwise the rows whose `editors` include them."""
    if not is_editor(user):
        return set()
    if user.has_perm(all_permission):
        return None
    return set(model.objects.filter(editors=user).values_list("pk", flat=True))


def editable_route_map_ids(user) -> set[int] | None:
    """The route maps this user may edit: None means every route map (explicit grant)."""
    from routemap.models import RouteMap

    return _editable_ids(user, RouteMap, ALL_ROUTE_MAPS)


def editable_source_document_ids(user) -> set[int] | None:
    """The source documents this user may edit: None means every one (explicit grant)."""
    from sources.models import SourceDocument

    return _editable_ids(user, SourceDocument, ALL_SOURCE_DOCUMENTS)


def can_edit_route_map(user, route_map) -> bool:
    editable = editable_route_map_ids(user)
    return editable is None or route_map.pk in editable


def can_edit_source_document(user, document) -> bool:
    editable = editable_source_document_ids(user)
    return editable is None or document.pk in editable


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
        # Partners sit above accounts (their app imports this one): the model is looked up.
        PartnerProfile = apps.get_model("partners", "PartnerProfile")
        profile = PartnerProfile.objects.select_related("organisation").filter(user=user).first()
        user._partner_organisation = profile.organisation if profile else None
    return user._partner_organisation
