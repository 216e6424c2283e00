"""Which actions a user may take on a channel now: one predicate per action, used by the pages to
offer a button and by the services to refuse it, so a button is shown only when the action would be
allowed (the states table plus the permission rules)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from portal.permissions import CHANGE_CHANNEL, DELETE_CHANNEL
from wizard.models import Channel, Revision, states
from wizard.models.states import Action
from wizard.services import drafts, workflow


def can_edit(channel: Channel, user: User) -> bool:
    """Any author may edit an editable draft (the portal is a team tool); a save that changes a value
    makes them one of its editors."""
    return user.has_perm(CHANGE_CHANNEL) and channel.is_editable


def can_delete(channel: Channel, user: User) -> bool:
    return user.has_perm(DELETE_CHANNEL) and drafts.delete_refusal(channel, user) is None


def can_withdraw(channel: Channel, user: User, revision: Revision | None) -> bool:
    return (
        revision is not None
        and states.allowed(Action.WITHDRAW, channel.status)
        and revision.state == Revision.State.IN_REVIEW
        and workflow.can_withdraw(revision, user)
    )


@dataclass(frozen=True)
class ChannelActions:
    edit: bool
    delete: bool
    withdraw: bool


def for_user(channel: Channel, user: User, revision: Revision | None = None) -> ChannelActions:
    """The actions ``user`` may take on ``channel``; ``revision`` is the one in review, if any."""
    return ChannelActions(
        edit=can_edit(channel, user),
        delete=can_delete(channel, user),
        withdraw=can_withdraw(channel, user, revision),
    )
