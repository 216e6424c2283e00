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
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.forms.lengths import LengthLimitMixin
from wizard.models import PublishAttempt
from wizard.preview import Preview, revision_preview

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Attribute = tuple[str, str | None]

_BASE_ATTRIBUTES = {"v2", "id", "src", "type", "async", "defer", "charset", "crossorigin"}
_DATA_ATTRIBUTE = re.compile(r"^data-[a-z0-9-]{1,60}$")
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_FONT_FAMILY = re.compile(r"^[\w ,'-]+$")


@dataclass(frozen=True)
class SnippetOption:
    attribute: str
    name: str
    kind: str  # "bool", "color" or "text"
    label: StrOrPromise
    help_text: StrOrPromise = ""
    max_length: int | None = None  # of a colour or text


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
    # No length limit of its own: the #RRGGBB check says what to enter, where "at most 7 characters" would not.
    SnippetOption(
        "data-color-override",
        "color_override",
        "color",
        gettext_lazy("Colour override"),
        gettext_lazy("As #RRGGBB, for example #0B5CAB."),
    ),
    SnippetOption(
        "data-font-family-override",
        "font_family_override",
        "text",
        gettext_lazy("Font family override"),
        gettext_lazy("For example: Segoe UI, Arial, sans-serif"),
        max_length=200,
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


def _option_field(name: str) -> forms.Field:
    option = next(option for option in OPTIONS if option.name == name)
    if option.kind == "bool":
        return forms.BooleanField(required=False, label=option.label, help_text=option.help_text)
    return forms.CharField(
        required=False, max_length=option.max_length, label=option.label, help_text=option.help_text
    )


class EmbedOptionsForm(LengthLimitMixin, forms.Form):
    """The optional data tags chosen under the embed code (one field per :data:`OPTIONS` entry)."""

    hide_chat_button = _option_field("hide_chat_button")
    render_mobile = _option_field("render_mobile")
    color_override = _option_field("color_override")
    font_family_override = _option_field("font_family_override")
    open_in_window = _option_field("open_in_window")
    disable_telemetry = _option_field("disable_telemetry")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "snippet-%s")
        super().__init__(*args, **kwargs)

    def clean_color_override(self) -> str:
        value: str = self.cleaned_data["color_override"]
        if value and not _HEX_COLOR.match(value):
            raise forms.ValidationError(
                _("Enter the colour override as #RRGGBB, for example #0B5CAB."), code="color"
            )
        return value

    def clean_font_family_override(self) -> str:
        value: str = self.cleaned_data["font_family_override"]
        if value and not _FONT_FAMILY.match(value):
            raise forms.ValidationError(
                _(
                    "Enter font names separated by commas, using only letters, digits, spaces, hyphens and "
                    "single quotes ('), for example Segoe UI, Arial, sans-serif."
                ),
                code="font_family",
            )
        return value

    def chosen(self) -> dict[str, str]:
        """The data tags of the options that were valid, by attribute (call after ``is_valid()``)."""
        chosen: dict[str, str] = {}
        for option in OPTIONS:
            value = self.cleaned_data.get(option.name)
            if value is True:
                chosen[option.attribute] = "true"
            elif value:
                chosen[option.attribute] = str(value)
        return chosen


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


@dataclass(frozen=True)
class OptionField:
    """One option's control under the embed code, with the ids its help and errors are drawn with."""

    option: SnippetOption
    field: BoundField
    max_length: int | None
    described_by: str
    autofocus: bool


@dataclass
class Embed:
    environment: str  # the name of the environment the code is for
    app_id: str
    snippet: str
    attributes: list[Attribute]
    options: dict[str, str]
    form: EmbedOptionsForm
    preview: Preview | None
    fields: list[OptionField] = field(default_factory=list)

    @property
    def attributes_json(self) -> list[list[str | None]]:
        return [[name, value] for name, value in self.attributes]


def _option_fields(form: EmbedOptionsForm) -> list[OptionField]:
    fields: list[OptionField] = []
    focused = False
    for option in OPTIONS:
        bound = form[option.name]
        ids = [f"{bound.auto_id}_error"] if bound.errors else []
        if option.help_text:
            ids.append(f"{bound.auto_id}_help")
        fields.append(
            OptionField(
                option=option,
                field=bound,
                max_length=form.max_lengths.get(option.name),
                described_by=" ".join(ids),
                # The refused options are far down the channel page: the first takes the focus, so it is seen.
                autofocus=bool(bound.errors) and not focused,
            )
        )
        focused = focused or bool(bound.errors)
    return fields


def embed_for(attempt: PublishAttempt | None, params: Any) -> Embed | None:
    """The embed code ``attempt`` (a successful publish) read back (``None`` without a publish).

    ``params`` (the page's query) holds the options chosen under the code; without any, the options are
    those of the stored code. Refused options are left out of the code and shown as typed, with why.
    """
    if attempt is None:
        return None
    attributes = parse_snippet(attempt.widget_snippet)
    stored = {name: value for name, value in attributes if name in _OPTION_ATTRIBUTES}
    if any(option.name in params for option in OPTIONS) or params.get("snippet_options"):
        form = EmbedOptionsForm(params)
        form.is_valid()
        options = form.chosen()
    else:
        options = {name: value or "true" for name, value in stored.items()}
        form = EmbedOptionsForm(
            initial={
                option.name: True if option.kind == "bool" else options[option.attribute]
                for option in OPTIONS
                if option.attribute in options
            }
        )
    return Embed(
        environment=attempt.environment.name,
        app_id=attempt.widget_app_id,
        snippet=build_snippet(attributes, options),
        attributes=[(name, value) for name, value in attributes if name not in _OPTION_ATTRIBUTES],
        options=options,
        form=form,
        preview=revision_preview(attempt.revision, key="embed") if attempt.revision_id else None,
        fields=_option_fields(form),
    )
