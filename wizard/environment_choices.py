"""Choice lists read from a Dataverse environment, cached, with the last good copy kept for offline use.

Each list is read through the Dataverse client with short timeouts and no retries, so a slow or
unreachable environment never holds up a wizard page for long: after one failure the environment is
treated as unreachable for ``DOWN_SECONDS`` and the wizard shows the last lists it read (or the
builtin ones) and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from dataverse import DataverseClient, DataverseError, NotFoundError, RetryPolicy
from portal.secrets import SecretUnreadable
from portal.services import environments as environment_service
from publishing.mapping import (
    CONVERSATION_PERSISTENT,
    QUEUE_ACTIVE,
    QUEUE_TYPE_MESSAGING,
    STREAM_SOURCE_LIVE_CHAT,
)
from wizard.choices import DEFAULT_MESSAGING_QUEUE, BuiltinChoices, ChoiceList, Option

logger = logging.getLogger(__name__)

CHOICE_TIMEOUT = (3.0, 5.0)
DOWN_SECONDS = 60
KINDS = (
    "languages",
    "workstreams",
    "persistent_workstreams",
    "queues",
    "operating_hours",
    "authentication_settings",
    "surveys",
)


def _cache_key(environment_pk: int, kind: str) -> str:
    return f"wizard:choices:{environment_pk}:{kind}"


def _down_key(environment_pk: int) -> str:
    return f"wizard:choices:{environment_pk}:down"


def clear_cache(environment: Any) -> None:
    """Forget the cached lists (and a remembered outage) so the next page reads them again."""
    cache.delete_many([_cache_key(environment.pk, kind) for kind in KINDS] + [_down_key(environment.pk)])


def _client(environment: Any) -> DataverseClient:
    # A wizard page must not wait on a slow environment: one short attempt, then the saved copy.
    return environment_service.client_for(
        environment, timeout=CHOICE_TIMEOUT, retry=RetryPolicy(max_attempts=1)
    )


def _rows(
    client: DataverseClient, entity_set: str, id_col: str, name_col: str, filter: str | None = None
) -> list[Option]:
    rows = client.query(entity_set, select=[id_col, name_col], filter=filter, orderby=name_col)
    return [(str(row[id_col]), str(row.get(name_col) or row[id_col])) for row in rows]


def _languages(client: DataverseClient) -> list[Option]:
    rows = client.query(
        "msdyn_oclanguages", select=["msdyn_localeid", "msdyn_languagename"], orderby="msdyn_languagename"
    )
    return [
        (str(row["msdyn_localeid"]), str(row.get("msdyn_languagename") or row["msdyn_localeid"]))
        for row in rows
        if row.get("msdyn_localeid") is not None
    ]


def _queues(client: DataverseClient) -> list[Option]:
    # The out-of-the-box messaging queue keeps its stable name as the value, so drafts made before an
    # environment was chosen (the builtin lists) stay valid; the publish resolves names and ids alike.
    # Only queues a chat workstream can route to (see publishing.mapping.fallback_queue_problem).
    options = _rows(
        client,
        "queues",
        "queueid",
        "name",
        f"statecode eq {QUEUE_ACTIVE} and msdyn_isomnichannelqueue eq true "
        f"and msdyn_queuetype eq {QUEUE_TYPE_MESSAGING}",
    )
    return [
        (DEFAULT_MESSAGING_QUEUE, label) if label == DEFAULT_MESSAGING_QUEUE else (v, label)
        for v, label in options
    ]


def _surveys(client: DataverseClient) -> list[Option]:
    try:
        return _rows(client, "msfp_surveies", "msfp_surveyid", "msfp_name")
    except NotFoundError:
        return []  # Customer Voice isn't installed in this environment


READERS: dict[str, Callable[[DataverseClient], list[Option]]] = {
    "languages": _languages,
    "workstreams": lambda c: _rows(
        c,
        "msdyn_liveworkstreams",
        "msdyn_liveworkstreamid",
        "msdyn_name",
        f"msdyn_streamsource eq {STREAM_SOURCE_LIVE_CHAT}",
    ),
    # Chat workstreams whose conversations are persistent: a widget on one follows it
    # (msdyn_liveworkstream.msdyn_conversationmode, 192350001 Persistent Chat).
    "persistent_workstreams": lambda c: _rows(
        c,
        "msdyn_liveworkstreams",
        "msdyn_liveworkstreamid",
        "msdyn_name",
        f"msdyn_streamsource eq {STREAM_SOURCE_LIVE_CHAT} and msdyn_conversationmode eq {CONVERSATION_PERSISTENT}",
    ),
    "queues": _queues,
    "operating_hours": lambda c: _rows(c, "msdyn_operatinghours", "msdyn_operatinghourid", "msdyn_name"),
    "authentication_settings": lambda c: _rows(
        c, "msdyn_authenticationsettingses", "msdyn_authenticationsettingsid", "msdyn_name"
    ),
    "surveys": _surveys,
}


class EnvironmentChoices:
    """The ChoiceProvider for a channel whose draft names an environment."""

    def __init__(
        self, environment: Any, *, client_factory: Callable[[Any], DataverseClient] | None = None
    ) -> None:
        self.environment = environment
        self._client_factory = client_factory or _client
        self._client: DataverseClient | None = None
        self._lists: dict[str, ChoiceList] = {}

    def languages(self) -> ChoiceList:
        return self._get("languages")

    def workstreams(self) -> ChoiceList:
        return self._get("workstreams")

    def persistent_workstreams(self) -> ChoiceList:
        return self._get("persistent_workstreams")

    def queues(self) -> ChoiceList:
        return self._get("queues")

    def operating_hours(self) -> ChoiceList:
        return self._get("operating_hours")

    def authentication_settings(self) -> ChoiceList:
        return self._get("authentication_settings")

    def surveys(self) -> ChoiceList:
        return self._get("surveys")

    # --------------------------------------------------------------------------------------------------

    def _get(self, kind: str) -> ChoiceList:
        if kind not in self._lists:
            self._lists[kind] = self._load(kind)
        return self._lists[kind]

    def _load(self, kind: str) -> ChoiceList:
        from wizard.models import ChoiceSnapshot

        pk = self.environment.pk
        cached = cache.get(_cache_key(pk, kind))
        if cached is not None:
            options, fetched_at = cached
            return ChoiceList([tuple(o) for o in options], source="cache", fetched_at=fetched_at)
        problem = cache.get(_down_key(pk))
        if problem is None:
            try:
                if self._client is None:
                    self._client = self._client_factory(self.environment)
                options = READERS[kind](self._client)
            except (DataverseError, SecretUnreadable, OSError, ValueError) as error:
                problem = _("%(env)s can't be reached (%(reason)s): showing the lists saved earlier.") % {
                    "env": self.environment.name,
                    "reason": getattr(error, "message", "") or type(error).__name__,
                }
                logger.warning("Reading %s from environment %s failed: %r", kind, pk, error)
                cache.set(_down_key(pk), problem, DOWN_SECONDS)
            else:
                now = timezone.now()
                cache.set(_cache_key(pk, kind), (options, now), settings.CHOICES_CACHE_SECONDS)
                ChoiceSnapshot.objects.update_or_create(
                    environment_id=pk, kind=kind, defaults={"options": options, "fetched_at": now}
                )
                return ChoiceList(options, source="environment", fetched_at=now)
        snapshot = ChoiceSnapshot.objects.filter(environment_id=pk, kind=kind).first()
        if snapshot is not None:
            return ChoiceList(
                [tuple(o) for o in snapshot.options],
                source="cache",
                fetched_at=snapshot.fetched_at,
                offline=True,
                problem=problem,
            )
        builtin = getattr(BuiltinChoices(), kind)()
        return ChoiceList(builtin.options, source="builtin", offline=True, problem=problem)
