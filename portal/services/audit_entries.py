"""How audit entries read on the audit log page: action names in words and a one-line summary.

The entries themselves (``portal.audit``) store action codes and a ``details`` dict; this module only
turns them into text for people, in the active language. Codes it doesn't know show as they are.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import AuditEntry

ACTION_LABELS: dict[str, Any] = {
    "audit.exported": gettext_lazy("Audit log exported"),
    "auth.locked_out": gettext_lazy("Sign-in locked out"),
    "auth.session_expired": gettext_lazy("Session expired"),
    "auth.sign_in_failed": gettext_lazy("Sign-in failed"),
    "auth.signed_in": gettext_lazy("Signed in"),
    "auth.signed_out": gettext_lazy("Signed out"),
    "channel.delete_refused": gettext_lazy("Deletion refused"),
    "channel.created": gettext_lazy("Channel created"),
    "channel.deleted": gettext_lazy("Channel deleted"),
    "channel.duplicated": gettext_lazy("Channel duplicated"),
    "channel.imported": gettext_lazy("Channel imported from an environment"),
    "drift.checked": gettext_lazy("Checked for drift"),
    "drift.kept_live": gettext_lazy("Drifted values kept as a new draft"),
    "environment.archived": gettext_lazy("Environment archived"),
    "environment.changed": gettext_lazy("Environment changed"),
    "environment.change_refused": gettext_lazy("Environment change refused"),
    "environment.created": gettext_lazy("Environment added"),
    "environment.deleted": gettext_lazy("Environment deleted"),
    "environment.restored": gettext_lazy("Environment restored"),
    "publish.drift_overwrite_chosen": gettext_lazy("Drifted values to be overwritten"),
    "publish.drift_stopped": gettext_lazy("Publish stopped: changed in the environment"),
    "publish.expired": gettext_lazy("Publish interrupted"),
    "publish.failed": gettext_lazy("Publish failed"),
    "publish.requested": gettext_lazy("Publish requested"),
    "publish.started": gettext_lazy("Publish started"),
    "publish.succeeded": gettext_lazy("Published"),
    "revision.approval_withdrawn": gettext_lazy("Approval withdrawn"),
    "revision.approved": gettext_lazy("Revision approved"),
    "revision.approve_refused": gettext_lazy("Approval refused"),
    "revision.changes_requested": gettext_lazy("Changes requested"),
    "revision.publish_refused": gettext_lazy("Publish refused"),
    "revision.published": gettext_lazy("Revision published"),
    "revision.request_changes_refused": gettext_lazy("Request for changes refused"),
    "revision.restore_refused": gettext_lazy("Restore refused"),
    "revision.restored": gettext_lazy("Revision restored as a new draft"),
    "revision.submit_refused": gettext_lazy("Submission refused"),
    "revision.submitted": gettext_lazy("Submitted for review"),
    "revision.withdraw_refused": gettext_lazy("Withdrawal refused"),
    "revision.withdrawn": gettext_lazy("Withdrawn from review"),
    "roles.assigned": gettext_lazy("Security role assigned"),
    "roles.removed": gettext_lazy("Security role removed"),
    "user.created_by_entra_sign_in": gettext_lazy("User created at Microsoft sign-in"),
}


def action_label(code: str) -> str:
    """The action in words, or the code itself when it is not one this module knows."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def summary(entry: AuditEntry) -> str:
    """One line saying what happened beyond the action, from ``entry.details``: for a role change who
    got or lost which role (the environment is its own column); "" when there is nothing to add."""
    details = entry.details if isinstance(entry.details, dict) else {}
    if entry.action in ("roles.assigned", "roles.removed"):
        person = str(details.get("user") or details.get("email") or details.get("user_id") or "?")
        email = str(details.get("email") or "")
        if email and email != person:
            person = f"{person} ({email})"
        params = {"role": details.get("role") or "?", "user": person}
        if entry.action == "roles.assigned":
            return _("%(role)s assigned to %(user)s") % params
        return _("%(role)s removed from %(user)s") % params
    if entry.action == "channel.deleted" and details.get("name"):
        return str(details["name"])
    if entry.action in ("auth.sign_in_failed", "auth.locked_out"):
        return _("user name %(user)s from %(address)s") % {
            "user": details.get("username") or "?",
            "address": details.get("address") or "?",
        }
    return ""
