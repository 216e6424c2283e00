"""The reference rows a plan binds to (language, existing workstream or queue, operating hours,
authentication settings, survey), which the publish looks up in the org first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _

from publishing.mapping.columns import text
from publishing.mapping.tables import (
    AUTH_SETTINGS,
    LANGUAGE,
    OPERATING_HOURS,
    QUEUE,
    QUEUE_TYPE_MESSAGING,
    SURVEY,
    WORKSTREAM,
    Table,
    is_guid,
)
from wizard.values import DraftValues, read

EXISTING = "existing"


@dataclass(frozen=True)
class Reference:
    """A reference row to look up: by id (a GUID), or by name / locale id otherwise."""

    slot: str  # "language", "workstream", "queue", "operating_hours", "authentication_settings", "survey"
    table: Table
    value: str
    by: Literal["id", "name", "localeid"]

    @property
    def label(self) -> str:
        return f"{self.table.label} “{self.value}”"


def reader(data: Mapping[str, Any] | DraftValues) -> DraftValues:
    return data if isinstance(data, DraftValues) else read(data)


def _ref(slot: str, table: Table, value: Any) -> Reference | None:
    value = text(value)
    if value is None:
        return None
    return Reference(slot, table, value, "id" if is_guid(value) else "name")


def references(data: Mapping[str, Any] | DraftValues) -> list[Reference]:
    """The reference rows the plan binds to, which the publish resolves to ids first. Each is read
    as the reader gives it, so a hidden choice (an existing queue while "Create new" is chosen, the
    operating hours while the widget shows at all hours) is not looked up."""
    values = reader(data)
    details, workstream = values["details"], values["workstream"]
    appearance, behaviors = values["appearance"], values["behaviors"]
    refs: list[Reference | None] = []
    language = text(details["language"])
    if language:
        by: Literal["id", "localeid", "name"] = (
            "id" if is_guid(language) else "localeid" if language.isdigit() else "name"
        )
        refs.append(Reference("language", LANGUAGE, language, by))
    if workstream["workstream_mode"] == EXISTING:
        refs.append(_ref("workstream", WORKSTREAM, workstream["existing_workstream"]))
    else:
        # Not the layout's condition alone: an existing workstream keeps its own fallback queue (it is
        # linked, never modified), so the queue is looked up only for a workstream the channel creates.
        refs.append(_ref("queue", QUEUE, workstream["existing_queue"]))
    refs.append(_ref("operating_hours", OPERATING_HOURS, appearance["operating_hours"]))
    refs.append(_ref("authentication_settings", AUTH_SETTINGS, behaviors["authentication_settings"]))
    refs.append(_ref("survey", SURVEY, behaviors["survey"]))
    return [ref for ref in refs if ref is not None]


QUEUE_ACTIVE = 0
# The ``resolved`` key under which the publish passes an existing workstream's msdyn_conversationmode.
WORKSTREAM_CONVERSATION_MODE = "workstream_conversation_mode"
# What the publish reads of the reference rows besides their id: the fallback queue's kind and state,
# the existing workstream's conversation mode.
REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "queue": ("name", "statecode", "msdyn_isomnichannelqueue", "msdyn_queuetype"),
    "workstream": ("msdyn_conversationmode",),
}


def fallback_queue_problem(row: Mapping[str, Any]) -> str | None:
    """Why a queue row can't be a chat workstream's fallback queue, in words the author can act on, or
    None. A chat workstream routes only to active Omnichannel queues of type Messaging
    (``statecode`` 0, ``msdyn_isomnichannelqueue`` true, ``msdyn_queuetype`` 192350000): "for routing
    rules for a live chat workstream, only messaging type queues are shown for selection"
    (ce/customer-service/administer/queues-omnichannel.md); ``msdyn_isomnichannelqueue`` marks a queue
    "used as Omnichannel queue for work distribution" (ce/developer/reference/entities/queue.md)."""
    reasons = []
    if row.get("statecode") not in (None, QUEUE_ACTIVE):
        reasons.append(_("it is inactive"))
    if row.get("msdyn_isomnichannelqueue") is not True:
        reasons.append(_("it is not an Omnichannel queue"))
    elif row.get("msdyn_queuetype") != QUEUE_TYPE_MESSAGING:
        reasons.append(_("it routes records or calls, not messaging conversations"))
    if not reasons:
        return None
    return _(
        "The fallback queue “%(name)s” can't take chats: %(reasons)s. Choose an active Omnichannel "
        "messaging queue on the Workstream step, or create a new fallback queue there."
    ) % {"name": row.get("name") or row.get("queueid") or "?", "reasons": _(" and ").join(reasons)}
