"""From a revision's wizard data to the Dataverse rows a publish writes.

Pure functions, no I/O: :func:`references` says which reference rows must be looked up in the org
(language, existing queue, workstream, operating hours, authentication settings, survey),
:func:`build_plan` turns the data, the resolved references and the child rows that already exist
into an ordered list of upserts and deletes. Row ids are deterministic
(``uuid5(NAMESPACE, "<channel>:<environment>:<table>:<key>")``), so writing the same plan twice
changes nothing and a retried write never duplicates a row.

Adding a wizard field means adding it to its step's form and to one table below: ``WIDGET_FIELDS``
(a field that lands in a chat widget column) or ``HANDLED_FIELDS`` (a field that shapes another row,
or that the publish deliberately does not write, with the reason). ``tests/wizard`` checks that every
form field appears in exactly one of them.

Decisions on the reference's unverified points (``dataverse-model.md``, "Open questions"), in one place:

1. Language: the widget's newer lookup ``msdyn_ocwidgetlanguage`` (bound through
   ``msdyn_ocWidgetLanguage`` to the ``msdyn_oclanguages`` row whose ``msdyn_localeid`` is the chosen
   locale) plus ``msdyn_autodetectlanguage``. The older ``msdyn_widgetlocale`` lookup and the legacy
   ``msdyn_language`` choice (only Auto-detect/English) are not written.
2. Fallback queue = the workstream's ``msdyn_defaultqueue``. A new fallback queue is an Omnichannel
   messaging queue (``msdyn_isomnichannelqueue`` true, ``msdyn_queuetype`` 192350000) with priority
   ``QUEUE_PRIORITY``: unified routing serves a queue with a smaller number first
   (ce/customer-service/administer/queues-omnichannel.md, "Configure queue prioritization"). The
   admin center's "Create a queue" dialog asks for the number and the workstream dialog's "Create new"
   fallback queue does not; no page states the number it then stores (UNVERIFIED). A large number
   (10,000, which the emulator also gives its out-of-the-box queues) keeps a new fallback queue from
   being served before every queue the org already has, as priority 1 (the highest) would.
   Only an active Omnichannel messaging queue can be a chat workstream's fallback queue
   ("for routing rules for a live chat workstream, only messaging type queues are shown", same page);
   the wizard offers only those and the publish refuses any other (see ``fallback_queue_problem``).
3. "Show widget only during operating hours" binds ``msdyn_operatinghourid``;
   ``msdyn_showwidgetduringofflinehours`` is true only when the author chose to show the widget with
   an offline message outside those hours (false = hidden outside hours). With the toggle off the
   lookup is cleared. The offline widget uses the same theme colour as the online one.
4. ``msdyn_timetoreconnectwithpreviousagent`` is written in minutes (Dataverse's Duration format);
   the wizard asks for minutes.
5. ``msdyn_showagentname`` carries the "Anonymize agent" toggle (its admin-center label), with
   ``msdyn_genericagentdisplayname`` as the name shown instead.
6. Provider and template fields (``msdyn_emailtemplate``, ``msdyn_mailbox``,
   ``msdyn_screensharingprovider``, ``msdyn_cobrowseprovider``) are written as the text the author
   typed (unique name / address). Dependent fields are cleared (null) when their toggle is off.
7. Pre-chat questions: one ``msdyn_surveyquestion`` per question, owned by the channel's workstream,
   and one ``msdyn_questionsequence`` per question (type 192350001, pre-chat unauthenticated) pointing
   at the widget. The options of an option-set question (typed separated by semicolons) are one
   ``msdyn_chatansweroption`` row each, linked to the question by ``msdyn_AnswerOptionsId``; each
   question also gets the Text context variable (``msdyn_ocliveworkstreamcontextvariable``) the admin
   center adds to the workstream. Both keep deterministic ids and are deleted when a newer revision
   drops them. The widget's ``msdyn_prechatquestionnaire*`` lookups are left alone. Whether Dataverse
   itself adds the context variable when a question is created through the Web API is UNVERIFIED; if
   it did, the workstream would show the variable twice.
8. An existing workstream is linked, never modified: the distribution mode, persistent-chat and
   fallback-queue choices apply only to a workstream the channel creates, and the widget follows the
   existing workstream's conversation mode. The channel's own rows still go on it (its pre-chat
   questions and their context variables). Workstreams and queues are never deleted by a publish
   (other channels or routing rules may use them); only the channel's child rows (domains, question
   sequences and their questions, answer options and context variables, automated messages) that a
   newer revision dropped are deleted.
9. Automated messages are addressed to the customer (``msdyn_messagereceiver`` 192350001), type
   Automated Message (2), in the widget's language, linked to the widget by ``msdyn_widgetid`` and,
   as the admin center does, by the widget's id in ``msdyn_instanceid`` ("ID of the instance this
   system message is related to, represented in text form": the live-chat sample schema in
   microsoft/Dynamics365-Apps-Samples exports a widget's messages by ``msdyn_instanceid like
   '%<widget id>%'``). Their names are ``<channel name> <trigger>.<n>``, shortened to fit.
   ``msdyn_widgetappid`` and ``msdyn_widgetsnippet`` are generated by the service and never written.
10. Text lengths are counted as Dataverse counts them, in UTF-16 code units
   (:func:`wizard.validators.dataverse_length`; INFERRED from Dataverse being a .NET service, where a
   string's length is its count of UTF-16 code units). Names the portal derives are cut to fit
   (:func:`derived_name`); text the author types is refused by the step form when too long.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from wizard.options import (
    ANSWER_OPTION_SET,
    DISTRIBUTION_PICK,
    SURVEY_MODE_LINK,
    SURVEY_PROVIDER_COPILOT,
    SURVEY_PROVIDER_CUSTOMER_VOICE,
    answer_options,
)
from wizard.validators import fit_dataverse_length

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


# --- tables ---------------------------------------------------------------------------------------


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


def row_id(channel_pk: int, environment_pk: int, table: Table, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{channel_pk}:{environment_pk}:{table.logical}:{key}"))


def bind(table: Table, id: str | None) -> str | None:
    return f"/{table.entity_set}({id})" if id else None


# --- converters -----------------------------------------------------------------------------------


def text(value: Any) -> str | None:
    value = "" if value is None else str(value).strip()
    return value or None


def boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"on", "true", "1", "yes"}
    return bool(value)


def choice(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def minutes(value: Any) -> int | None:
    return choice(value)


@dataclass(frozen=True)
class Column:
    """One wizard field → one widget column. ``when`` names a boolean field (``"a"``) or a field value
    (``"a=b"``) of the same step; when it does not hold, the column is written as null (or false)."""

    field: str
    column: str
    convert: Callable[[Any], Any] = text
    when: str | None = None


def _holds(values: Mapping[str, Any], condition: str | None) -> bool:
    if condition is None:
        return True
    name, _, expected = condition.partition("=")
    value = values.get(name)
    if expected:
        return str(value) == expected
    if isinstance(value, str):
        return value.strip().lower() not in {"", "false", "off", "0", "no"}
    return bool(value)


# Every wizard field that lands in a chat widget column, per step.
WIDGET_FIELDS: dict[str, tuple[Column, ...]] = {
    "details": (
        Column("name", "msdyn_name"),
        Column("auto_detect_language", "msdyn_autodetectlanguage", boolean),
    ),
    "workstream": (),
    "appearance": (
        Column("title", "msdyn_widgettitle"),
        Column("subtitle", "msdyn_widgetsubtitle"),
        Column("theme_color", "msdyn_widgetthemecolor", choice),
        Column("theme_color", "msdyn_offlinewidgetthemecolor", choice),
        Column("logo_url", "msdyn_avatarurl"),
        Column("agent_display_name", "msdyn_agentdisplayname", choice),
        Column("anonymize_agent", "msdyn_showagentname", boolean),
        Column("generic_agent_name", "msdyn_genericagentdisplayname", when="anonymize_agent"),
        Column("widget_position", "msdyn_widgetposition", choice),
        Column("proactive_chat", "msdyn_proactivechatenabled", boolean),
        Column("reconnect_enabled", "msdyn_enablechatreconnect", boolean),
        Column(
            "reconnect_time_limit", "msdyn_timetoreconnectwithpreviousagent", minutes, "reconnect_enabled"
        ),
        Column("reconnect_portal_url", "msdyn_portalurl", when="reconnect_enabled"),
        Column("reconnect_redirect_url", "msdyn_redirectionurl", when="reconnect_enabled"),
        Column("show_offline_widget", "msdyn_showwidgetduringofflinehours", boolean, "operating_hours_only"),
        Column("offline_title", "msdyn_offlinewidgettitle"),
        Column("offline_subtitle", "msdyn_offlinewidgetsubtitle"),
    ),
    "behaviors": (
        Column("prechat_enabled", "msdyn_prechatenabled", boolean),
        Column("postchat_enabled", "msdyn_postconversationsurveyenable", boolean),
        Column("survey_provider", "msdyn_surveyprovider", choice, "postchat_enabled"),
        Column("survey_mode", "msdyn_postconversationsurveymode", choice, "postchat_enabled"),
        Column("survey_link_message", "msdyn_postconversationsurveymessagetext", when="postchat_enabled"),
        Column("signin_optional", "msdyn_authenticatedsigninoptional", boolean, "authentication_settings"),
        Column("show_queue_position", "msdyn_positioninqueue_enabled", boolean),
        Column("show_wait_time", "msdyn_averagewaittime_enabled", boolean),
        Column("location_detection", "msdyn_requestvisitorlocation", boolean),
    ),
    "features": (
        Column("attachments_customers", "msdyn_enablefileattachmentsforcustomers", boolean),
        Column("attachments_agents", "msdyn_enablefileattachmentsforagents", boolean),
        Column("notify_unread_count", "msdyn_widgetvisualnotification", boolean),
        Column("notify_sound", "msdyn_widgetsoundnotification", boolean),
        Column("transcript_download", "msdyn_enablechattranscriptdownload", boolean),
        Column("transcript_email", "msdyn_enablechattranscriptemail", boolean),
        Column("email_template", "msdyn_emailtemplate", when="transcript_email"),
        Column("mailbox", "msdyn_mailbox", when="transcript_email"),
        Column("calling", "msdyn_callingoptions", choice),
        Column("screen_sharing", "msdyn_enablescreensharing", boolean),
        Column("screen_sharing_provider", "msdyn_screensharingprovider", when="screen_sharing"),
        Column("cobrowse", "msdyn_enablecobrowse", boolean),
        Column("cobrowse_provider", "msdyn_cobrowseprovider", when="cobrowse"),
    ),
}

# Fields that shape other rows or lookups (handled in build_plan), or are deliberately not written.
HANDLED_FIELDS: dict[str, dict[str, str]] = {
    "details": {
        "environment": "the publish target, not a column",
        "language": "widget msdyn_ocWidgetLanguage → msdyn_oclanguages by msdyn_localeid",
    },
    "workstream": {
        "workstream_mode": "create the workstream row, or bind an existing one",
        "workstream_name": "workstream msdyn_name",
        "existing_workstream": "widget msdyn_liveworkstreamid → existing workstream",
        "distribution_mode": "workstream msdyn_workdistributionmode",
        "persistent_chat": "workstream and widget msdyn_conversationmode, workstream msdyn_enableagentaffinity "
        "(Push only)",
        "fallback_queue_mode": "create the queue row, or bind an existing one",
        "fallback_queue_name": "queue name",
        "existing_queue": "workstream msdyn_defaultqueue → existing queue",
    },
    "appearance": {
        "operating_hours_only": "widget msdyn_operatinghourid set or cleared",
        "operating_hours": "widget msdyn_operatinghourid → msdyn_operatinghours",
        "domains_only": "msdyn_livechatwidgetlocation rows written or dropped",
        "domains": "one msdyn_livechatwidgetlocation row per domain",
    },
    "behaviors": {
        "messages": "one msdyn_ocsystemmessage row per message",
        "questions": "one msdyn_surveyquestion, msdyn_questionsequence and context variable per question, "
        "one msdyn_chatansweroption per option of an option set",
        "survey": "widget msdyn_PostConversationSurvey → msfp_surveies (Customer Voice)",
        "survey_url": "widget msdyn_mcssurveyurl (Copilot Studio)",
        "authentication_settings": "widget msdyn_AuthsettingsId → msdyn_authenticationsettingses",
    },
    "features": {},
}


# --- references -----------------------------------------------------------------------------------


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


def _step(data: Mapping[str, Any], slug: str) -> Mapping[str, Any]:
    values = data.get(slug)
    return values if isinstance(values, Mapping) else {}


def _ref(slot: str, table: Table, value: Any) -> Reference | None:
    value = text(value)
    if value is None:
        return None
    return Reference(slot, table, value, "id" if is_guid(value) else "name")


def references(data: Mapping[str, Any]) -> list[Reference]:
    """The reference rows the plan binds to, which the publish resolves to ids first."""
    details, workstream = _step(data, "details"), _step(data, "workstream")
    appearance, behaviors = _step(data, "appearance"), _step(data, "behaviors")
    refs: list[Reference | None] = []
    language = text(details.get("language"))
    if language:
        by: Literal["id", "localeid", "name"] = (
            "id" if is_guid(language) else "localeid" if language.isdigit() else "name"
        )
        refs.append(Reference("language", LANGUAGE, language, by))
    if workstream.get("workstream_mode") == "existing":
        refs.append(_ref("workstream", WORKSTREAM, workstream.get("existing_workstream")))
    elif workstream.get("fallback_queue_mode", "existing") == "existing":
        refs.append(_ref("queue", QUEUE, workstream.get("existing_queue")))
    if boolean(appearance.get("operating_hours_only")):
        refs.append(_ref("operating_hours", OPERATING_HOURS, appearance.get("operating_hours")))
    refs.append(_ref("authentication_settings", AUTH_SETTINGS, behaviors.get("authentication_settings")))
    if boolean(behaviors.get("postchat_enabled")) and behaviors.get("survey_provider") in (
        SURVEY_PROVIDER_CUSTOMER_VOICE,
        "",
        None,
    ):
        refs.append(_ref("survey", SURVEY, behaviors.get("survey")))
    return [ref for ref in refs if ref is not None]


# --- settings of Push workstreams --------------------------------------------------------------------


def _push_only_settings(workstream: Mapping[str, Any], persistent: bool) -> dict[str, Any]:
    """Workstream columns that apply only to Push distribution, left out of a Pick workstream.

    "Keep same agent for entire conversation" (``msdyn_enableagentaffinity``): "Agent affinity is
    applicable only for push type of work distribution"; persistent chat asks for it (same page,
    ce/customer-service/administer/create-workstreams.md).
    """
    if str(workstream.get("distribution_mode")) == DISTRIBUTION_PICK:
        return {}
    return {"msdyn_enableagentaffinity": persistent}


# --- persistent chat -------------------------------------------------------------------------------------


def _chats_are_persistent(workstream: Mapping[str, Any], resolved: Mapping[str, str]) -> bool:
    """Persistent chat is a setting of the workstream ("Make chats persistent" when it is created,
    ce/customer-service/administer/create-workstreams.md): a widget on an existing workstream follows
    that workstream's msdyn_conversationmode as read from the org, whatever the draft says."""
    if workstream.get("workstream_mode") == "existing" and WORKSTREAM_CONVERSATION_MODE in resolved:
        return resolved[WORKSTREAM_CONVERSATION_MODE] == str(CONVERSATION_PERSISTENT)
    return boolean(workstream.get("persistent_chat"))


