"""Publish at a set time: an approved revision, stored in UTC, entered and shown in the environment's zone.

The schedule runs as a background task enqueued with ``run_after`` where the task backend supports it
(the database backend in production). Without one (the immediate backend of development and tests)
``run_due`` publishes what is due; the channel and home pages and ``manage.py run_scheduled_publishes``
call it. Any edit of the channel moves its version on and cancels the schedule.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL
from publishing.models import ScheduledPublish
from publishing.services import publish as publish_service
from wizard.models import Channel, Revision
from wizard.services import workflow

SCHEDULED = ScheduledPublish.State.SCHEDULED


class ScheduleError(Exception):
    """A publish can't be scheduled; ``str()`` says why."""


def zone_of(environment: Environment) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(environment.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _defers() -> bool:
    from django_tasks import default_task_backend

    return bool(default_task_backend.supports_defer)


def schedule(channel: Channel, user: User, run_at: datetime) -> ScheduledPublish:
    """Schedule the channel's approved revision for ``run_at`` (an aware time)."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not publish channels."))
    if run_at <= timezone.now():
        raise ScheduleError(_("That time is in the past. Choose a time in the future."))
    with transaction.atomic():
        locked = (
            Channel.objects.select_for_update(of=("self",)).select_related("environment").get(pk=channel.pk)
        )
        cancel_if_edited(locked)
        if locked.environment is None or locked.environment.archived:
            raise ScheduleError(_("Choose the environment to publish to on the Channel details step."))
        revision = locked.revisions.filter(state=Revision.State.APPROVED).order_by("-number").first()
        if revision is None:
            raise ScheduleError(_("There is no approved revision to schedule."))
        refusal = workflow.publish_refusal(revision, user)
        if refusal:
            raise ScheduleError(refusal)
        try:
            with transaction.atomic():
                scheduled = ScheduledPublish.objects.create(
                    channel=locked,
                    revision=revision,
                    environment=locked.environment,
                    run_at=run_at.astimezone(zoneinfo.ZoneInfo("UTC")),
                    channel_version=locked.version,
                    created_by=user,
                )
        except IntegrityError as error:
            raise ScheduleError(
                _("A publish of this channel is already scheduled. Cancel it first.")
            ) from error
        audit.record(
            user,
            "publish.scheduled",
            channel=locked,
            revision=revision,
            environment=locked.environment,
            details={"run_at": scheduled.run_at.isoformat(), "scheduled": scheduled.pk},
        )
    if _defers():
        from publishing.tasks import publish_scheduled

        transaction.on_commit(
            lambda: publish_scheduled.using(run_after=scheduled.run_at).enqueue(scheduled.pk)
        )
    return scheduled


def _cancel(scheduled: ScheduledPublish, user: User | None, note: str) -> None:
    scheduled.state = ScheduledPublish.State.CANCELLED
    scheduled.finished_at = timezone.now()
    scheduled.note = note
    scheduled.save(update_fields=["state", "finished_at", "note"])
    audit.record(
        user,
        "publish.schedule_cancelled",
        channel=scheduled.channel,
        revision=scheduled.revision,
        environment=scheduled.environment,
        comment=note,
        details={"scheduled": scheduled.pk},
    )


def cancel(channel: Channel, user: User) -> ScheduledPublish | None:
    """Cancel the channel's scheduled publish by hand; ``None`` when there was none."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not publish channels."))
    with transaction.atomic():
        scheduled = (
            ScheduledPublish.objects.select_for_update(of=("self",))
            .filter(channel_id=channel.pk, state=SCHEDULED)
            .first()
        )
        if scheduled is None:
            return None
        _cancel(scheduled, user, _("Cancelled by %(user)s.") % {"user": user.get_username()})
    return scheduled


def cancel_if_edited(channel: Channel | None = None) -> int:
    """Cancel the schedules that an edit made stale (the channel's version moved on); of one channel or all."""
    stale = ScheduledPublish.objects.filter(state=SCHEDULED).exclude(channel_version=F("channel__version"))
    if channel is not None:
        stale = stale.filter(channel_id=channel.pk)
    count = 0
    for scheduled in stale.select_related("channel", "revision", "environment"):
        _cancel(scheduled, None, _("Cancelled: the channel was edited after the publish was scheduled."))
        count += 1
    return count


def upcoming(channel: Channel | None = None) -> QuerySet[ScheduledPublish]:
    """Scheduled publishes still to run (an edited channel's are cancelled first)."""
    cancel_if_edited(channel)
    found = ScheduledPublish.objects.filter(state=SCHEDULED).select_related(
        "channel", "revision", "environment", "created_by"
    )
    return found.filter(channel_id=channel.pk) if channel is not None else found


def run(scheduled_id: int) -> ScheduledPublish:
    """The task body: publish the scheduled revision if the schedule still stands and is due."""
    with transaction.atomic():
        scheduled = (
            ScheduledPublish.objects.select_for_update(of=("self",))
            .select_related("channel", "revision", "environment", "created_by")
            .get(pk=scheduled_id)
        )
        if scheduled.state != SCHEDULED or scheduled.run_at > timezone.now():
            return scheduled
        channel = Channel.objects.select_for_update().get(pk=scheduled.channel_id)
        if channel.version != scheduled.channel_version:
            _cancel(scheduled, None, _("Cancelled: the channel was edited after the publish was scheduled."))
            return scheduled
        scheduled.state = ScheduledPublish.State.STARTED
        scheduled.finished_at = timezone.now()
        scheduled.save(update_fields=["state", "finished_at"])
    try:
        attempt, _created = publish_service.request_publish(channel, scheduled.created_by)
    except (publish_service.PublishError, PermissionDenied) as error:
        scheduled.state = ScheduledPublish.State.FAILED
        scheduled.note = str(error)
        scheduled.save(update_fields=["state", "note"])
        audit.record(
            None,
            "publish.schedule_failed",
            channel=channel,
            revision=scheduled.revision,
            environment=scheduled.environment,
            comment=str(error),
            details={"scheduled": scheduled.pk},
        )
        return scheduled
    ScheduledPublish.objects.filter(pk=scheduled.pk).update(attempt=attempt)
    scheduled.attempt = attempt
    return scheduled


def run_due() -> int:
    """Publish every schedule that is due (without a deferring task backend); returns how many ran."""
    if _defers():
        return 0
    due = list(
        ScheduledPublish.objects.filter(state=SCHEDULED, run_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        run(pk)
    return len(due)
