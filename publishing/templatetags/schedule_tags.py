"""The roll back and scheduled publish panel of the channel page, and the home page's list of scheduled publishes."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import template
from django.http import HttpRequest

from publishing import refused
from publishing.forms import RollbackForm, ScheduleForm
from publishing.services import rollback, schedule

register = template.Library()


@register.inclusion_tag("publishing/partials/schedule_panel.html", takes_context=True)
def schedule_panel(context: dict[str, Any], channel: Any) -> dict[str, Any]:
    schedule.run_due()
    user = context["request"].user
    environment = channel.environment
    upcoming = list(schedule.upcoming(channel))
    may_publish = user.has_perm("wizard.publish_channel")
    candidates = rollback.candidates(channel)
    can_schedule = (
        may_publish
        and environment is not None
        and channel.status in {"approved", "publish_failed"}
        and not upcoming
    )
    return {
        "can_schedule": can_schedule,
        "request": context["request"],
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "channel": channel,
        "upcoming": upcoming,
        "zone": schedule.zone_of(environment).key if environment is not None else "UTC",
        "schedule_form": ScheduleForm(),
        "schedule_run_at": (refused.take(context["request"], "schedule", channel.pk) or {}).get("run_at", ""),
        "candidates": candidates,
        "rollback_forms": _rollback_forms(context["request"], channel, candidates),
        "rollbacks": list(channel.rollbacks.select_related("source", "revision", "requested_by")[:5]),
        "may_skip_review": rollback.may_skip_review(user),
    }


def _rollback_forms(
    request: HttpRequest, channel: Any, candidates: list[Any]
) -> list[tuple[Any, RollbackForm]]:
    """A Roll back form per candidate revision; the one refused last is shown as typed, with its errors."""
    kept = refused.take(request, "rollback", channel.pk)
    forms = []
    for revision in candidates:
        if kept is not None and kept.get("number") == str(revision.number):
            form = RollbackForm(kept)
            form.is_valid()
        else:
            form = RollbackForm(initial={"number": revision.number})
        forms.append((revision, form))
    return forms


@register.inclusion_tag("publishing/partials/scheduled_list.html", takes_context=True)
def scheduled_publishes(context: dict[str, Any]) -> dict[str, Any]:
    schedule.run_due()
    return {"scheduled": list(schedule.upcoming()[:20])}


@register.filter
def in_zone(value: Any, zone: str) -> Any:
    """A UTC time as the wall-clock time of the named zone (naive, so ``date`` shows it as it is)."""
    if value is None:
        return value
    try:
        return value.astimezone(zoneinfo.ZoneInfo(zone or "UTC")).replace(tzinfo=None)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value