def _apply_persistent_chat_rules(widget: dict[str, Any], *, has_authentication: bool) -> None:
    """Persistent chat needs authentication settings ("Prerequisites: Make sure that the authentication
    settings are configured") and "doesn't display default messages about average wait time and queue
    positions" (ce/customer-service/administer/persistent-chat.md), however the chats became persistent."""
    widget["msdyn_positioninqueue_enabled"] = False
    widget["msdyn_averagewaittime_enabled"] = False
    if not has_authentication:
        raise MappingError(
            _(
                "This channel's chats are persistent (its workstream keeps conversations), and persistent "
                "chat needs authentication settings: choose them on the Behaviors step, then submit the "
                "channel for review again."
            )
        )


# --- derived names -------------------------------------------------------------------------------------


def derived_name(base: str, suffix: str = "", limit: int = NAME_MAX) -> str:
    """``base`` + ``suffix`` within a column's MaxLength as Dataverse counts it (UTF-16 code units, see
    :func:`wizard.validators.dataverse_length`): the base is shortened, the suffix that tells rows apart
    is kept whole. Over-long text is refused by Dataverse with 0x80044331 ("The length of the ...
    attribute ... exceeded the maximum allowed length"), so a name the portal makes up must never be."""
    return fit_dataverse_length(base, max(limit - len(suffix), 0)).rstrip() + suffix


