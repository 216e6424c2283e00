"""The readiness checklist shown on a channel's page: Omnichannel roles and fallback queue members."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _

import dataverse
from portal.models import Environment
from portal.services import roles
from portal.services.environments import client_for, describe_failure

logger = logging.getLogger(__name__)
CACHE_SECONDS = 60


@dataclass
class ChecklistLine:
    key: str
    ok: bool | None  # None: the environment could not be asked
    label: str
    detail: str
    fix_url: str = ""
    fix_label: str = ""


def roles_cache_key(environment_pk: int) -> str:
    return f"checklist-roles-{environment_pk}"


def queue_cache_key(environment_pk: int, queue: str) -> str:
    return f"checklist-queue-{environment_pk}-{hashlib.sha256(queue.encode()).hexdigest()[:16]}"


def forget(environment_pk: int) -> None:
    """Drop the cached role answers (after a role change)."""
    cache.delete(roles_cache_key(environment_pk))


def checklist(environment: Environment, fallback_queue: str) -> list[ChecklistLine]:
    """At least one Omnichannel administrator and agent (directly assigned), and a fallback queue with
    members. Answers are cached for a minute; an unreachable environment gives one line saying so."""
    roles_url = reverse("environments:roles", args=[environment.pk])
    try:
        holders = cache.get(roles_cache_key(environment.pk))
        client = None
        if holders is None:
            client = client_for(
                environment, retry=dataverse.RetryPolicy(max_attempts=2, max_total_seconds=10)
            )
            holders = {
                "administrator": roles.has_direct_holder(client, roles.ADMINISTRATOR),
                "agent": roles.has_direct_holder(client, roles.AGENT),
            }
            cache.set(roles_cache_key(environment.pk), holders, CACHE_SECONDS)
        queue_answer = None
        if fallback_queue:
            queue_answer = cache.get(queue_cache_key(environment.pk, fallback_queue))
            if queue_answer is None:
                client = client or client_for(
                    environment, retry=dataverse.RetryPolicy(max_attempts=2, max_total_seconds=10)
                )
                queue_answer = roles.queue_members(client, fallback_queue)
                cache.set(queue_cache_key(environment.pk, fallback_queue), queue_answer, CACHE_SECONDS)
    except Exception as error:  # noqa: BLE001 - the channel page must render even when Dataverse cannot
        logger.info("Checklist for %s could not be read: %s", environment.name, error)
        return [
            ChecklistLine(
                "unreachable",
                None,
                _("The environment could not be reached"),
                describe_failure(error),
                reverse("environments:detail", args=[environment.pk]),
                _("Check the environment's connection"),
            )
        ]
    lines = [
        ChecklistLine(
            "administrator",
            holders["administrator"],
            _("At least one Omnichannel administrator"),
            "" if holders["administrator"] else _("Nobody holds Omnichannel administrator directly."),
            roles_url + "?role=administrator",
            _("Assign Omnichannel administrator"),
        ),
        ChecklistLine(
            "agent",
            holders["agent"],
            _("At least one Omnichannel agent"),
            "" if holders["agent"] else _("Nobody holds Omnichannel agent directly."),
            roles_url + "?role=agent",
            _("Assign Omnichannel agent"),
        ),
    ]
    if not fallback_queue:
        lines.append(
            ChecklistLine("queue", None, _("Fallback queue has members"), _("No fallback queue chosen yet."))
        )
    else:
        queue_id, members = queue_answer  # type: ignore[misc]
        if queue_id is None:
            detail = _(
                "The queue “%(queue)s” does not exist in this environment yet; it is created on publish."
            ) % {"queue": fallback_queue}
            ok: bool | None = None
        else:
            ok = members > 0
            detail = (
                _("%(count)s member(s).") % {"count": members}
                if ok
                else _("The queue has no members, so chats routed to it reach nobody.")
            )
        lines.append(
            ChecklistLine(
                "queue",
                ok,
                _("Fallback queue has members"),
                detail,
                f"{environment.org_url.rstrip('/')}/main.aspx?pagetype=entityrecord&etn=queue"
                + (f"&id={queue_id}" if queue_id else ""),
                _("Add members to the queue in Dynamics 365"),
            )
        )
    return lines
