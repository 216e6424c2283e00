"""What an environment holds for one chat widget, read as rows, and how a planned row compares with it.

The publish, the import and the drift check read the same rows (:class:`LiveRows`): the widget, its
workstream and fallback queue, its child rows (domains, question order, automated messages), the
questions those point at with their answer options, and the workstream's context variables. A planned
upsert is compared column by column (:func:`differences`); a lookup is compared by the id it binds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publishing.mapping.builders import Operation
from publishing.mapping.columns import WIDGET_FIELDS
from publishing.mapping.tables import (
    ANSWER_OPTION,
    CONTEXT_VARIABLE,
    DOMAIN,
    LANGUAGE,
    MESSAGE,
    QUESTION,
    QUEUE,
    SEQUENCE,
    WIDGET,
    WORKSTREAM,
    Table,
)

BIND = "@odata.bind"

_WIDGET_LOOKUPS = (
    "_msdyn_liveworkstreamid_value",
    "_msdyn_ocwidgetlanguage_value",
    "_msdyn_operatinghourid_value",
    "_msdyn_authsettingsid_value",
    "_msdyn_postconversationsurvey_value",
)

#: The columns of each table a publish writes (lookups as ``_<lookup>_value``), read back to compare.
#: ``tests/publishing/test_live.py`` checks every column a plan writes is listed here.
COLUMNS: dict[str, tuple[str, ...]] = {
    QUEUE.logical: ("name", "msdyn_isomnichannelqueue", "msdyn_queuetype", "msdyn_priority"),
    WORKSTREAM.logical: (
        "msdyn_name",
        "msdyn_streamsource",
        "msdyn_mode",
        "msdyn_direction",
        "msdyn_workdistributionmode",
        "msdyn_conversationmode",
        "msdyn_enableagentaffinity",
        "_msdyn_defaultqueue_value",
    ),
    QUESTION.logical: (
        "msdyn_name",
        "msdyn_questiontext",
        "msdyn_answertype",
        "_msdyn_liveworkstreamtochatquestion_value",
    ),
    ANSWER_OPTION.logical: ("msdyn_name", "_msdyn_answeroptionsid_value"),
    CONTEXT_VARIABLE.logical: (
        "msdyn_name",
        "msdyn_displayname",
        "msdyn_datatype",
        "_msdyn_liveworkstreamid_value",
    ),
    WIDGET.logical: (
        *dict.fromkeys(column.column for columns in WIDGET_FIELDS.values() for column in columns),
        "msdyn_conversationmode",
        "msdyn_mcssurveyurl",
        *_WIDGET_LOOKUPS,
        # Read, never written: when it changed, and what the service generated.
        "modifiedon",
        "versionnumber",
        "msdyn_widgetappid",
        "msdyn_widgetsnippet",
    ),
    DOMAIN.logical: ("msdyn_name", "msdyn_domainvalue", "msdyn_ruletype", "_msdyn_livechatconfigid_value"),
    SEQUENCE.logical: (
        "msdyn_name",
        "msdyn_chatquestionnairetype",
        "sequencenumber",
        "msdyn_questionrequired",
        "_msdyn_chatengagementtochatsequenceid_value",
        "_msdyn_surveyquestion_value",
    ),
    MESSAGE.logical: (
        "msdyn_name",
        "msdyn_streamsource",
        "msdyn_messagetype",
        "msdyn_messagereceiver",
        "msdyn_systemmessageeventtype",
        "msdyn_messagetext",
        "_msdyn_widgetid_value",
        "msdyn_instanceid",
        "_msdyn_defaultlanguage_value",
    ),
    LANGUAGE.logical: ("msdyn_localeid",),
}


def select(table: Table) -> list[str]:
    return [table.primary_id, *COLUMNS[table.logical]]


def lookup_column(key: str) -> str:
    """The column a planned value is read back from: ``msdyn_AuthsettingsId@odata.bind`` →
    ``_msdyn_authsettingsid_value`` (a lookup's logical name is its navigation property in lower case
    for every lookup the publish writes)."""
    if key.endswith(BIND):
        return f"_{key[: -len(BIND)].lower()}_value"
    return key


def bound_id(value: Any) -> str | None:
    """``/queues(<id>)`` → ``<id>`` (lower case); None stays None."""
    if not value:
        return None
    text = str(value)
    return text[text.index("(") + 1 : text.rindex(")")].strip("{}").lower() if "(" in text else text.lower()


def _same(planned: Any, live: Any, *, lookup: bool) -> bool:
    if lookup:
        return bound_id(planned) == (str(live).lower() if live else None)
    if planned in (None, "") and live in (None, ""):
        return True
    if isinstance(planned, bool) or isinstance(live, bool):
        return bool(planned) is bool(live) and planned is not None and live is not None
    return bool(planned == live)


def differences(op: Operation, live: Mapping[str, Any] | None) -> list[str]:
    """The planned columns (as written: ``…@odata.bind`` for lookups) whose value differs from the live row;
    every column when there is no live row."""
    if live is None:
        return list(op.data)
    return [
        key
        for key, value in op.data.items()
        if not _same(value, live.get(lookup_column(key)), lookup=key.endswith(BIND))
    ]


def live_value(op_key: str, live: Mapping[str, Any] | None) -> Any:
    """The live row's value for a planned column (a lookup's id)."""
    if live is None:
        return None
    return live.get(lookup_column(op_key))


@dataclass
class LiveRows:
    """One widget's rows in an environment, by table logical name and id."""

    widget: dict[str, Any] | None = None
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: ``msdyn_oclanguage`` id → locale id, for the languages read.
    locales: dict[str, int] = field(default_factory=dict)

    def add(self, table: Table, row: Mapping[str, Any]) -> None:
        self.rows.setdefault(table.logical, {})[str(row[table.primary_id]).lower()] = dict(row)

    def table(self, table: Table) -> list[dict[str, Any]]:
        return list(self.rows.get(table.logical, {}).values())

    def get(self, table: Table, row_id: str) -> dict[str, Any] | None:
        if table is WIDGET:
            if self.widget and str(self.widget.get(WIDGET.primary_id, "")).lower() == row_id.lower():
                return self.widget
            return None
        return self.rows.get(table.logical, {}).get(row_id.lower())
