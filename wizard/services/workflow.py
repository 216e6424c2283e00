"""Review workflow transitions: submit, withdraw, approve, request changes.

Each transition is one function that checks permission and state, changes the state and writes an
audit entry, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal import audit
from portal.permissions import CHANGE_CHANNEL
from wizard.models import Channel, ChannelStatus, Revision


class WorkflowError(Exception):
    """A transition that is not possible in the channel's current state; ``str()`` says why."""


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def submit(channel: Channel, user: User, comment: str = "") -> Revision:
    from wizard.services.drafts import validate_all

    if not user.has_perm(CHANGE_CHANNEL):
        raise PermissionDenied(_("You may not submit channels for review."))
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        if channel.status not in (
            ChannelStatus.DRAFT,
            ChannelStatus.CHANGES_REQUESTED,
            ChannelStatus.PUBLISH_FAILED,
        ):
            raise WorkflowError(
                _("Only a draft can be submitted; this channel is %(status)s.")
                % {"status": channel.get_status_display().lower()}
            )
        problems = validate_all(channel)
        if problems:
            raise WorkflowError(
                _("Fix the %(count)d problems listed on the review step first.") % {"count": len(problems)}
            )
        number = (channel.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = Revision.objects.create(
            channel=channel,
            number=number,
            data=channel.data,
            content_hash=content_hash(channel.data),
            created_by=user,
            editor_ids=list(channel.editor_ids),
            submit_comment=comment,
        )
        channel.status = ChannelStatus.IN_REVIEW
        channel.save(update_fields=["status", "updated_at"])
        audit.record(user, "revision.submitted", channel=channel, revision=revision, comment=comment)
    return revision
