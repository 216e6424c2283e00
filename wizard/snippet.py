"""The chat widget's embed snippet: read the stored one safely, add the optional data tags.

The snippet comes back from Dataverse as HTML text. It is never rendered as HTML: its first
``<script>`` tag is parsed, only known attributes are kept, and the snippet is rebuilt from them
with every value attribute-escaped, then shown as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wizard.models import PublishAttempt
from wizard.preview import Preview, revision_preview

Attribute = tuple[str, str | None]

_BASE_ATTRIBUTES = {"v2", "id", "src", "type", "async", "defer", "charset", "crossorigin"}
_DATA_ATTRIBUTE = re.compile(r"^data-[a-z0-9-]{1,60}$")
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FONT_FAMILY = re.compile(r"^[\w ,'-]{1,200}$")


@dataclass(frozen=True)
class SnippetOption:
    attribute: str
    name: str
    kind: str  # "bool", "color" or "text"
    label: str | Promise
    help_text: str | Promise = ""


OPTIONS: tuple[SnippetOption, ...] = (
    SnippetOption(
        "data-hide-chat-button",
        "hide_chat_button",
        "bool",
        gettext_lazy("Hide the chat button"),
        gettext_lazy("Your page opens the chat itself, for example from a link."),
    ),
    SnippetOption(
        "data-render-mobile", "render_mobile", "bool", gettext_lazy("Always use the mobile layout")
    ),
    SnippetOption("data-color-override", "color_override", "color", gettext_lazy("Colour override")),
    SnippetOption(
        "data-font-family-override",
        "font_family_override",
        "text",
        gettext_lazy("Font family override"),
        gettext_lazy("For example: Segoe UI, Arial, sans-serif"),
    ),
    SnippetOption(
        "data-open-in-window", "open_in_window", "bool", gettext_lazy("Open the chat in a new window")
    ),
    SnippetOption("data-disable-telemetry", "disable_telemetry", "bool", gettext_lazy("Turn off telemetry")),
)
_OPTION_ATTRIBUTES = {option.attribute for option in OPTIONS}


class _FirstScript(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[Attribute] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and self.attributes is None:
            self.attributes = attrs


def parse_snippet(snippet: str) -> list[Attribute]:
    """The known attributes of the snippet's first ``<script>`` tag, in their order ([] if there is none)."""
    parser = _FirstScript()
    try:
        parser.feed(snippet or "")
        parser.close()
    except Exception:  # noqa: BLE001 - any unparsable snippet is simply shown without attributes
        return []
    kept: list[Attribute] = []
    seen: set[str] = set()
    for name, value in parser.attributes or []:
        name = name.lower()
        if name in seen or not (name in _BASE_ATTRIBUTES or _DATA_ATTRIBUTE.match(name)):
            continue
        seen.add(name)
        kept.append((name, value))
    return kept


def clean_options(params: Any) -> tuple[dict[str, str], list[str]]:
    """The optional data tags chosen in ``params`` (a QueryDict or dict) and messages for refused values."""
    chosen: dict[str, str] = {}
    errors: list[str] = []
    for option in OPTIONS:
        raw = str(params.get(option.name, "") or "").strip()
        if not raw:
            continue
        if option.kind == "bool":
            if raw.lower() in {"on", "true", "1", "yes"}:
                chosen[option.attribute] = "true"
        elif option.kind == "color":
            if _HEX_COLOR.match(raw):
                chosen[option.attribute] = raw
            else:
                errors.append(_("Enter the colour override as #RRGGBB, for example #0B5CAB."))
        elif _FONT_FAMILY.match(raw):
            chosen[option.attribute] = raw
        else:
            errors.append(
                _("Enter font names separated by commas, using letters, digits, spaces, hyphens and quotes.")
            )
    return chosen, errors


def build_snippet(attributes: list[Attribute], options: dict[str, str] | None = None) -> str:
    """The snippet text for ``attributes`` with the optional data tags set to ``options``."""
    options = options or {}
    parts: list[Attribute] = [(name, value) for name, value in attributes if name not in _OPTION_ATTRIBUTES]
    parts += [
        (option.attribute, options[option.attribute]) for option in OPTIONS if option.attribute in options
    ]
    rendered = " ".join(
        name if value is None else f'{name}="{html.escape(value, quote=True)}"' for name, value in parts
    )
    return f"<script {rendered}></script>" if rendered else ""


@dataclass
class Embed:
    environment: str  # the name of the environment the code is for
    app_id: str
    snippet: str
    attributes: list[Attribute]
    options: dict[str, str]
    errors: list[str]
    preview: Preview | None
    fields: list[dict[str, Any]] = field(default_factory=list)

    @property
    def attributes_json(self) -> list[list[str | None]]:
        return [[name, value] for name, value in self.attributes]


def embed_for(attempt: PublishAttempt | None, params: Any) -> Embed | None:
    """The embed code ``attempt`` (a successful publish) read back, with the optional data tags in
    ``params``; ``None`` without a publish."""
    if attempt is None:
        return None
    attributes = parse_snippet(attempt.widget_snippet)
    stored = {name: value for name, value in attributes if name in _OPTION_ATTRIBUTES}
    if any(option.name in params for option in OPTIONS) or params.get("snippet_options"):
        options, errors = clean_options(params)
    else:
        options, errors = {name: value or "true" for name, value in stored.items()}, []
    fields = [
        {
            "option": option,
            "id": f"snippet-{option.name}",
            "value": options.get(option.attribute, ""),
        }
        for option in OPTIONS
    ]
    return Embed(
        environment=attempt.environment.name,
        app_id=attempt.widget_app_id,
        snippet=build_snippet(attributes, options),
        attributes=[(name, value) for name, value in attributes if name not in _OPTION_ATTRIBUTES],
        options=options,
        errors=errors,
        preview=revision_preview(attempt.revision, key="embed") if attempt.revision_id else None,
        fields=fields,
    )
