"""What the customer-facing chat widget looks like for a draft or revision's data.

The widget itself is drawn in the browser by Microsoft's chat components (the bundle built from
``frontend/preview``, served in a same-origin frame by ``wizard.views.preview.frame``). This module gives:

- ``preview_values(data)``: the draft's values the preview reads, ``{"<step slug>": {"<field>": value}}``;
  the one place the preview reads a draft's values.
- ``preview_payload(data)``: those values plus the context the bundle's mapping needs (the theme colour
  table of ``wizard.options``, the option values it branches on, sample names and translated texts), as
  the JSON the frame page embeds.
- ``build_preview(data)``: the server-side checks shown under the preview (contrast, logo, title length)
  and the frame's address. It never trusts the data: unknown colours fall back to the default theme and
  only https logo URLs are kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wizard import contrast
from wizard.choices import TEXT_LANGUAGES, text_language
from wizard.forms.layout import is_on
from wizard.options import (
    AGENT_FULL_NAME,
    ANSWER_OPTION_SET,
    ANSWER_TYPES,
    CALLING_NONE,
    DEFAULT_THEME,
    POSITION_BOTTOM_LEFT,
    SURVEY_MODE_IN_CONVERSATION,
    THEME_BY_VALUE,
    THEME_COLORS,
    ThemeColor,
    answer_options,
)
from wizard.steps import STEPS
from wizard.values import DraftValues, StepValues, read

HEADER_TEXT_COLOR = "#FFFFFF"
# About this many average characters fit on one line of the widget header at phone width; a longer title wraps.
TITLE_VISIBLE_CHARS = 25
SUBTITLE_VISIBLE_CHARS = 40
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp", ".avif")

# The sample agent the preview conversation uses, one name per Agent display name option.
SAMPLE_AGENT = {
    "192350000": "Jordan Lee",
    "192350001": "Jordan",
    "192350002": "Lee",
    "192350003": "Jo",
}
CALLING_VIDEO_AND_VOICE = "192350001"
CALLING_VOICE_ONLY = "192350002"
ANSWER_KINDS = {
    "192350000": "text",
    "192350001": "textarea",
    ANSWER_OPTION_SET: "select",
    "192350003": "rating",
    "192350004": "consent",
}
STATES = (
    ("launcher", gettext_lazy("Launcher only")),
    ("open", gettext_lazy("Chat open")),
    ("offline", gettext_lazy("Offline")),
    ("prechat", gettext_lazy("Pre-conversation survey")),
    ("postchat", gettext_lazy("Post-conversation survey")),
    ("reconnect", gettext_lazy("Reconnect prompt")),
    ("proactive", gettext_lazy("Proactive invitation")),
)


@dataclass(frozen=True)
class Check:
    level: str  # "warning" or "info"
    code: str
    message: str


@dataclass(frozen=True)
class Question:
    name: str
    text: str
    kind: str
    kind_label: str
    required: bool
    options: list[str] = field(default_factory=list)


# The steps whose values the widget shows.
PREVIEW_STEPS = ("appearance", "behaviors", "features")
# The steps whose values the checks under the preview read (build_preview): a step page's panel is
# drawn again only when one of them changes (wizard.services.drafts.rendered_panel_key).
CHECKED_STEPS = ("details", "appearance")


@dataclass
class Preview:
    key: str
    title: str
    subtitle: str
    theme: ThemeColor
    position: str  # "right" or "left"
    logo_url: str  # empty unless it is an https URL the browser may load
    agent_name: str
    attachments: bool
    agent_attachments: bool
    transcript_download: bool
    transcript_email: bool
    voice_call: bool
    video_call: bool
    sound: bool
    unread_count: bool
    operating_hours_only: bool
    show_offline_widget: bool
    offline_title: str
    offline_subtitle: str
    prechat_enabled: bool
    questions: list[Question]
    postchat_enabled: bool
    postchat_link: bool
    survey_link_message: str
    reconnect_enabled: bool
    reconnect_minutes: str
    proactive_chat: bool
    contrast_ratio: float
    title_truncated: bool
    checks: list[Check]
    frame_url: str = ""

    @property
    def contrast_text(self) -> str:
        return contrast.format_ratio(self.contrast_ratio)

    @property
    def hidden_when_offline(self) -> bool:
        return self.operating_hours_only and not self.show_offline_widget

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.level == "warning"]

    @property
    def switches(self) -> str:
        """The state and width switches, which preview.js draws (they do nothing without it), as JSON:
        ``[[legend, name, [[value, label], ...]], ...]`` in the reader's language; the panel's
        ``data-state`` and ``data-device`` say which is checked."""
        devices = [["desktop", _("Desktop")], ["mobile", _("Mobile")]]
        return json.dumps(
            [
                [_("Show"), "state", [[value, str(label)] for value, label in STATES]],
                [_("Width"), "device", devices],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @property
    def fingerprint(self) -> str:
        """A digest of what the preview panel draws of this preview: its element ids, the frame's address
        and the checks (the frame loads the draft's values itself). Two drafts whose previews have the
        same fingerprint draw the same panel."""
        checks = [(check.level, check.code, check.message) for check in self.checks]
        return hashlib.sha256(repr([self.key, self.frame_url, checks]).encode()).hexdigest()


def _text(values: StepValues, name: str, default: str = "") -> str:
    return values.text(name).strip() or default


def theme_for(value: Any) -> ThemeColor:
    """The theme colour for a stored option value; anything unknown is the default theme."""
    return THEME_BY_VALUE.get(str(value), THEME_BY_VALUE[DEFAULT_THEME])


def safe_logo_url(url: str) -> tuple[str, Check | None]:
    """The URL if the browser may load it as the logo, else "" and a warning that says what to do."""
    if not url:
        return "", None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "", Check(
            "warning", "logo_not_https", _("The logo URL contains spaces, so it is not loaded. Remove them.")
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and parts.scheme.lower() == "https" and not host:
        return "", Check(
            "warning",
            "logo_not_https",
            _(
                "The logo is not loaded: its URL has no address after https://. Enter the full address "
                "of an image, such as https://www.contoso.com/logo.png."
            ),
        )
    if parts is None or parts.scheme.lower() != "https":
        return "", Check(
            "warning",
            "logo_not_https",
            _(
                "The logo is not loaded: its URL does not start with https://. Enter an https address "
                "of an image, such as https://www.contoso.com/logo.png."
            ),
        )
    if not parts.path.lower().endswith(IMAGE_EXTENSIONS):
        return url, Check(
            "warning",
            "logo_not_image",
            _(
                "The logo URL does not end in an image file name (.png, .jpg, .svg, …). Check that it "
                "opens an image; if it doesn't, the header shows no logo."
            ),
        )
    return url, None


def _questions(values: StepValues) -> list[Question]:
    labels = {key: str(label) for key, label in ANSWER_TYPES}
    questions = []
    for row in values.rows("questions")[:50]:
        answer_type = str(row.get("answer_type") or "")
        kind = ANSWER_KINDS.get(answer_type, "text")
        name = str(row.get("name") or "")
        questions.append(
            Question(
                name=name,
                text=str(row.get("text") or "") or name,
                kind=kind,
                kind_label=labels.get(answer_type, labels["192350000"]),
                required=is_on(row.get("required")),
                options=answer_options(row.get("options")) if kind == "select" else [],
            )
        )
    return questions


def preview_values(data: dict[str, Any] | DraftValues | None) -> dict[str, dict[str, Any]]:
    """The values of ``data`` (a draft's or revision's wizard data) the preview shows.

    Shape: ``{"appearance": {...}, "behaviors": {...}, "features": {...}}``, each step's values in
    effect as the reader gives them (cleaned; empty where a field does not apply), JSON-ready.
    """
    reader = data if isinstance(data, DraftValues) else read(data)
    snapshot = {slug: dict(reader[slug]) for slug in PREVIEW_STEPS}
    return json.loads(json.dumps(snapshot, default=str))


def _sample_texts() -> dict[str, str]:
    """The texts of the sample conversation and panes, translated; ``%(name)s`` style placeholders."""
    return {
        "agent": _("Agent"),
        "logo": _("Logo"),
        "joined": _("%(name)s joined the chat"),
        "greeting": _("Hi, thanks for contacting us. How can I help you today?"),
        "customer_message": _("I'd like to check the status of my order."),
        "closing": _("Glad I could help. Have a great day!"),
        "ended": _("The agent ended the conversation."),
        "take_survey": _("Take the survey"),
        "survey_inline": _("The survey opens inside the conversation."),
        "type_message": _("Type your message"),
        "attach": _("Attach a file"),
        "video_call": _("Video call"),
        "voice_call": _("Voice call"),
        "offline_body": _("Our agents are away right now."),
        "choose_option": _("Choose an option"),
        "i_agree": _("I agree"),
        "start_chat": _("Start chat"),
        "no_questions": _(
            "Add questions on the Behaviors step: they show here as the form customers fill in."
        ),
        "reconnect_title": _("Previous session detected"),
        "reconnect_subtitle": _("Do you want to continue your previous conversation?"),
        "reconnect_minutes": _("You can return to it for %(minutes)s minutes."),
        "continue_conversation": _("Continue conversation"),
        "start_new_conversation": _("Start new conversation"),
        "proactive_body": _("Hi! Can we help you find anything?"),
        "chat_now": _("Chat now"),
    }


def _admin_notes() -> dict[str, str]:
    """The notes the frame shows the author beside the widget (not part of it), translated."""
    return {
        "note_always_online": _("No operating hours are set, so customers always see the widget online."),
        "note_hidden_offline": _(
            "Outside operating hours the widget is hidden: customers see the page without a chat button."
        ),
        "note_prechat_off": _("The pre-conversation survey is off: customers start chatting straight away."),
        "note_postchat_off": _("The post-conversation survey is off: the chat ends without a survey."),
        "note_reconnect_off": _("Reconnect to previous chat is off: a returning customer starts a new chat."),
        "note_proactive_off": _("Proactive chat is off: the widget never invites visitors."),
    }


def preview_context() -> dict[str, Any]:
    """What the bundle's mapping (frontend/preview/src/mapping.js) needs besides the values.

    Shape: ``{"themes": {option value: "#RRGGBB"}, "default_theme": value, "options": {...},
    "sample_agents": {option value: name, "default": name}, "states": [state, ...],
    "text": {key: translated text}}`` (the widget's texts; :func:`preview_payload` adds the notes to the
    author).
    Colours and option values come from ``wizard.options``, so the bundle repeats none of them.
    """
    return {
        "themes": {color.value: color.hex for color in THEME_COLORS},
        "default_theme": DEFAULT_THEME,
        "options": {
            "position_left": POSITION_BOTTOM_LEFT,
            "calling_video_and_voice": CALLING_VIDEO_AND_VOICE,
            "calling_voice_only": CALLING_VOICE_ONLY,
            "survey_mode_in_conversation": SURVEY_MODE_IN_CONVERSATION,
            "answer_kinds": dict(ANSWER_KINDS),
        },
        "sample_agents": {**SAMPLE_AGENT, "default": SAMPLE_AGENT[AGENT_FULL_NAME]},
        "states": [value for value, _label in STATES],
        "text": _sample_texts(),
    }


def preview_payload(
    data: dict[str, Any] | None, *, state: str = "open", device: str = "desktop"
) -> dict[str, Any]:
    """The JSON the preview frame embeds: ``{"values", "context", "state", "device"}``."""
    states = {value for value, _label in STATES}
    reader = read(data)
    # The widget's own texts are in the widget's language (English where the portal has none in it); the
    # notes to the author beside it are in the language the portal is read in.
    with translation.override(text_language(reader["details"].text("language"))):
        context = preview_context()
    context["text"].update(_admin_notes())
    return {
        "values": preview_values(reader),
        "context": context,
        "state": state if state in states else "open",
        "device": "mobile" if device == "mobile" else "desktop",
    }


def build_preview(
    data: dict[str, Any] | DraftValues | None, *, key: str = "pv", frame_url: str = ""
) -> Preview:
    """The checks of ``data`` (a draft's or revision's wizard data) and the address of its frame.

    ``key`` prefixes element ids; ``frame_url`` is the page that draws the widget (empty: none).
    """
    reader = data if isinstance(data, DraftValues) else read(data)
    appearance, behaviors, features = reader["appearance"], reader["behaviors"], reader["features"]
    checks: list[Check] = []

    # The checks speak of the title as typed, also one the form refuses as too long.
    accepted_title = _text(appearance, "title")
    title = accepted_title or appearance.refused("title").strip()
    title_refused = bool(title) and not accepted_title
    subtitle = _text(appearance, "subtitle")
    theme = theme_for(appearance.get("theme_color"))
    ratio = contrast.contrast_ratio(HEADER_TEXT_COLOR, theme.hex)
    if not contrast.passes_aa(ratio):
        checks.append(
            Check(
                "warning",
                "contrast",
                _(
                    "White header text on %(color)s has a contrast ratio of %(ratio)s, below the "
                    "4.5:1 that WCAG AA asks for. Choose a darker theme colour so every customer can "
                    "read the title."
                )
                % {"color": theme.label, "ratio": contrast.format_ratio(ratio)},
            )
        )
    title_truncated = len(title) > TITLE_VISIBLE_CHARS and not title_refused
    if title_refused:
        # The step refuses it, so the channel can't be submitted with it; the frame shows it only while typed.
        checks.append(
            Check(
                "warning",
                "title_refused",
                _(
                    "The title has %(count)d characters, more than the widget takes, so the channel can't be "
                    "submitted with it. Shorten the title on this step."
                )
                % {"count": len(title)},
            )
        )
    elif title_truncated:
        checks.append(
            Check(
                "warning",
                "title_truncated",
                _(
                    "The title has %(count)d characters; about %(visible)d fit on one line of the header "
                    "on a phone, so there it wraps and pushes the conversation down. Shorten it to keep the "
                    "header to one line."
                )
                % {"count": len(title), "visible": TITLE_VISIBLE_CHARS},
            )
        )
    if not title:
        checks.append(Check("warning", "title_missing", _("Enter a title: the header is empty without one.")))
    language = reader["details"].text("language")
    if language and language not in TEXT_LANGUAGES:
        checks.append(
            Check(
                "info",
                "preview_language",
                _(
                    "The preview draws the widget's built-in texts (the sample conversation, “Type your "
                    "message”) in English: it has them in English and Korean only. Customers see them in "
                    "the widget's language."
                ),
            )
        )

    # A logo URL the form refuses is never drawn; the checks still say why.
    refused_logo = appearance.refused("logo_url").strip()
    logo_url, logo_check = safe_logo_url(refused_logo or _text(appearance, "logo_url"))
    if refused_logo:
        logo_url = ""
    if logo_check:
        checks.append(logo_check)

    anonymize = appearance.on("anonymize_agent")
    display = _text(appearance, "agent_display_name")
    if anonymize:
        agent_name = _text(appearance, "generic_agent_name") or _("Agent")
    else:
        agent_name = SAMPLE_AGENT.get(display, SAMPLE_AGENT["192350000"])

    calling = _text(features, "calling", CALLING_NONE)
    postchat_mode = _text(behaviors, "survey_mode")
    return Preview(
        key=key,
        title=title,
        subtitle=subtitle,
        theme=theme,
        position="left" if _text(appearance, "widget_position") == POSITION_BOTTOM_LEFT else "right",
        logo_url=logo_url,
        agent_name=agent_name,
        attachments=features.on("attachments_customers"),
        agent_attachments=features.on("attachments_agents"),
        transcript_download=features.on("transcript_download"),
        transcript_email=features.on("transcript_email"),
        voice_call=calling in (CALLING_VIDEO_AND_VOICE, CALLING_VOICE_ONLY),
        video_call=calling == CALLING_VIDEO_AND_VOICE,
        sound=features.on("notify_sound"),
        unread_count=features.on("notify_unread_count"),
        operating_hours_only=appearance.on("operating_hours_only"),
        show_offline_widget=appearance.on("show_offline_widget"),
        offline_title=_text(appearance, "offline_title"),
        offline_subtitle=_text(appearance, "offline_subtitle"),
        prechat_enabled=behaviors.on("prechat_enabled"),
        questions=_questions(behaviors),
        postchat_enabled=behaviors.on("postchat_enabled"),
        postchat_link=postchat_mode != SURVEY_MODE_IN_CONVERSATION,
        survey_link_message=_text(behaviors, "survey_link_message"),
        reconnect_enabled=appearance.on("reconnect_enabled"),
        reconnect_minutes=_text(appearance, "reconnect_time_limit"),
        proactive_chat=appearance.on("proactive_chat"),
        contrast_ratio=ratio,
        title_truncated=title_truncated,
        checks=checks,
        frame_url=frame_url,
    )


def revision_preview(revision: Any, *, key: str, values: DraftValues | None = None) -> Preview:
    """The preview of a revision (any object with ``channel_id``, ``number`` and ``data``), in its own
    frame; ``values``: the revision's values when the caller has read them already."""
    url = reverse("wizard:revision_preview_frame", args=[revision.channel_id, revision.number])
    return build_preview(values or revision.data, key=key, frame_url=url)


def merge_unsaved(data: dict[str, Any] | None, slug: str, post: Any) -> dict[str, Any]:
    """``data`` with one step's values replaced by the values posted from its form (not saved anywhere)."""
    merged = dict(data) if isinstance(data, dict) else {}
    for step in STEPS:
        if step.slug == slug and step.form_class is not None:
            merged[slug] = step.form_class.values_from_post(post)
    return merged
