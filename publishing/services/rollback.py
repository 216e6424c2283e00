"""Roll back: an earlier published revision's content again, as a new revision.

The new revision goes through review like any other. An administrator may skip the review, but only
with a written reason; the skip is audited and shown on the channel page.
"""

from __future__ import annotations

import copy

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.forms.lengths import too_long
from portal.permissions import MANAGE_ENVIRONMENTS, PUBLISH_CHANNEL
from publishing.models import Rollback
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision
from wizard.services.workflow import content_hash
from wizard.values import read

MAX_REASON = 2000


class RollbackError(Exception):
    """A roll back can't be done; ``str()`` says why."""


def may_skip_review(user: User) -> bool:
    """Only an administrator who may also publish may skip the review of a roll back."""
    return user.has_perm(PUBLISH_CHANNEL) and user.has_perm(MANAGE_ENVIRONMENTS)


def candidates(channel: Channel) -> list[Revision]:
    """Revisions that were published once (in any environment) and are not the one live now, newest first."""
    published_ids = PublishAttempt.objects.filter(
        channel_id=channel.pk, state=PublishAttempt.State.SUCCEEDED
    ).values_list("revision_id", flat=True)
    return list(
        channel.revisions.filter(pk__in=published_ids)
        .exclude(pk=channel.published_revision_id or 0)
        .order_by("-number")
    )


def review_skipped(revision: Revision) -> bool:
    """Whether an administrator approved this roll back revision without a second person."""
    return Rollback.objects.filter(revision_id=revision.pk, review_skipped=True).exists()


def roll_back(channel: Channel, user: User, number: int, *, skip_reason: str = "") -> Rollback:
    """Make a new revision with revision ``number``'s content; in review, or approved when an
    administrator skips the review with ``skip_reason``."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not roll back channels."))
    reason = (skip_reason or "").strip()
    if len(reason) > MAX_REASON:
        raise RollbackError(too_long(MAX_REASON, len(reason)))
    if reason and not may_skip_review(user):
        raise PermissionDenied(_("Only an administrator may skip the review of a roll back."))
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        source = next((r for r in candidates(locked) if r.number == number), None)
        if source is None:
            raise RollbackError(
                _(
                    "Revision %(number)d was never published or is the one live now, so it can't be rolled back to."
                )
                % {"number": number}
            )
        if locked.status in (ChannelStatus.IN_REVIEW, ChannelStatus.PUBLISHING):
            raise RollbackError(
                _("This channel is %(status)s; wait for it or withdraw it before rolling back.")
                % {"status": locked.status_in_sentence}
            )
        if locked.status in (ChannelStatus.DRAFT, ChannelStatus.CHANGES_REQUESTED):
            # A roll back replaces the draft: never someone's unsubmitted edits.
            raise RollbackError(
                _(
                    "This channel has edits that were not submitted (it is %(status)s); a roll back would "
                    "replace them. Submit them first, or restore revision %(number)d as a new draft from the history."
                )
                % {"status": locked.status_in_sentence, "number": number}
            )
        data = copy.deepcopy(source.data)
        digest = content_hash(data)
        now = timezone.now()
        # Whatever was approved and not published yet is replaced by the roll back.
        locked.revisions.filter(state=Revision.State.APPROVED).exclude(
            pk=locked.published_revision_id or 0
        ).update(state=Revision.State.SUPERSEDED)
        revision = Revision.objects.create(
            channel=locked,
            number=(locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1,
            data=data,
            content_hash=digest,
            created_by=user,
            editor_ids=[user.pk],
            submit_comment=_("Roll back to revision %(number)d") % {"number": source.number},
            state=Revision.State.APPROVED if reason else Revision.State.IN_REVIEW,
            reviewed_by=user if reason else None,
            reviewed_at=now if reason else None,
            review_comment=reason,
            approved_hash=digest if reason else "",
        )
        Channel.objects.filter(pk=locked.pk).update(
            data=data,
            name=read(data)["details"].text("name")[:100],
            version=F("version") + 1,
            status=ChannelStatus.APPROVED if reason else ChannelStatus.IN_REVIEW,
            last_editor=user,
            editor_ids=[],
            updated_at=now,
            edited_at=now,
        )
        rollback = Rollback.objects.create(
            channel=locked,
            source=source,
            revision=revision,
            requested_by=user,
            review_skipped=bool(reason),
            reason=reason,
        )
        audit.record(
            user,
            "revision.rolled_back",
            channel=locked,
            revision=revision,
            comment=reason,
            details={"source": source.number, "review_skipped": bool(reason)},
        )
    return rollback