# --- pre-chat answers: answer options and context variables -------------------------------------------


def question_keys(data: Mapping[str, Any]) -> list[str]:
    """The keys (lower-case names) of the pre-chat questions a revision writes; each question's row,
    its answer options and its context variable take their ids from it."""
    behaviors = _step(data, "behaviors")
    if not boolean(behaviors.get("prechat_enabled")):
        return []
    return [
        str(text(q.get("name"))).lower()
        for q in behaviors.get("questions") or []
        if isinstance(q, Mapping) and text(q.get("name"))
    ]


def question_id(channel_pk: int, environment_pk: int, key: str) -> str:
    return row_id(channel_pk, environment_pk, QUESTION, key)


def context_variable_id(channel_pk: int, environment_pk: int, key: str) -> str:
    return row_id(channel_pk, environment_pk, CONTEXT_VARIABLE, key)


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


# Rows the channel owns that hang off its questions or workstream rather than the widget: read by id
# (see the publish's read), dropped when a newer revision no longer writes them.
QUESTION_CHILDREN: tuple[Table, ...] = (ANSWER_OPTION, CONTEXT_VARIABLE)


# --- fallback queue -------------------------------------------------------------------------------------

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


# --- the plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    action: Literal["upsert", "delete"]
    table: Table
    id: str
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass
class Plan:
    widget_id: str
    operations: list[Operation]

    def upserts(self, table: Table | None = None) -> list[Operation]:
        return [op for op in self.operations if op.action == "upsert" and table in (None, op.table)]

    def deletes(self, table: Table | None = None) -> list[Operation]:
        return [op for op in self.operations if op.action == "delete" and table in (None, op.table)]

    def find(self, table: Table) -> Operation | None:
        return next((op for op in self.upserts(table)), None)


