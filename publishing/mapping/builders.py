"""One small builder per Dataverse table a publish writes, each over the reader of the revision's
values (:mod:`wizard.values`): values are cleaned, and empty where the layout hides them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from django.utils.translation import gettext as _

from publishing.mapping.binding import NO_BINDING, Binding
from publishing.mapping.columns import boolean, choice, text, widget_columns
from publishing.mapping.references import EXISTING, WORKSTREAM_CONVERSATION_MODE
from publishing.mapping.tables import (
    ANSWER_OPTION,
    AUTH_SETTINGS,
    CONTEXT_VARIABLE,
    CONTEXT_VARIABLE_TEXT,
    CONVERSATION_LIVE,
    CONVERSATION_PERSISTENT,
    DIRECTION_INBOUND,
    DOMAIN,
    LANGUAGE,
    MESSAGE,
    MESSAGE_TO_CUSTOMER,
    MESSAGE_TYPE_AUTOMATED,
    NAME_MAX,
    OPERATING_HOURS,
    QUESTION,
    QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED,
    QUEUE,
    QUEUE_NAME_MAX,
    QUEUE_PRIORITY,
    QUEUE_TYPE_MESSAGING,
    RULE_INCLUDE,
    SEQUENCE,
    STREAM_SOURCE_LIVE_CHAT,
    SURVEY,
    WIDGET,
    WORKSTREAM,
    WORKSTREAM_MODE_SIMPLIFIED,
    Table,
    bind,
)
from wizard.options import ANSWER_OPTION_SET, DISTRIBUTION_PICK, answer_options
from wizard.validators import fit_dataverse_length
from wizard.values import DraftValues

NEW = "new"


@dataclass(frozen=True)
class Operation:
    action: Literal["upsert", "delete"]
    table: Table
    id: str
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""


class MappingError(Exception):
    """The data can't be turned into rows (a reference that wasn't resolved, for example)."""


def _quoted(kind: str, name: str) -> str:
    return f"{kind} “{name}”"


def derived_name(base: str, suffix: str = "", limit: int = NAME_MAX) -> str:
    """``base`` + ``suffix`` within a column's MaxLength as Dataverse counts it (UTF-16 code units, see
    :func:`wizard.validators.dataverse_length`): the base is shortened, the suffix that tells rows apart
    is kept whole. Over-long text is refused by Dataverse with 0x80044331 ("The length of the ...
    attribute ... exceeded the maximum allowed length"), so a name the portal makes up must never be."""
    return fit_dataverse_length(base, max(limit - len(suffix), 0)).rstrip() + suffix


@dataclass
class Build:
    """What every builder needs: the values, the row ids' scope and the resolved references."""

    values: DraftValues
    channel_pk: int
    environment_pk: int
    resolved: Mapping[str, str]
    binding: Binding = NO_BINDING

    def rid(self, table: Table, key: str) -> str:
        return self.binding.id(self.channel_pk, self.environment_pk, table, key)

    def needed(self, slot: str) -> str:
        try:
            return self.resolved[slot]
        except KeyError:
            raise MappingError(f"The {slot.replace('_', ' ')} was not resolved to a row id.") from None

    @cached_property
    def name(self) -> str:
        return text(self.values["details"]["name"]) or "Chat"

    @cached_property
    def persistent(self) -> bool:
        """Persistent chat is a setting of the workstream ("Make chats persistent" when it is created,
        ce/customer-service/administer/create-workstreams.md): a widget on an existing workstream follows
        that workstream's msdyn_conversationmode as read from the org, whatever the draft says."""
        workstream = self.values["workstream"]
        if workstream["workstream_mode"] == EXISTING and WORKSTREAM_CONVERSATION_MODE in self.resolved:
            return self.resolved[WORKSTREAM_CONVERSATION_MODE] == str(CONVERSATION_PERSISTENT)
        return workstream.on("persistent_chat")

    @property
    def conversation_mode(self) -> int:
        return CONVERSATION_PERSISTENT if self.persistent else CONVERSATION_LIVE

    @property
    def widget_id(self) -> str:
        return self.rid(WIDGET, "widget")

    def questions(self) -> list[dict[str, Any]]:
        """The pre-chat questions written (none while the survey is off), each with a name."""
        return [q for q in self.values["behaviors"].rows("questions") if text(q.get("name"))]


# --- fallback queue and workstream ----------------------------------------------------------------------


def queue(build: Build) -> tuple[list[Operation], str]:
    """A new fallback queue, or the existing one's id (for a workstream the channel creates)."""
    workstream = build.values["workstream"]
    if workstream["fallback_queue_mode"] != NEW:
        return [], build.needed("queue")
    queue_name = derived_name(
        text(workstream["fallback_queue_name"]) or f"{build.name} queue", limit=QUEUE_NAME_MAX
    )
    queue_id = build.rid(QUEUE, "fallback")
    data = {
        "name": queue_name,
        "msdyn_isomnichannelqueue": True,
        "msdyn_queuetype": QUEUE_TYPE_MESSAGING,
        "msdyn_priority": QUEUE_PRIORITY,
    }
    return [Operation("upsert", QUEUE, queue_id, data, _quoted("Fallback queue", queue_name))], queue_id


def workstream(build: Build) -> tuple[list[Operation], str]:
    """The workstream the channel creates (after its fallback queue), or the existing one's id."""
    values = build.values["workstream"]
    if values["workstream_mode"] == EXISTING:
        return [], build.needed("workstream")
    ops, queue_id = queue(build)
    name = derived_name(text(values["workstream_name"]) or f"{build.name} workstream")
    workstream_id = build.rid(WORKSTREAM, "workstream")
    data = {
        "msdyn_name": name,
        "msdyn_streamsource": STREAM_SOURCE_LIVE_CHAT,
        "msdyn_mode": WORKSTREAM_MODE_SIMPLIFIED,
        "msdyn_direction": DIRECTION_INBOUND,
        "msdyn_workdistributionmode": choice(values["distribution_mode"]),
        "msdyn_conversationmode": build.conversation_mode,
        **_push_only_settings(values["distribution_mode"], build.persistent),
        "msdyn_defaultqueue@odata.bind": bind(QUEUE, queue_id),
    }
    ops.append(Operation("upsert", WORKSTREAM, workstream_id, data, _quoted("Workstream", name)))
    return ops, workstream_id


def _push_only_settings(distribution_mode: Any, persistent: bool) -> dict[str, Any]:
    """Workstream columns that apply only to Push distribution, left out of a Pick workstream.

    "Keep same agent for entire conversation" (``msdyn_enableagentaffinity``): "Agent affinity is
    applicable only for push type of work distribution"; persistent chat asks for it (same page,
    ce/customer-service/administer/create-workstreams.md).
    """
    if str(distribution_mode) == DISTRIBUTION_PICK:
        return {}
    return {"msdyn_enableagentaffinity": persistent}


# --- survey questions, their answer options and context variables --------------------------------------


def questions(build: Build, workstream_id: str) -> list[Operation]:
    """Survey questions belong to the workstream; they must exist before the sequences point at them."""
    ops: list[Operation] = []
    for question in build.questions():
        qname = str(text(question.get("name")))
        question_row = build.rid(QUESTION, qname.lower())
        data = {
            "msdyn_name": derived_name(qname),
            "msdyn_questiontext": text(question.get("text")),
            "msdyn_answertype": choice(question.get("answer_type")),
            "msdyn_LiveWorkStreamToChatQuestion@odata.bind": bind(WORKSTREAM, workstream_id),
        }
        ops.append(Operation("upsert", QUESTION, question_row, data, _quoted("Survey question", qname)))
        ops.extend(_answer_option_ops(question, question_row, build.rid))
        ops.append(_context_variable_op(qname, workstream_id, build.rid))
    return ops


def _answer_option_ops(
    question: Mapping[str, Any], question_row: str, rid: Callable[[Table, str], str]
) -> list[Operation]:
    """One msdyn_chatansweroption row per option of an option-set question, linked to the question
    through msdyn_AnswerOptionsId, as the admin center stores them (the live-chat sample schema in
    microsoft/Dynamics365-Apps-Samples exports the options by their question; the entity reference
    ce/customer-service/develop/reference/entities/msdyn_chatansweroption.md: "Stores the answer options
    for a question of type option set"). The author types them separated by semicolons
    (ce/customer-service/administer/configure-pre-chat-survey.md)."""
    if str(question.get("answer_type")) != ANSWER_OPTION_SET:
        return []
    key = str(text(question.get("name"))).lower()
    return [
        Operation(
            "upsert",
            ANSWER_OPTION,
            rid(ANSWER_OPTION, f"{key}:{option.casefold()}"),
            {
                "msdyn_name": fit_dataverse_length(option, NAME_MAX),
                "msdyn_AnswerOptionsId@odata.bind": bind(QUESTION, question_row),
            },
            _quoted("Answer option", option),
        )
        for option in answer_options(question.get("options"))
    ]


def _context_variable_op(qname: str, workstream_id: str, rid: Callable[[Table, str], str]) -> Operation:
    """The context variable the admin center adds to the workstream for a pre-chat question ("After you
    add the survey questions, corresponding context variables are created and displayed in the
    Advanced settings > Context variables section of the workstream": ce/customer-service/administer/
    configure-pre-chat-survey.md). Answers are text, so the variable's type is Text."""
    return Operation(
        "upsert",
        CONTEXT_VARIABLE,
        rid(CONTEXT_VARIABLE, qname.lower()),
        {
            "msdyn_name": fit_dataverse_length(qname, NAME_MAX),
            "msdyn_displayname": fit_dataverse_length(qname, NAME_MAX),
            "msdyn_datatype": CONTEXT_VARIABLE_TEXT,
            "msdyn_liveworkstreamid@odata.bind": bind(WORKSTREAM, workstream_id),
        },
        _quoted("Context variable", qname),
    )


# --- the widget ---------------------------------------------------------------------------------------


def widget(build: Build, workstream_id: str) -> Operation:
    appearance, behaviors = build.values["appearance"], build.values["behaviors"]
    data = widget_columns(build.values)
    data["msdyn_conversationmode"] = build.conversation_mode
    data["msdyn_liveworkstreamid@odata.bind"] = bind(WORKSTREAM, workstream_id)
    data["msdyn_ocWidgetLanguage@odata.bind"] = bind(LANGUAGE, build.needed("language"))
    hours = build.needed("operating_hours") if appearance.on("operating_hours_only") else None
    data["msdyn_operatinghourid@odata.bind"] = bind(OPERATING_HOURS, hours)
    auth = build.needed("authentication_settings") if text(behaviors["authentication_settings"]) else None
    data["msdyn_AuthsettingsId@odata.bind"] = bind(AUTH_SETTINGS, auth)
    if build.persistent:
        _apply_persistent_chat_rules(data, has_authentication=auth is not None)
    survey = build.resolved.get("survey") if text(behaviors["survey"]) else None
    data["msdyn_PostConversationSurvey@odata.bind"] = bind(SURVEY, survey)
    data["msdyn_mcssurveyurl"] = text(behaviors["survey_url"])
    return Operation("upsert", WIDGET, build.widget_id, data, _quoted("Chat widget", build.name))


def _apply_persistent_chat_rules(columns: dict[str, Any], *, has_authentication: bool) -> None:
    """Persistent chat needs authentication settings ("Prerequisites: Make sure that the authentication
    settings are configured") and "doesn't display default messages about average wait time and queue
    positions" (ce/customer-service/administer/persistent-chat.md), however the chats became persistent."""
    columns["msdyn_positioninqueue_enabled"] = False
    columns["msdyn_averagewaittime_enabled"] = False
    if not has_authentication:
        raise MappingError(
            _(
                "This channel's chats are persistent (its workstream keeps conversations), and persistent "
                "chat needs authentication settings: choose them on the Behaviors step, then submit the "
                "channel for review again."
            )
        )


# --- the widget's child rows ---------------------------------------------------------------------------


def domains(build: Build) -> list[Operation]:
    ops: list[Operation] = []
    seen: set[str] = set()
    for row in build.values["appearance"].rows("domains"):
        domain = text(row.get("domain"))
        if not domain or domain.lower() in seen:
            continue
        domain = domain.lower()
        seen.add(domain)
        data = {
            "msdyn_name": derived_name(domain),
            "msdyn_domainvalue": domain,
            "msdyn_ruletype": RULE_INCLUDE,
            "msdyn_livechatconfigid@odata.bind": bind(WIDGET, build.widget_id),
        }
        ops.append(Operation("upsert", DOMAIN, build.rid(DOMAIN, domain), data, _quoted("Domain", domain)))
    return ops


def sequences(build: Build) -> list[Operation]:
    """The order of the pre-chat questions."""
    ops: list[Operation] = []
    for number, question in enumerate(build.questions(), start=1):
        qname = str(text(question.get("name")))
        data = {
            "msdyn_name": derived_name(qname),
            "msdyn_chatquestionnairetype": QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED,
            "sequencenumber": number,
            "msdyn_questionrequired": boolean(question.get("required")),
            "msdyn_ChatEngagementToChatSequenceId@odata.bind": bind(WIDGET, build.widget_id),
            "msdyn_SurveyQuestion@odata.bind": bind(QUESTION, build.rid(QUESTION, qname.lower())),
        }
        label = _quoted("Question order for", qname)
        ops.append(Operation("upsert", SEQUENCE, build.rid(SEQUENCE, qname.lower()), data, label))
    return ops


def messages(build: Build) -> list[Operation]:
    """Automated messages, keyed by trigger and occurrence."""
    ops: list[Operation] = []
    counts: dict[str, int] = {}
    for row in build.values["behaviors"].rows("messages"):
        if choice(row.get("trigger")) is None:
            continue
        trigger = str(choice(row.get("trigger")))
        counts[trigger] = counts.get(trigger, 0) + 1
        key = f"{trigger}:{counts[trigger]}"
        data = {
            "msdyn_name": derived_name(build.name, f" {trigger}.{counts[trigger]}"),
            "msdyn_streamsource": STREAM_SOURCE_LIVE_CHAT,
            "msdyn_messagetype": MESSAGE_TYPE_AUTOMATED,
            "msdyn_messagereceiver": MESSAGE_TO_CUSTOMER,
            "msdyn_systemmessageeventtype": choice(trigger),
            "msdyn_messagetext": text(row.get("text")),
            "msdyn_widgetid@odata.bind": bind(WIDGET, build.widget_id),
            "msdyn_instanceid": build.widget_id,
            "msdyn_defaultlanguage@odata.bind": bind(LANGUAGE, build.needed("language")),
        }
        label = _quoted("Automated message", f"{trigger}.{counts[trigger]}")
        ops.append(Operation("upsert", MESSAGE, build.rid(MESSAGE, key), data, label))
    return ops
