"""Which revision of a channel is live in an environment, and the status that says so.

A revision is live in an environment when the last publish there that succeeded wrote it. The review
and channel pages diff against that revision (not against whatever was published last anywhere), and
the status tells whether the channel as shown is what customers get.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Subquery
from django.utils.translation import gettext as _

from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision


def _succeeded_publishes(channel_id: Any, environment_id: Any) -> QuerySet[PublishAttempt]:
    """The publishes of a channel to an environment that succeeded, the last first: the first wrote
    the live revision. The ids may be ``OuterRef``s, for a list's subquery."""
    return PublishAttempt.objects.filter(
        channel_id=channel_id, environment_id=environment_id, state=PublishAttempt.State.SUCCEEDED
    ).order_by("-finished_at", "-pk")


def live_revision(channel: Channel, environment: Any = None) -> Revision | None:
    """The revision live in ``environment`` (default: the channel's), or None if none was published there."""
    environment_id = environment.pk if environment is not None else channel.environment_id
    if environment_id is None:
        return None
    attempt = _succeeded_publishes(channel.pk, environment_id).select_related("revision").first()
    return attempt.revision if attempt is not None else None


@dataclass(frozen=True)
class LiveStatus:
    revision: Revision | None
    text: str  # the status as shown, e.g. "Published, edited since"

    @property
    def is_live(self) -> bool:
        return self.revision is not None


def live_status(channel: Channel, revision: Revision | None = None) -> LiveStatus:
    """The channel's status with what is live in its environment; ``revision``: already looked up."""
    live = revision if revision is not None else live_revision(channel)
    return LiveStatus(live, status_text(channel, live.number if live is not None else None))


def live_number(channel_ref: Any, environment_ref: Any) -> Subquery:
    """For a list's ``annotate``: the number of the revision live in the channel's environment, or None
    (what :func:`live_revision` reads, per row). ``*_ref``: ``OuterRef`` of the channel and its
    environment."""
    return Subquery(_succeeded_publishes(channel_ref, environment_ref).values("revision__number")[:1])


def status_text(channel: Channel, number: int | None) -> str:
    """The status as shown: the workflow's, and which revision is live if one is (``number``)."""
    status = str(channel.get_status_display())
    if number is None:
        return status
    values = {"number": number}
    texts = {
        ChannelStatus.PUBLISHED: _("Published (revision %(number)d is live)") % values,
        ChannelStatus.DRAFT: _("Published, edited since (revision %(number)d is live)") % values,
        ChannelStatus.CHANGES_REQUESTED: _("Changes requested (revision %(number)d is live)") % values,
        ChannelStatus.IN_REVIEW: _("In review (revision %(number)d is live)") % values,
        ChannelStatus.APPROVED: _("Approved (revision %(number)d is live)") % values,
        ChannelStatus.PUBLISHING: _("Publishing (revision %(number)d is live)") % values,
        ChannelStatus.PUBLISH_FAILED: _("Publish failed — revision %(number)d is still live") % values,
    }
    return texts.get(ChannelStatus(channel.status), status)