class MappingError(Exception):
    """The data can't be turned into rows (a reference that wasn't resolved, for example)."""


def widget_id(channel_pk: int, environment_pk: int) -> str:
    return row_id(channel_pk, environment_pk, WIDGET, "widget")


def _quoted(kind: str, name: str) -> str:
    return f"{kind} “{name}”"


def widget_columns(data: Mapping[str, Any]) -> dict[str, Any]:
    """The widget's plain columns from the declarative table (lookups are added by build_plan)."""
    columns: dict[str, Any] = {}
    for slug, entries in WIDGET_FIELDS.items():
        values = _step(data, slug)
        for entry in entries:
            if _holds(values, entry.when):
                columns[entry.column] = entry.convert(values.get(entry.field))
            else:
                columns[entry.column] = False if entry.convert is boolean else None
    return columns


def build_plan(
    data: Mapping[str, Any],
    *,
    channel_pk: int,
    environment_pk: int,
    resolved: Mapping[str, str],
    existing_children: Mapping[str, Iterable[str]] | None = None,
    dropped_question_ids: Mapping[str, str] | None = None,
) -> Plan:
    """The ordered upserts and deletes for one publish.

    ``resolved`` maps each :func:`references` slot to the row id found in the org. ``existing_children``
    maps a child table's logical name to the ids of its rows that point at the widget now (for
    :data:`QUESTION_CHILDREN`: the rows of this channel's questions, found by id);
    ``dropped_question_ids`` maps a question sequence id to the survey question it points at, so a
    dropped sequence takes its question with it.
    """

    def rid(table: Table, key: str) -> str:
        return row_id(channel_pk, environment_pk, table, key)

    def needed(slot: str) -> str:
        try:
            return resolved[slot]
        except KeyError:
            raise MappingError(f"The {slot.replace('_', ' ')} was not resolved to a row id.") from None

    details, workstream = _step(data, "details"), _step(data, "workstream")
    appearance, behaviors = _step(data, "appearance"), _step(data, "behaviors")
    name = text(details.get("name")) or "Chat"
    persistent = _chats_are_persistent(workstream, resolved)
    conversation_mode = CONVERSATION_PERSISTENT if persistent else CONVERSATION_LIVE
    ops: list[Operation] = []

    # Fallback queue and workstream.
    if workstream.get("workstream_mode") == "existing":
        workstream_id = needed("workstream")
    else:
        if workstream.get("fallback_queue_mode", "existing") == "new":
            queue_name = derived_name(
                text(workstream.get("fallback_queue_name")) or f"{name} queue", limit=QUEUE_NAME_MAX
            )
            queue_id = rid(QUEUE, "fallback")
            ops.append(
                Operation(
                    "upsert",
                    QUEUE,
                    queue_id,
                    {
                        "name": queue_name,
                        "msdyn_isomnichannelqueue": True,
                        "msdyn_queuetype": QUEUE_TYPE_MESSAGING,
                        "msdyn_priority": QUEUE_PRIORITY,
                    },
                    _quoted("Fallback queue", queue_name),
                )
            )
        else:
            queue_id = needed("queue")
        workstream_name = derived_name(text(workstream.get("workstream_name")) or f"{name} workstream")
        workstream_id = rid(WORKSTREAM, "workstream")
        ops.append(
            Operation(
                "upsert",
                WORKSTREAM,
                workstream_id,
                {
                    "msdyn_name": workstream_name,
                    "msdyn_streamsource": STREAM_SOURCE_LIVE_CHAT,
                    "msdyn_mode": WORKSTREAM_MODE_SIMPLIFIED,
                    "msdyn_direction": DIRECTION_INBOUND,
                    "msdyn_workdistributionmode": choice(workstream.get("distribution_mode")),
                    "msdyn_conversationmode": conversation_mode,
                    **_push_only_settings(workstream, persistent),
                    "msdyn_defaultqueue@odata.bind": bind(QUEUE, queue_id),
                },
                _quoted("Workstream", workstream_name),
            )
        )

    # Survey questions belong to the workstream; they must exist before the sequences point at them.
    questions = []
    if boolean(behaviors.get("prechat_enabled")):
        questions = [
            q for q in behaviors.get("questions") or [] if isinstance(q, Mapping) and text(q.get("name"))
        ]
    for question in questions:
        qname = str(text(question.get("name")))
        ops.append(
            Operation(
                "upsert",
                QUESTION,
                rid(QUESTION, qname.lower()),
                {
                    "msdyn_name": derived_name(qname),
                    "msdyn_questiontext": text(question.get("text")),
                    "msdyn_answertype": choice(question.get("answer_type")),
                    "msdyn_LiveWorkStreamToChatQuestion@odata.bind": bind(WORKSTREAM, workstream_id),
                },
                _quoted("Survey question", qname),
            )
        )
        ops.extend(_answer_option_ops(question, rid(QUESTION, qname.lower()), rid))
        ops.append(_context_variable_op(qname, workstream_id, rid))

    # The widget.
    wid = widget_id(channel_pk, environment_pk)
    widget = widget_columns(data)
    widget["msdyn_conversationmode"] = conversation_mode
    widget["msdyn_liveworkstreamid@odata.bind"] = bind(WORKSTREAM, workstream_id)
    widget["msdyn_ocWidgetLanguage@odata.bind"] = bind(LANGUAGE, needed("language"))
    hours = resolved.get("operating_hours") if boolean(appearance.get("operating_hours_only")) else None
    if boolean(appearance.get("operating_hours_only")) and hours is None:
        needed("operating_hours")
    widget["msdyn_operatinghourid@odata.bind"] = bind(OPERATING_HOURS, hours)
    auth = resolved.get("authentication_settings") if text(behaviors.get("authentication_settings")) else None
    if text(behaviors.get("authentication_settings")) and auth is None:
        needed("authentication_settings")
    widget["msdyn_AuthsettingsId@odata.bind"] = bind(AUTH_SETTINGS, auth)
    if persistent:
        _apply_persistent_chat_rules(widget, has_authentication=auth is not None)
    postchat = boolean(behaviors.get("postchat_enabled"))
    provider = behaviors.get("survey_provider") or SURVEY_PROVIDER_CUSTOMER_VOICE
    survey = resolved.get("survey") if postchat and provider == SURVEY_PROVIDER_CUSTOMER_VOICE else None
    widget["msdyn_PostConversationSurvey@odata.bind"] = bind(SURVEY, survey)
    widget["msdyn_mcssurveyurl"] = (
        text(behaviors.get("survey_url")) if postchat and provider == SURVEY_PROVIDER_COPILOT else None
    )
    if postchat and behaviors.get("survey_mode") != SURVEY_MODE_LINK:
        widget["msdyn_postconversationsurveymessagetext"] = None
    ops.append(Operation("upsert", WIDGET, wid, widget, _quoted("Chat widget", name)))

    # Domains.
    if boolean(appearance.get("domains_only")):
        seen: set[str] = set()
        for row in appearance.get("domains") or []:
            domain = text(row.get("domain") if isinstance(row, Mapping) else None)
            if not domain or domain.lower() in seen:
                continue
            domain = domain.lower()
            seen.add(domain)
            ops.append(
                Operation(
                    "upsert",
                    DOMAIN,
                    rid(DOMAIN, domain),
                    {
                        "msdyn_name": derived_name(domain),
                        "msdyn_domainvalue": domain,
                        "msdyn_ruletype": RULE_INCLUDE,
                        "msdyn_livechatconfigid@odata.bind": bind(WIDGET, wid),
                    },
                    _quoted("Domain", domain),
                )
            )

    # Question order.
    for number, question in enumerate(questions, start=1):
        qname = str(text(question.get("name")))
        ops.append(
            Operation(
                "upsert",
                SEQUENCE,
                rid(SEQUENCE, qname.lower()),
                {
                    "msdyn_name": derived_name(qname),
                    "msdyn_chatquestionnairetype": QUESTIONNAIRE_PRECHAT_UNAUTHENTICATED,
                    "sequencenumber": number,
                    "msdyn_questionrequired": boolean(question.get("required")),
                    "msdyn_ChatEngagementToChatSequenceId@odata.bind": bind(WIDGET, wid),
                    "msdyn_SurveyQuestion@odata.bind": bind(QUESTION, rid(QUESTION, qname.lower())),
                },
                _quoted("Question order for", qname),
            )
        )

    # Automated messages, keyed by trigger and occurrence.
    counts: dict[str, int] = {}
    for row in behaviors.get("messages") or []:
        if not isinstance(row, Mapping) or choice(row.get("trigger")) is None:
            continue
        trigger = str(choice(row.get("trigger")))
        counts[trigger] = counts.get(trigger, 0) + 1
        key = f"{trigger}:{counts[trigger]}"
        ops.append(
            Operation(
                "upsert",
                MESSAGE,
                rid(MESSAGE, key),
                {
                    "msdyn_name": derived_name(name, f" {trigger}.{counts[trigger]}"),
                    "msdyn_streamsource": STREAM_SOURCE_LIVE_CHAT,
                    "msdyn_messagetype": MESSAGE_TYPE_AUTOMATED,
                    "msdyn_messagereceiver": MESSAGE_TO_CUSTOMER,
                    "msdyn_systemmessageeventtype": choice(trigger),
                    "msdyn_messagetext": text(row.get("text")),
                    "msdyn_widgetid@odata.bind": bind(WIDGET, wid),
                    "msdyn_instanceid": wid,
                    "msdyn_defaultlanguage@odata.bind": bind(LANGUAGE, needed("language")),
                },
                _quoted("Automated message", f"{trigger}.{counts[trigger]}"),
            )
        )

    # Child rows the new revision dropped: sequences first, then the questions they pointed at.
    planned = {op.id for op in ops}
    existing_children = existing_children or {}
    dropped_question_ids = dropped_question_ids or {}
    deletes: list[Operation] = []
    for table, _link in CHILD_LINKS:
        for existing_id in sorted(existing_children.get(table.logical, ())):
            if existing_id not in planned:
                deletes.append(Operation("delete", table, existing_id, label=f"{table.label} {existing_id}"))
    # Answer options before the questions they point at.
    for table in QUESTION_CHILDREN:
        for existing_id in sorted(existing_children.get(table.logical, ())):
            if existing_id not in planned:
                deletes.append(Operation("delete", table, existing_id, label=f"{table.label} {existing_id}"))
    for op in list(deletes):
        dropped = dropped_question_ids.get(op.id) if op.table is SEQUENCE else None
        if dropped and dropped not in planned:
            deletes.append(Operation("delete", QUESTION, dropped, label=f"Survey question {dropped}"))
    return Plan(wid, ops + deletes)
