"""Declarative schema of the Dataverse tables the emulator serves.

Each table lists its entity set, primary id and name, typed columns, single-valued navigation properties
(lookups) and the many-to-many relationships it takes part in. Everything else in the emulator reads this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

STRING = "String"
MEMO = "Memo"
INTEGER = "Integer"
BOOLEAN = "Boolean"
PICKLIST = "Picklist"
MULTISELECT = "MultiSelectPicklist"
LOOKUP = "Lookup"
UNIQUEID = "Uniqueidentifier"
DATETIME = "DateTime"
STATE = "State"
STATUS = "Status"
BIGINT = "BigInt"


@dataclass(frozen=True)
class Column:
    type: str
    max_length: int | None = None
    options: dict[int, str] | None = None
    read_only: bool = False


@dataclass(frozen=True)
class Lookup:
    nav: str
    column: str
    target: str


@dataclass(frozen=True)
class ManyToMany:
    name: str
    table1: str
    table2: str


@dataclass
class Table:
    logical: str
    entity_set: str
    primary_id: str
    primary_name: str
    display: str
    columns: dict[str, Column] = field(default_factory=dict)
    lookups: list[Lookup] = field(default_factory=list)

    def lookup_by_nav(self, nav: str) -> Lookup | None:
        return next((lk for lk in self.lookups if lk.nav == nav), None)

    def lookup_by_column(self, column: str) -> Lookup | None:
        return next((lk for lk in self.lookups if lk.column == column), None)


def s(n: int) -> Column:
    return Column(STRING, max_length=n)


def memo(n: int) -> Column:
    return Column(MEMO, max_length=n)


INT = Column(INTEGER)
BOOL = Column(BOOLEAN, options={0: "No", 1: "Yes"})
GUID = Column(UNIQUEID)


def pick(options: dict[int, str]) -> Column:
    return Column(PICKLIST, options=options)


def multi(options: dict[int, str]) -> Column:
    return Column(MULTISELECT, options=options)


THEME = {
    19236001: "Red",
    19236002: "Blue",
    19236003: "Green",
    19236004: "Black",
    192350001: "Orange",
    192350002: "Pink",
    192350003: "Grey",
    192350004: "Violet",
    192350005: "Brown",
    192350006: "Clay",
    192350007: "Purple",
    192360017: "Teal",
}
SURVEY_MODE = {192350000: "Insert survey in conversation", 192350001: "Send survey link to conversation"}
CONVERSATION_MODE = {192350000: "Live Chat", 192350001: "Persistent Chat"}
STREAM_SOURCE = {
    192360000: "Live chat",
    192350000: "Entity Records",
    192370000: "Voice",
    192340000: "SMS",
    192350002: "Custom",
    192330000: "Facebook",
    192300000: "WhatsApp",
    192310000: "LINE",
    192320000: "WeChat",
    192350001: "Twitter",
    19241000: "Microsoft Teams",
    192380000: "Video",
    192390000: "Co-browse",
    192400000: "Screen sharing",
    192440000: "Voice call",
    192450000: "Apple Messages for Business",
    192450001: "Google's Business Messages",
}

_SYSTEM_COLUMNS = {
    "statecode": Column(STATE, options={0: "Active", 1: "Inactive"}),
    "statuscode": Column(STATUS, options={1: "Active", 2: "Inactive"}),
    "createdon": Column(DATETIME, read_only=True),
    "modifiedon": Column(DATETIME, read_only=True),
    "versionnumber": Column(BIGINT, read_only=True),
}


def _table(
    logical: str,
    entity_set: str,
    display: str,
    name: str,
    columns: dict[str, Column],
    lookups: Sequence[tuple[str, str, str]] = (),
    primary_id: str | None = None,
) -> Table:
    pid = primary_id or f"{logical}id"
    cols: dict[str, Column] = {pid: GUID, **columns, **_SYSTEM_COLUMNS}
    lks = [Lookup(nav, col, target) for nav, col, target in lookups]
    for lk in lks:
        cols[lk.column] = Column(LOOKUP)
    return Table(logical, entity_set, pid, name, display, cols, lks)


LIVECHATCONFIG = _table(
    "msdyn_livechatconfig",
    "msdyn_livechatconfigs",
    "Chat Widget",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_language": pick({192350000: "Auto-Detect", 192360014: "English"}),
        "msdyn_autodetectlanguage": BOOL,
        "msdyn_conversationmode": pick(CONVERSATION_MODE),
        "msdyn_widgettitle": s(100),
        "msdyn_widgetsubtitle": s(100),
        "msdyn_widgetthemecolor": pick(THEME),
        "msdyn_avatarurl": s(4000),
        "msdyn_widgetposition": pick({192236010: "Bottom right", 192236011: "Bottom left"}),
        "msdyn_agentdisplayname": pick(
            {192350000: "Full name", 192350001: "First name", 192350002: "Last name", 192350003: "Nick name"}
        ),
        "msdyn_showagentname": BOOL,
        "msdyn_genericagentdisplayname": s(100),
        "msdyn_widgetcustomizationconfig": memo(1048576),
        "msdyn_proactivechatenabled": BOOL,
        "msdyn_enablechatreconnect": BOOL,
        "msdyn_timetoreconnectwithpreviousagent": INT,
        "msdyn_portalurl": s(100),
        "msdyn_redirectionurl": s(100),
        "msdyn_showwidgetduringofflinehours": BOOL,
        "msdyn_offlinewidgettitle": s(4000),
        "msdyn_offlinewidgetsubtitle": s(4000),
        "msdyn_offlinewidgetthemecolor": pick(THEME),
        "msdyn_duringnonoperatinghours": s(100),
        "msdyn_prechatenabled": BOOL,
        "msdyn_postconversationsurveyenable": BOOL,
        "msdyn_postconversationsurveymode": pick(SURVEY_MODE),
        "msdyn_postconversationsurveymessagetext": s(200),
        "msdyn_surveyprovider": pick({600990000: "Customer Voice", 600990001: "Microsoft Copilot Studio"}),
        "msdyn_mcssurveyurl": s(1000),
        "msdyn_botmcssurveyurl": s(1000),
        "msdyn_postconversationsurveyseparatebotsurvey": BOOL,
        "msdyn_postconversationsurveybotsurveymode": pick(SURVEY_MODE),
        "msdyn_postconversationsurveybotsurveymessagetext": s(200),
        "msdyn_postchatenabled": BOOL,
        "msdyn_authenticatedsigninoptional": BOOL,
        "msdyn_positioninqueue_enabled": BOOL,
        "msdyn_averagewaittime_enabled": BOOL,
        "msdyn_requestvisitorlocation": BOOL,
        "msdyn_enablefileattachmentsforcustomers": BOOL,
        "msdyn_enablefileattachmentsforagents": BOOL,
        "msdyn_widgetvisualnotification": BOOL,
        "msdyn_widgetsoundnotification": BOOL,
        "msdyn_enablechattranscriptdownload": BOOL,
        "msdyn_enablechattranscriptemail": BOOL,
        "msdyn_emailtemplate": s(100),
        "msdyn_mailbox": s(100),
        "msdyn_callingoptions": pick(
            {192350000: "No calling", 192350001: "Video and voice calling", 192350002: "Voice only"}
        ),
        "msdyn_enablescreensharing": BOOL,
        "msdyn_screensharingprovider": s(100),
        "msdyn_enablecobrowse": BOOL,
        "msdyn_cobrowseprovider": s(100),
        "msdyn_enablepersistentchatpreviousconversations": BOOL,
        "msdyn_chathistorymonthlimit": INT,
        "msdyn_enablerealtimelanguagetranslation": BOOL,
        "msdyn_customanonymoustokenexpirationtime": INT,
        "msdyn_infolabel": s(100),
        # Filled by the service on create; client values are ignored (see webapi.SERVER_FILLED).
        "msdyn_widgetappid": s(100),
        "msdyn_widgetsnippet": memo(2000),
    },
    [
        ("msdyn_ocWidgetLanguage", "msdyn_ocwidgetlanguage", "msdyn_oclanguage"),
        ("msdyn_WidgetLocale", "msdyn_widgetlocale", "msdyn_chatwidgetlanguage"),
        ("msdyn_liveworkstreamid", "msdyn_liveworkstreamid", "msdyn_liveworkstream"),
        ("msdyn_operatinghourid", "msdyn_operatinghourid", "msdyn_operatinghour"),
        (
            "msdyn_PreChatQuestionnaireUnauthenticated",
            "msdyn_prechatquestionnaireunauthenticated",
            "msdyn_questionsequence",
        ),
        (
            "msdyn_PreChatQuestionnaireAuthenticated",
            "msdyn_prechatquestionnaireauthenticated",
            "msdyn_questionsequence",
        ),
        ("msdyn_PostConversationSurvey", "msdyn_postconversationsurvey", "msfp_survey"),
        ("msdyn_postconversationsurveybotsurvey", "msdyn_postconversationsurveybotsurvey", "msfp_survey"),
        ("msdyn_AuthsettingsId", "msdyn_authsettingsid", "msdyn_authenticationsettings"),
        ("msdyn_oc_geolocationprovider", "msdyn_oc_geolocationprovider", "msdyn_oc_geolocationprovider"),
        ("msdyn_azurenotificationhubid", "msdyn_azurenotificationhubid", "msdyn_azurenotificationhub"),
    ],
)

LIVEWORKSTREAM = _table(
    "msdyn_liveworkstream",
    "msdyn_liveworkstreams",
    "Work Stream",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_streamsource": pick(STREAM_SOURCE),
        "msdyn_workdistributionmode": pick({192350000: "Push", 192350001: "Pick"}),
        "msdyn_mode": pick({717210000: "Legacy", 717210001: "Simplified"}),
        "msdyn_direction": pick(
            {0: "Inbound", 1: "Outbound", 2: "Direct Inbound", 3: "Direct Outbound", 4: "ProactiveOutbound"}
        ),
        "msdyn_conversationmode": pick(CONVERSATION_MODE),
        "msdyn_capacityformat": pick({192350000: "Unit based", 192360000: "Profile based"}),
        "msdyn_capacityrequired": INT,
        "msdyn_maxconcurrentconnection": INT,
        "msdyn_autocloseafterinactivity": INT,
        "msdyn_blockcapacityforwrapup": INT,
        "msdyn_blockcapacityforwrapupinseconds": INT,
        "msdyn_allowedpresences": multi(
            {
                192360000: "Available",
                192360001: "Busy",
                192360002: "Busy - DND",
                192360003: "Away",
                192360004: "Offline",
            }
        ),
        "msdyn_matchinglogic": pick({192350000: "Exact Match", 192350001: "Closest Match"}),
        "msdyn_enableagentaffinity": BOOL,
        "msdyn_enableselectingfrompushbasedworkstreams": BOOL,
        "msdyn_enableautomatedmessages": BOOL,
        "msdyn_notification": pick(
            {
                100000000: "Directly open session",
                100000001: "Screen pop with timeout",
                100000002: "Screen pop with decline",
            }
        ),
        "msdyn_screenpoptimeout_optionSet": pick({n: str(n) for n in range(30, 301, 30)}),
        "msdyn_restrictdownloadrecording": BOOL,
        "msdyn_restrictdownloadtranscript": BOOL,
        "msdyn_sessiontemplate_default": s(200),
        "msdyn_notificationtemplate_incoming_auth": s(200),
        "msdyn_notificationtemplate_incoming_unauth": s(200),
        "msdyn_notificationtemplate_transfer": s(200),
        "msdyn_notificationtemplate_consult": s(200),
        "msdyn_notificationtemplate_supervisorassign": s(200),
        "msdyn_bot_rule": s(4000),
        "msdyn_isdefault": BOOL,
        "msdyn_fallbacklanguage": s(100),
        "msdyn_recordidentificationrule": memo(1048576),
    },
    [
        ("msdyn_defaultqueue", "msdyn_defaultqueue", "queue"),
        ("msdyn_outboundqueueid", "msdyn_outboundqueueid", "queue"),
        ("msdyn_bot_queue", "msdyn_bot_queue", "queue"),
        ("msdyn_bot_user", "msdyn_bot_user", "systemuser"),
    ],
)

QUEUE = _table(
    "queue",
    "queues",
    "Queue",
    "name",
    {
        "name": s(160),
        "description": memo(2000),
        "emailaddress": s(100),
        "msdyn_isomnichannelqueue": BOOL,
        "msdyn_queuetype": pick({192350000: "Messaging", 192350001: "Entity", 192350002: "Voice"}),
        "msdyn_priority": INT,
        "msdyn_assignmentstrategy": pick(
            {
                192350000: "Omnichannel Assignment",
                192350001: "Round Robin",
                192350002: "Custom Assignment Configuration",
                192350003: "Longest Idle",
            }
        ),
        "msdyn_isdefaultqueue": BOOL,
        "msdyn_maxqueuesize": INT,
        "queueviewtype": pick({0: "Public", 1: "Private"}),
    },
    [
        ("msdyn_operatinghourid", "msdyn_operatinghourid", "msdyn_operatinghour"),
        ("businessunitid", "businessunitid", "businessunit"),
    ],
)

SURVEYQUESTION = _table(
    "msdyn_surveyquestion",
    "msdyn_surveyquestions",
    "Survey Question",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_questiontext": s(512),
        "msdyn_answertype": pick(
            {
                192350000: "Single line",
                192350001: "Multiple lines",
                192350002: "Option set",
                192350003: "Rating",
                192350004: "User Consent",
            }
        ),
        "msdyn_placeholdertext": s(100),
        "msdyn_ratingscale": INT,
    },
    [("msdyn_LiveWorkStreamToChatQuestion", "msdyn_liveworkstreamtochatquestion", "msdyn_liveworkstream")],
)

QUESTIONSEQUENCE = _table(
    "msdyn_questionsequence",
    "msdyn_questionsequences",
    "Question Sequence",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_chatquestionnairetype": pick(
            {
                192350000: "Pre-chat authenticated",
                192350001: "Pre-chat unauthenticated",
                192350002: "Offline authenticated",
                192350003: "Offline unauthenticated",
                192350004: "Post-chat authenticated",
                192350005: "Post-chat unauthenticated",
            }
        ),
        "sequencenumber": INT,
        "msdyn_questionrequired": BOOL,
    },
    [
        (
            "msdyn_ChatEngagementToChatSequenceId",
            "msdyn_chatengagementtochatsequenceid",
            "msdyn_livechatconfig",
        ),
        ("msdyn_SurveyQuestion", "msdyn_surveyquestion", "msdyn_surveyquestion"),
    ],
)

OCSYSTEMMESSAGE = _table(
    "msdyn_ocsystemmessage",
    "msdyn_ocsystemmessages",
    "System Message",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_streamsource": pick({192360000: "Live chat"}),
        "msdyn_messagetype": pick({2: "Automated Message", 3: "Message Template"}),
        "msdyn_messagereceiver": pick({192350000: "Agent", 192350001: "Customer"}),
        "msdyn_systemmessageeventtype": pick(
            {
                192350017: "Agent assigned to conversation",
                192350021: "Customer's position in queue",
                192350036: "Out of operating hour message to customer",
            }
        ),
        "msdyn_messagetext": memo(4000),
    },
    [
        ("msdyn_widgetid", "msdyn_widgetid", "msdyn_livechatconfig"),
        ("msdyn_defaultlanguage", "msdyn_defaultlanguage", "msdyn_oclanguage"),
    ],
)

OPERATINGHOUR = _table(
    "msdyn_operatinghour",
    "msdyn_operatinghours",
    "Operating Hour",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_oc_daysofweek": multi(
            {
                192350000: "Sunday",
                192350001: "Monday",
                192350002: "Tuesday",
                192350003: "Wednesday",
                192350004: "Thursday",
                192350005: "Friday",
                192350006: "Saturday",
            }
        ),
        "msdyn_starttimestring": s(10),
        "msdyn_endtimestring": s(10),
        "msdyn_timezone": INT,
        "msdyn_enablealldays": BOOL,
        "msdyn_calendarid": s(100),
        "msdyn_totalworkhours": s(100),
        "msdyn_description": memo(2000),
    },
)

AUTHENTICATIONSETTINGS = _table(
    "msdyn_authenticationsettings",
    "msdyn_authenticationsettingses",
    "Authentication Settings",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_authenticationtype": pick(
            {
                192350000: "OAuth 2.0 implicit flow",
                192350001: "OAuth 2.0 code flow",
                192350002: "Gatekeeper Biometric Authentication",
                192350003: "OAuth 2.0 OpenId connect flow",
                192350004: "OAuth 2.0 enhanced authentication chat flow",
            }
        ),
        "msdyn_publickeyurl": s(256),
        "msdyn_javascriptclientfunction": s(100),
        "msdyn_ocauthchanneltype": pick(
            {192360000: "Live chat", 192440000: "Voice", 192450000: "Apple Messages for Business"}
        ),
        "msdyn_authenticationclientsecret": s(4000),
    },
)

OCLANGUAGE = _table(
    "msdyn_oclanguage",
    "msdyn_oclanguages",
    "Language",
    "msdyn_languagename",
    {"msdyn_languagename": s(100), "msdyn_localecode": s(20), "msdyn_localeid": INT},
)

CHATWIDGETLANGUAGE = _table(
    "msdyn_chatwidgetlanguage",
    "msdyn_chatwidgetlanguages",
    "Chat Widget Language",
    "msdyn_languagename",
    {"msdyn_languagename": s(100), "msdyn_localeid": INT},
)

WIDGETLOCATION = _table(
    "msdyn_livechatwidgetlocation",
    "msdyn_livechatwidgetlocations",
    "Chat Widget Location",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_domainvalue": s(200),
        "msdyn_ruletype": pick({100000000: "Include", 100000001: "Exclude"}),
        "msdyn_locationurlwildcard": s(100),
    },
    [("msdyn_livechatconfigid", "msdyn_livechatconfigid", "msdyn_livechatconfig")],
)

SURVEY = _table("msfp_survey", "msfp_surveies", "Customer Voice survey", "msfp_name", {"msfp_name": s(200)})
GEOLOCATIONPROVIDER = _table(
    "msdyn_oc_geolocationprovider",
    "msdyn_oc_geolocationproviders",
    "Geo Location Provider",
    "msdyn_name",
    {"msdyn_name": s(100), "msdyn_providerapikey": s(1000)},
)
NOTIFICATIONHUB = _table(
    "msdyn_azurenotificationhub",
    "msdyn_azurenotificationhubs",
    "Azure Notification Hub",
    "msdyn_name",
    {"msdyn_name": s(100)},
)

SYSTEMUSER = _table(
    "systemuser",
    "systemusers",
    "User",
    "fullname",
    {
        "fullname": s(200),
        "firstname": s(64),
        "lastname": s(64),
        "internalemailaddress": s(100),
        "domainname": s(1024),
        "title": s(128),
        "isdisabled": BOOL,
        "accessmode": pick(
            {
                0: "Read-Write",
                1: "Administrative",
                2: "Read",
                3: "Support User",
                4: "Non-interactive",
                5: "Delegated Admin",
            }
        ),
        "applicationid": GUID,
        "azureactivedirectoryobjectid": GUID,
    },
    [("businessunitid", "businessunitid", "businessunit")],
)

ROLE = _table(
    "role",
    "roles",
    "Security Role",
    "name",
    {"name": s(100), "roletemplateid": GUID, "ismanaged": BOOL},
    [("businessunitid", "businessunitid", "businessunit")],
)

BUSINESSUNIT = _table(
    "businessunit",
    "businessunits",
    "Business Unit",
    "name",
    {"name": s(160), "isdisabled": BOOL},
    [("parentbusinessunitid", "parentbusinessunitid", "businessunit")],
)

TEAM = _table(
    "team",
    "teams",
    "Team",
    "name",
    {
        "name": s(160),
        "teamtype": pick({0: "Owner", 1: "Access", 2: "Security Group", 3: "Office Group"}),
        "isdefault": BOOL,
    },
    [("businessunitid", "businessunitid", "businessunit")],
)

ORGANIZATION = _table("organization", "organizations", "Organization", "name", {"name": s(160)})

# --- Tables and choices a publish writes for pre-chat answers and automated messages -------------------
# Survey answer options (msdyn_chatansweroption): MicrosoftDocs dynamics-365-customer-engagement
# ce/customer-service/develop/reference/entities/msdyn_chatansweroption.md (msdyn_name String 100, lookup
# msdyn_AnswerOptionsId → msdyn_surveyquestion); the navigation property name is the lookup's schema name
# as in the live-chat sample schema of microsoft/Dynamics365-Apps-Samples
# (customer-service/omnichannel/live-chat-sample-schema/live-chat-channel-sample-config.xml).
CHATANSWEROPTION = _table(
    "msdyn_chatansweroption",
    "msdyn_chatansweroptions",
    "Survey Answer Option",
    "msdyn_name",
    {"msdyn_name": s(100)},
    [("msdyn_AnswerOptionsId", "msdyn_answeroptionsid", "msdyn_surveyquestion")],
)

# Workstream context variables: ce/customer-service/develop/reference/entities/
# msdyn_ocliveworkstreamcontextvariable.md (msdyn_name and msdyn_displayname String 100, msdyn_datatype
# 192350000 Text / 192350001 Number / 192350100 Entity Reference) and, for the navigation property
# msdyn_liveworkstreamid, ce/developer/reference/entities/msdyn_ocliveworkstreamcontextvariable.md.
CONTEXTVARIABLE = _table(
    "msdyn_ocliveworkstreamcontextvariable",
    "msdyn_ocliveworkstreamcontextvariables",
    "Context variable",
    "msdyn_name",
    {
        "msdyn_name": s(100),
        "msdyn_displayname": s(100),
        "msdyn_datatype": pick({192350000: "Text", 192350001: "Number", 192350100: "Entity Reference"}),
        "msdyn_entitylogicalname": s(100),
        "msdyn_relationshipname": s(100),
        "msdyn_isdisplayable": BOOL,
        "msdyn_islist": BOOL,
        "msdyn_ismodifiable": BOOL,
        "msdyn_issystemdefined": BOOL,
    },
    [("msdyn_liveworkstreamid", "msdyn_liveworkstreamid", "msdyn_liveworkstream")],
)

# Every trigger of global choice msdyn_ocsystemmessageeventtype that the chat wizard offers, and the
# message text's length (Memo, MaxLength 2000) and msdyn_instanceid (Memo, MaxLength 2000):
# ce/developer/reference/entities/msdyn_ocsystemmessage.md.
OCSYSTEMMESSAGE.columns["msdyn_systemmessageeventtype"] = pick(
    {
        192350000: "Agent joined conversation",
        192350001: "Consult accepted",
        192350002: "Transfer to agent accepted",
        192350013: "Agent disconnected from conversation",
        192350014: "Agent ended conversation",
        192350015: "Session ended",
        192350016: "Consult session ended",
        192350017: "Agent assigned to conversation",
        192350018: "Agent couldn't be assigned to conversation",
        192350021: "Customer's position in queue",
        192350024: "Customer is next in line",
        192350030: "Average wait time for customers: Minutes",
        192350031: "Average wait time for customers: Hours",
        192350032: "Average wait time for customers: Hours and minutes",
        192350035: "Holiday message to customer",
        192350036: "Out of operating hour message to customer",
        192350059: "Agent left customer conversation",
        192350061: "Agent joined customer conversation",
    }
)
OCSYSTEMMESSAGE.columns["msdyn_messagetext"] = memo(2000)
OCSYSTEMMESSAGE.columns["msdyn_instanceid"] = memo(2000)

TABLES: dict[str, Table] = {
    t.logical: t
    for t in (
        LIVECHATCONFIG,
        LIVEWORKSTREAM,
        QUEUE,
        SURVEYQUESTION,
        QUESTIONSEQUENCE,
        OCSYSTEMMESSAGE,
        OPERATINGHOUR,
        AUTHENTICATIONSETTINGS,
        OCLANGUAGE,
        CHATWIDGETLANGUAGE,
        WIDGETLOCATION,
        SURVEY,
        GEOLOCATIONPROVIDER,
        NOTIFICATIONHUB,
        SYSTEMUSER,
        ROLE,
        BUSINESSUNIT,
        TEAM,
        ORGANIZATION,
        CHATANSWEROPTION,
        CONTEXTVARIABLE,
    )
}
BY_ENTITY_SET: dict[str, Table] = {t.entity_set: t for t in TABLES.values()}

RELATIONSHIPS: dict[str, ManyToMany] = {
    r.name: r
    for r in (
        ManyToMany("systemuserroles_association", "systemuser", "role"),
        ManyToMany("queuemembership_association", "queue", "systemuser"),
        ManyToMany("teammembership_association", "systemuser", "team"),
        ManyToMany("teamroles_association", "team", "role"),
    )
}

# Deleting a row referenced by these lookups is refused (cascade "Restrict").
RESTRICT_DELETE: list[tuple[str, str]] = [("msdyn_livechatconfig", "msdyn_liveworkstreamid")]


def collection_navs(table: str) -> dict[str, tuple[ManyToMany, str]]:
    """Collection-valued navigation properties of a table: name -> (relationship, target table)."""
    navs: dict[str, tuple[ManyToMany, str]] = {}
    for rel in RELATIONSHIPS.values():
        if rel.table1 == table:
            navs[rel.name] = (rel, rel.table2)
        elif rel.table2 == table:
            navs[rel.name] = (rel, rel.table1)
    return navs
