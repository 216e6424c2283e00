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

from publishing.services.publish import ACTIVE
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision


def _succeeded_publishes(channel_id: Any, environment_id: Any) -> QuerySet[PublishAttempt]:
    """The publishes of a channel to an environment that succeeded, the last first: the first wrote
    the live revision. The ids may be ``OuterRef``s, for a list's subquery."""
    return PublishAttempt.objects.filter(
        channel_id=channel_id, environment_id=environment_id, state=PublishAttempt.State.SUCCEEDED
    ).order_by("-finished_at", "-pk")


def live_attempt(channel: Channel, environment: Any = None) -> PublishAttempt | None:
    """The publish that wrote the revision live in ``environment`` (default: the channel's): its widget
    app id and embed code are the ones customers get there. None if nothing was published there."""
    environment_id = environment.pk if environment is not None else channel.environment_id
    if environment_id is None:
        return None
    return _succeeded_publishes(channel.pk, environment_id).select_related("revision", "environment").first()


def live_revision(channel: Channel, environment: Any = None) -> Revision | None:
    """The revision live in ``environment`` (default: the channel's), or None if none was published there."""
    attempt = live_attempt(channel, environment)
    return attempt.revision if attempt is not None else None


@dataclass(frozen=True)
class ChannelPublishes:
    """What the channel page says about publishing. ``own`` and ``live`` are about the channel's own
    environment; a promotion elsewhere only shows as ``elsewhere``, named by its environment, so its
    widget app id and embed code are never taken for the own environment's."""

    own: PublishAttempt | None  # the last publish to the channel's environment, in any state
    live: PublishAttempt | None  # the last one there that succeeded: what customers get there
    elsewhere: PublishAttempt | None  # a publish to another environment, running or later than ``own``

    @property
    def active(self) -> PublishAttempt | None:
        """The queued or running publish of the channel, in whichever environment (one at a time)."""
        return next((a for a in (self.own, self.elsewhere) if a is not None and a.state in ACTIVE), None)

    @property
    def latest(self) -> PublishAttempt | None:
        """The publish the panel shows last: once none is active, the page is reloaded to show its outcome."""
        return self.elsewhere or self.own


def channel_publishes(channel: Channel) -> ChannelPublishes:
    """The channel's publishes as its page shows them (three queries at most)."""
    attempts = channel.publish_attempts.select_related("revision", "environment", "requested_by")
    own: PublishAttempt | None = None
    others = attempts
    if channel.environment_id is not None:
        own = attempts.filter(environment_id=channel.environment_id).first()
        others = attempts.exclude(environment_id=channel.environment_id)
    other = others.first()
    later = other is not None and (own is None or other.created_at > own.created_at)
    elsewhere = other if other is not None and (later or other.state in ACTIVE) else None
    live = own if own is not None and own.state == PublishAttempt.State.SUCCEEDED else live_attempt(channel)
    return ChannelPublishes(own, live, elsewhere)


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
