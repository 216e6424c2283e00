"""Wizard field → chat widget column, and the fields the publish handles elsewhere (with the reason).

A column is written from the field's value as the reader gives it (``wizard.values``): cleaned, and
empty (null, or false for a flag) while the layout hides the field, so the mapping has no conditions
of its own. Where it needs another one it declares ``when`` with the reason in ``why``; the system
check ``wizard.E002`` refuses a ``when`` without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.forms.layout import condition_holds, is_on
from wizard.values import DraftValues


def text(value: Any) -> str | None:
    value = "" if value is None else str(value).strip()
    return value or None


def boolean(value: Any) -> bool:
    return is_on(value)


def choice(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def minutes(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Column:
    """One wizard field → one widget column."""

    field: str
    column: str
    convert: Callable[[Any], Any] = text
    when: str | None = None  # a condition besides the layout's; only with ``why``
    why: str = ""


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
        Column("generic_agent_name", "msdyn_genericagentdisplayname"),
        Column("widget_position", "msdyn_widgetposition", choice),
        Column("proactive_chat", "msdyn_proactivechatenabled", boolean),
        Column("reconnect_enabled", "msdyn_enablechatreconnect", boolean),
        Column("reconnect_time_limit", "msdyn_timetoreconnectwithpreviousagent", minutes),
        Column("reconnect_portal_url", "msdyn_portalurl"),
        Column("reconnect_redirect_url", "msdyn_redirectionurl"),
        Column("show_offline_widget", "msdyn_showwidgetduringofflinehours", boolean),
        Column("offline_title", "msdyn_offlinewidgettitle"),
        Column("offline_subtitle", "msdyn_offlinewidgetsubtitle"),
    ),
    "behaviors": (
        Column("prechat_enabled", "msdyn_prechatenabled", boolean),
        Column("postchat_enabled", "msdyn_postconversationsurveyenable", boolean),
        Column("survey_provider", "msdyn_surveyprovider", choice),
        Column("survey_mode", "msdyn_postconversationsurveymode", choice),
        Column("survey_link_message", "msdyn_postconversationsurveymessagetext"),
        Column("signin_optional", "msdyn_authenticatedsigninoptional", boolean),
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
        Column("email_template", "msdyn_emailtemplate"),
        Column("mailbox", "msdyn_mailbox"),
        Column("calling", "msdyn_callingoptions", choice),
        Column("screen_sharing", "msdyn_enablescreensharing", boolean),
        Column("screen_sharing_provider", "msdyn_screensharingprovider"),
        Column("cobrowse", "msdyn_enablecobrowse", boolean),
        Column("cobrowse_provider", "msdyn_cobrowseprovider"),
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


def widget_columns(values: DraftValues) -> dict[str, Any]:
    """The widget's plain columns from the declarative table (lookups are added by the widget builder)."""
    columns: dict[str, Any] = {}
    for slug, entries in WIDGET_FIELDS.items():
        step = values[slug]
        for entry in entries:
            value = step[entry.field]
            if entry.when is not None and not condition_holds(entry.when, step):
                value = False if entry.convert is boolean else None
            columns[entry.column] = entry.convert(value)
    return columns
