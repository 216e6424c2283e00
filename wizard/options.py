"""Dataverse option values the wizard offers, with the labels the admin center uses.

Values are the integers Dataverse stores (see the chat widget, workstream and survey tables); the
wizard keeps them as strings in the draft so a draft is plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ThemeColor:
    value: str
    label: str | Promise
    hex: str


# msdyn_widgetthemecolor. Hex values are the header colours the live chat widget renders for each theme.
THEME_COLORS: list[ThemeColor] = [
    ThemeColor("19236002", _("Blue"), "#315FA2"),
    ThemeColor("19236001", _("Red"), "#BA1E27"),
    ThemeColor("19236003", _("Green"), "#107C10"),
    ThemeColor("19236004", _("Black"), "#000000"),
    ThemeColor("192350001", _("Orange"), "#CA5010"),
    ThemeColor("192350002", _("Pink"), "#C30052"),
    ThemeColor("192350003", _("Grey"), "#69797E"),
    ThemeColor("192350004", _("Violet"), "#8764B8"),
    ThemeColor("192350005", _("Brown"), "#8E562E"),
    ThemeColor("192350006", _("Clay"), "#A0704A"),
    ThemeColor("192350007", _("Purple"), "#5C2E91"),
    ThemeColor("192360017", _("Teal"), "#038387"),
]
DEFAULT_THEME = "19236002"
THEME_BY_VALUE = {color.value: color for color in THEME_COLORS}

POSITION_BOTTOM_RIGHT = "192236010"
POSITION_BOTTOM_LEFT = "192236011"
WIDGET_POSITIONS = [(POSITION_BOTTOM_RIGHT, _("Bottom right")), (POSITION_BOTTOM_LEFT, _("Bottom left"))]

AGENT_FULL_NAME = "192350000"
AGENT_DISPLAY_NAMES = [
    (AGENT_FULL_NAME, _("Full name")),
    ("192350001", _("First name")),
    ("192350002", _("Last name")),
    ("192350003", _("Nick name")),
]

DISTRIBUTION_PUSH = "192350000"
DISTRIBUTION_PICK = "192350001"
DISTRIBUTION_MODES = [
    (DISTRIBUTION_PUSH, _("Push (recommended)")),
    (DISTRIBUTION_PICK, _("Pick")),
]

CALLING_NONE = "192350000"
CALLING_OPTIONS = [
    (CALLING_NONE, _("No calling")),
    ("192350001", _("Video and voice calling")),
    ("192350002", _("Voice only")),
]

SURVEY_PROVIDER_CUSTOMER_VOICE = "600990000"
SURVEY_PROVIDER_COPILOT = "600990001"
SURVEY_PROVIDERS = [
    (SURVEY_PROVIDER_CUSTOMER_VOICE, _("Customer Voice")),
    (SURVEY_PROVIDER_COPILOT, _("Microsoft Copilot Studio")),
]
SURVEY_MODE_IN_CONVERSATION = "192350000"
SURVEY_MODE_LINK = "192350001"
SURVEY_MODES = [
    (SURVEY_MODE_LINK, _("Send survey link to conversation")),
    (SURVEY_MODE_IN_CONVERSATION, _("Insert survey in conversation")),
]

ANSWER_SINGLE_LINE = "192350000"
ANSWER_TYPES = [
    (ANSWER_SINGLE_LINE, _("Single line")),
    ("192350001", _("Multiple lines")),
    ("192350002", _("Option set")),
    ("192350003", _("Rating")),
    ("192350004", _("User consent")),
]
ANSWER_OPTION_SET = "192350002"


def typed_options(text: object) -> list[str]:
    """The options of an option-set question exactly as typed (semicolon separated), each trimmed; blanks
    and repeats kept (the form refuses them), one semicolon at the end ignored."""
    parts = [part.strip() for part in str(text or "").split(";")]
    if parts and not parts[-1]:
        parts.pop()  # one semicolon at the end is a habit, not an empty option
    return parts


def answer_options(text: object) -> list[str]:
    """The options of an option-set question, as typed (:func:`typed_options`), blanks and repeats
    (ignoring case) dropped, in the author's order. Each becomes one answer option row."""
    seen: set[str] = set()
    options: list[str] = []
    for option in typed_options(text):
        if option and option.casefold() not in seen:
            seen.add(option.casefold())
            options.append(option)
    return options


# msdyn_systemmessageeventtype values the wizard offers for custom automated messages: every trigger of
# "Preconfigured automated message triggers" (MicrosoftDocs dynamics-365-customer-engagement,
# ce/customer-service/preconfig-auto-message-triggers.md) that applies to chat, with the value the
# Automated Message table defines for it (ce/developer/reference/entities/msdyn_ocsystemmessage.md,
# global choice msdyn_ocsystemmessageeventtype). The two callback triggers of that page are played on
# voice calls and are left out.
MESSAGE_TRIGGERS = [
    ("192350017", _("Agent assigned to conversation")),
    ("192350018", _("Agent couldn't be assigned to conversation")),
    ("192350013", _("Agent disconnected from conversation")),
    ("192350014", _("Agent ended conversation")),
    ("192350000", _("Agent joined conversation")),
    ("192350061", _("Agent joined customer conversation")),
    ("192350059", _("Agent left customer conversation")),
    ("192350031", _("Average wait time for customers: Hours")),
    ("192350032", _("Average wait time for customers: Hours and minutes")),
    ("192350030", _("Average wait time for customers: Minutes")),
    ("192350001", _("Consult accepted")),
    ("192350016", _("Consult session ended")),
    ("192350024", _("Customer is next in line")),
    ("192350021", _("Customer's position in queue")),
    ("192350035", _("Holiday message to customer")),
    ("192350036", _("Out of operating hours")),
    ("192350015", _("Session ended")),
    ("192350002", _("Transfer to agent accepted")),
]

# Column lengths as Dataverse counts them (UTF-16 code units, see wizard.validators.dataverse_length).
MESSAGE_TEXT_MAX = 2000  # msdyn_ocsystemmessage.msdyn_messagetext, Memo MaxLength 2000
ANSWER_OPTION_MAX = 100  # msdyn_chatansweroption.msdyn_name, String MaxLength 100
QUESTION_TEXT_MAX = 512  # msdyn_surveyquestion.msdyn_questiontext, String MaxLength 512

# The questions D365 uses to identify the customer automatically (exact names, single line).
IDENTIFICATION_QUESTIONS: dict[str, Any] = {
    "Name": _("What is your name?"),
    "Email": _("What is your email address?"),
    "Phone": _("What is your phone number?"),
    "CaseNumber": _("What is your case number?"),
}
# The buttons that add them, in plain words.
IDENTIFICATION_SHORTCUTS: list[tuple[str, Any]] = [
    ("Name", _("Ask for name")),
    ("Email", _("Ask for email")),
    ("Phone", _("Ask for phone number")),
    ("CaseNumber", _("Ask for case number")),
]
