"""The Dataverse tables a publish writes or reads, and the option values it writes: the catalogue,
apart from the rules that decide what goes where."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

NAMESPACE = uuid.UUID("5d0c7a8e-2f53-4c54-9b0e-6f1d3c1a7e21")

STREAM_SOURCE_LIVE_CHAT = 192360000
WORKSTREAM_MODE_SIMPLIFIED = 717210001
DIRECTION_INBOUND = 0
CONVERSATION_LIVE = 192350000
CONVERSATION_PERSISTENT = 192350001
QUEUE_TYPE_MESSAGING = 192350000
QUEUE_PRIORITY = 10_000
RULE_INCLUDE = 100000000
QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED = 192350001
MESSAGE_TYPE_AUTOMATED = 2
MESSAGE_TO_CUSTOMER = 192350001
CONTEXT_VARIABLE_TEXT = 192350000

NAME_MAX = 100  # msdyn_name of the widget's child rows: String, MaxLength 100 (entity references)
QUEUE_NAME_MAX = 200  # queue.name: String, MaxLength 200 (powerapps-docs reference/entities/queue.md)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_guid(value: object) -> bool:
    return isinstance(value, str) and bool(_GUID.match(value.strip().strip("{}")))


@dataclass(frozen=True)
class Table:
    logical: str
    entity_set: str
    primary_id: str
    primary_name: str
    label: str  # what the user sees in a failure message, e.g. "Chat widget"


QUEUE = Table("queue", "queues", "queueid", "name", "Fallback queue")
WORKSTREAM = Table(
    "msdyn_liveworkstream", "msdyn_liveworkstreams", "msdyn_liveworkstreamid", "msdyn_name", "Workstream"
)
WIDGET = Table(
    "msdyn_livechatconfig", "msdyn_livechatconfigs", "msdyn_livechatconfigid", "msdyn_name", "Chat widget"
)
DOMAIN = Table(
    "msdyn_livechatwidgetlocation",
    "msdyn_livechatwidgetlocations",
    "msdyn_livechatwidgetlocationid",
    "msdyn_name",
    "Domain",
)
QUESTION = Table(
    "msdyn_surveyquestion", "msdyn_surveyquestions", "msdyn_surveyquestionid", "msdyn_name", "Survey question"
)
SEQUENCE = Table(
    "msdyn_questionsequence",
    "msdyn_questionsequences",
    "msdyn_questionsequenceid",
    "msdyn_name",
    "Question order",
)
MESSAGE = Table(
    "msdyn_ocsystemmessage",
    "msdyn_ocsystemmessages",
    "msdyn_ocsystemmessageid",
    "msdyn_name",
    "Automated message",
)
LANGUAGE = Table(
    "msdyn_oclanguage", "msdyn_oclanguages", "msdyn_oclanguageid", "msdyn_languagename", "Language"
)
OPERATING_HOURS = Table(
    "msdyn_operatinghour", "msdyn_operatinghours", "msdyn_operatinghourid", "msdyn_name", "Operating hours"
)
AUTH_SETTINGS = Table(
    "msdyn_authenticationsettings",
    "msdyn_authenticationsettingses",
    "msdyn_authenticationsettingsid",
    "msdyn_name",
    "Authentication settings",
)
SURVEY = Table("msfp_survey", "msfp_surveies", "msfp_surveyid", "msfp_name", "Customer Voice survey")
ANSWER_OPTION = Table(
    "msdyn_chatansweroption",
    "msdyn_chatansweroptions",
    "msdyn_chatansweroptionid",
    "msdyn_name",
    "Answer option",
)
CONTEXT_VARIABLE = Table(
    "msdyn_ocliveworkstreamcontextvariable",
    "msdyn_ocliveworkstreamcontextvariables",
    "msdyn_ocliveworkstreamcontextvariableid",
    "msdyn_name",
    "Context variable",
)

# The widget's child rows, with the lookup column that links each to the widget (read back as
# ``_<column>_value``). Used to find rows a newer revision dropped.
CHILD_LINKS: tuple[tuple[Table, str], ...] = (
    (DOMAIN, "msdyn_livechatconfigid"),
    (SEQUENCE, "msdyn_chatengagementtochatsequenceid"),
    (MESSAGE, "msdyn_widgetid"),
)


# Rows the channel owns that hang off its questions or workstream rather than the widget: read by id
# (see the publish's read), dropped when a newer revision no longer writes them.
QUESTION_CHILDREN: tuple[Table, ...] = (ANSWER_OPTION, CONTEXT_VARIABLE)


def row_id(channel_pk: int, environment_pk: int, table: Table, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{channel_pk}:{environment_pk}:{table.logical}:{key}"))


def bind(table: Table, id: str | None) -> str | None:
    return f"/{table.entity_set}({id})" if id else None
