"""The readiness checklist shown on a channel's page: Omnichannel roles and fallback queue members."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.models import Environment
from portal.services import roles
from portal.services.environments import QUICK_RETRY, client_for, describe_failure

logger = logging.getLogger(__name__)
CACHE_SECONDS = 60
# How often one person may ask for the checklist (django-ratelimit's rate syntax); cached answers
# cost nothing, but each new queue name asks Dataverse again.
CHECKLIST_RATE = "20/m"
T = TypeVar("T")


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


def _cached(key: str, ask: Callable[[], T], keep: Callable[[T], bool] = lambda answer: True) -> T:
    """``ask()``'s answer, remembered for a minute if ``keep(answer)``."""
    answer = cache.get(key)
    if answer is None:
        answer = ask()
        if keep(answer):
            cache.set(key, answer, CACHE_SECONDS)
    return answer


def checklist(environment: Environment, fallback_queue: str) -> list[ChecklistLine]:
    """At least one Omnichannel administrator and agent (directly assigned), and a fallback queue with
    members. Answers are cached for a minute; an unreachable environment gives one line saying so."""
    roles_url = reverse("environments:roles", args=[environment.pk])
    connect = functools.cache(lambda: client_for(environment, retry=QUICK_RETRY))
    try:
        holders = _cached(
            roles_cache_key(environment.pk),
            lambda: {
                "administrator": roles.has_direct_holder(connect(), roles.ADMINISTRATOR),
                "agent": roles.has_direct_holder(connect(), roles.AGENT),
            },
        )
        queue_answer = (
            _cached(
                queue_cache_key(environment.pk, fallback_queue),
                lambda: roles.queue_members(connect(), fallback_queue),
                # A queue not there yet is asked for again: the channel's publish creates it.
                keep=lambda answer: answer[0] is not None,
            )
            if fallback_queue
            else None
        )
    except Exception as error:  # noqa: BLE001 - the channel page must render even when Dataverse cannot
        reason = describe_failure(error)
        logger.info("Checklist for %s could not be read: %s", environment.name, reason)
        return [
            ChecklistLine(
                "unreachable",
                None,
                _("The environment could not be reached"),
                reason,
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
                ngettext("%(count)s member.", "%(count)s members.", members) % {"count": members}
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
