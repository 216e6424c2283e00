"""The portal's groups and what each may do.

Permissions are ordinary Django permissions so administrators can also grant them one by one; the
groups are what the portal creates and what `make run`'s demo accounts belong to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

AUTHORS = "Channel authors"
REVIEWERS = "Channel reviewers"
PUBLISHERS = "Channel publishers"
ADMINISTRATORS = "Portal administrators"

GROUP_PERMISSIONS: dict[str, list[str]] = {
    AUTHORS: ["wizard.view_channel", "wizard.add_channel", "wizard.change_channel", "wizard.delete_channel"],
    REVIEWERS: ["wizard.view_channel", "wizard.review_channel"],
    PUBLISHERS: ["wizard.view_channel", "wizard.publish_channel"],
    ADMINISTRATORS: [
        "wizard.view_channel",
        "portal.view_environment",
        "portal.manage_environments",
        "portal.manage_security_roles",
        "portal.view_audit_log",
        "auth.view_user",
        "auth.change_user",
    ],
}

VIEW_CHANNEL = "wizard.view_channel"
ADD_CHANNEL = "wizard.add_channel"
CHANGE_CHANNEL = "wizard.change_channel"
DELETE_CHANNEL = "wizard.delete_channel"
REVIEW_CHANNEL = "wizard.review_channel"
PUBLISH_CHANNEL = "wizard.publish_channel"
MANAGE_ENVIRONMENTS = "portal.manage_environments"
MANAGE_SECURITY_ROLES = "portal.manage_security_roles"
VIEW_AUDIT_LOG = "portal.view_audit_log"


def ensure_groups(**kwargs: Any) -> None:
    """Create the four groups with their permissions (run after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.add(*wanted)


View = TypeVar("View", bound=Callable[..., Any])


def permission_required(perm: str) -> Callable[[View], View]:
    """Django's ``permission_required(perm, raise_exception=True)``, whose refusal names the groups that
    hold ``perm`` (:data:`GROUP_PERMISSIONS`), so that the 403 page says which group to ask for."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.has_perm(perm):
                raise PermissionDenied(missing_permission_message(perm))
            return view(request, *args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorator


def missing_permission_message(perm: str) -> str:
    """What a user without ``perm`` is told: the group (or groups) that have it, and whom to ask."""
    groups = [group for group, perms in GROUP_PERMISSIONS.items() if perm in perms]
    if len(groups) == 1:
        return _("This needs the %(group)s group. Ask a portal administrator to add you to it.") % {
            "group": groups[0]
        }
    return _("This needs one of these groups: %(groups)s. Ask a portal administrator to add you to one.") % {
        "groups": ", ".join(groups)
    }
