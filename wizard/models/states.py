"""A channel's states and the transitions between them, in one table beside the model.

Services ask this table (``allowed``, ``after``, ``sources``) instead of repeating sets of statuses.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    PUBLISH_FAILED = "publish_failed", _("Publish failed")


class Action(StrEnum):
    EDIT = "edit"  # save a step, restore an old revision
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REQUEST_PUBLISH = "request_publish"  # a publisher asks for a publish (it is queued)
    WRITE = "write"  # the queued publish writes an approved revision
    PUBLISH_SUCCEEDED = "publish_succeeded"
    PUBLISH_FAILED = "publish_failed"
    DELETE = "delete"  # delete the channel (it leaves no status; the table says where it may start)


S = ChannelStatus

# action -> {status it may start from: status it leads to}
TRANSITIONS: dict[Action, dict[ChannelStatus, ChannelStatus]] = {
    # Editing withdraws an approval and leaves a published or failed channel as a draft again.
    Action.EDIT: {
        S.DRAFT: S.DRAFT,
        S.CHANGES_REQUESTED: S.CHANGES_REQUESTED,
        S.APPROVED: S.DRAFT,
        S.PUBLISHED: S.DRAFT,
        S.PUBLISH_FAILED: S.DRAFT,
    },
    Action.SUBMIT: {S.DRAFT: S.IN_REVIEW, S.CHANGES_REQUESTED: S.IN_REVIEW, S.PUBLISH_FAILED: S.IN_REVIEW},
    Action.WITHDRAW: {S.IN_REVIEW: S.DRAFT},
    Action.APPROVE: {S.IN_REVIEW: S.APPROVED},
    Action.REQUEST_CHANGES: {S.IN_REVIEW: S.CHANGES_REQUESTED},
    Action.REQUEST_PUBLISH: {
        S.APPROVED: S.PUBLISHING,
        S.PUBLISHED: S.PUBLISHING,
        S.PUBLISH_FAILED: S.PUBLISHING,
    },
    Action.WRITE: {S.APPROVED: S.PUBLISHING, S.PUBLISHING: S.PUBLISHING, S.PUBLISH_FAILED: S.PUBLISHING},
    Action.PUBLISH_SUCCEEDED: {
        S.PUBLISHING: S.PUBLISHED,
        S.APPROVED: S.PUBLISHED,
        S.PUBLISH_FAILED: S.PUBLISHED,
    },
    Action.PUBLISH_FAILED: {S.PUBLISHING: S.PUBLISH_FAILED, S.APPROVED: S.PUBLISH_FAILED},
    # Deleting follows withdrawing: a channel in review or approved is withdrawn first. (A published one
    # is refused by the service, which knows about its live revision.)
    Action.DELETE: {
        S.DRAFT: S.DRAFT,
        S.CHANGES_REQUESTED: S.CHANGES_REQUESTED,
        S.PUBLISH_FAILED: S.PUBLISH_FAILED,
        S.PUBLISHED: S.PUBLISHED,
    },
}


def sources(action: Action) -> frozenset[str]:
    """The statuses ``action`` may start from."""
    return frozenset(TRANSITIONS[action])


def allowed(action: Action, status: str) -> bool:
    return status in TRANSITIONS[action]


def after(action: Action, status: str) -> ChannelStatus:
    """The status ``action`` leads to from ``status`` (which it must be allowed from)."""
    return TRANSITIONS[action][ChannelStatus(status)]
