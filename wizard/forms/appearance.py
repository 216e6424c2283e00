from __future__ import annotations

from typing import Any

from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from wizard.forms.base import RowForm, RowSet, StepForm
from wizard.forms.fields import DataverseCharField
from wizard.forms.layout import Rows, ShowWhen
from wizard.options import (
    AGENT_DISPLAY_NAMES,
    AGENT_FULL_NAME,
    DEFAULT_THEME,
    POSITION_BOTTOM_RIGHT,
    THEME_BY_VALUE,
    THEME_COLORS,
    WIDGET_POSITIONS,
)
from wizard.validators import validate_domain, validate_https_url


class DomainRowForm(RowForm):
    domain = DataverseCharField(
        label=_("Domain"),
        max_length=200,
        validators=[validate_domain],
        help_text=_("Without http:// or https://; *.contoso.com allows every subdomain."),
    )

    def clean_domain(self) -> str:
        return self.cleaned_data["domain"].strip().lower()


class ThemeColorSelect(forms.RadioSelect):
    """Theme colours as radio buttons, each option carrying its swatch colour (``option["swatch"]``,
    a ``#RRGGBB`` from ``wizard.options.THEME_COLORS``); the step form renderer draws a swatch beside
    each name (``swatches``, as the admin center shows them) with the stylesheet's ``.swatch-rrggbb``."""

    swatches = {color.value: color.hex for color in THEME_COLORS}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        color = THEME_BY_VALUE.get(str(value))
        option["swatch"] = color.hex if color else ""
        return option


class AppearanceForm(StepForm):
    # Required while shown (clean() says so): their labels carry the required marker.
    required_when_shown = frozenset(
        {"generic_agent_name", "reconnect_time_limit", "operating_hours", "offline_title"}
    )
    row_sets = (
        RowSet(
            "domains",
            _("Domains"),
            _("Domain"),
            DomainRowForm,
            max_rows=50,
            add_label=_("Add domain"),
            enabled_by="domains_only",
            ordered=False,  # the widget shows on any of them
        ),
    )

    title = DataverseCharField(
        label=_("Title"),
        max_length=100,
        initial=_("Let's chat"),
        help_text=_("Shown in the widget header. At most 100 characters."),
    )
    subtitle = DataverseCharField(
        label=_("Subtitle"), max_length=100, required=False, initial=_("We're online.")
    )
    theme_color = forms.ChoiceField(
        label=_("Theme color"),
        choices=[(c.value, c.label) for c in THEME_COLORS],
        initial=DEFAULT_THEME,
        widget=ThemeColorSelect(attrs={"class": "form-check-input"}),
    )
    logo_url = DataverseCharField(
        label=_("Logo URL"),
        max_length=4000,
        required=False,
        validators=[validate_https_url],
        help_text=_("An https address of an image; it shows in the widget header."),
    )
    agent_display_name = forms.ChoiceField(
        label=_("Agent display name"), choices=AGENT_DISPLAY_NAMES, initial=AGENT_FULL_NAME
    )
    anonymize_agent = forms.BooleanField(
        label=_("Show a generic name instead of the agent's name"), required=False
    )
    generic_agent_name = DataverseCharField(
        label=_("Generic agent name"), max_length=100, required=False, initial=_("Customer service")
    )
    widget_position = forms.ChoiceField(
        label=_("Widget position"),
        choices=WIDGET_POSITIONS,
        initial=POSITION_BOTTOM_RIGHT,
        widget=forms.RadioSelect,
    )
    proactive_chat = forms.BooleanField(
        label=_("Proactive chat"),
        required=False,
        help_text=_("Lets your site invite visitors to chat, for example after some time on a page."),
    )
    reconnect_enabled = forms.BooleanField(label=_("Reconnect to previous chat"), required=False)
    reconnect_time_limit = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=43200,
        # Text with a numeric keypad, not type=number: a browser empties a number box holding "1e" or
        # "thirty" before sending it, so the author would lose the text and get "required" instead of
        # "Enter a whole number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("How long after a disconnect the customer can return to the same conversation."),
        error_messages={
            "min_value": _("Enter at least 1 minute."),
            "max_value": _("Enter at most 43,200 minutes (30 days)."),
        },
    )
    reconnect_portal_url = DataverseCharField(
        label=_("Portal URL"), max_length=100, required=False, validators=[validate_https_url]
    )
    reconnect_redirect_url = DataverseCharField(
        label=_("Redirect URL"),
        max_length=100,
        required=False,
        validators=[validate_https_url],
        help_text=_("Where the customer goes when the time limit has passed."),
    )
    operating_hours_only = forms.BooleanField(
        label=_("Show widget only during operating hours"), required=False
    )
    operating_hours = forms.ChoiceField(label=_("Operating hours"), required=False)
    show_offline_widget = forms.BooleanField(
        label=_("Outside operating hours, show the widget with an offline message"),
        required=False,
        help_text=_("When off, the widget is hidden outside operating hours."),
    )
    offline_title = DataverseCharField(
        label=_("Offline title"),
        max_length=4000,
        required=False,
        initial=_("We're offline"),
        help_text=_("The title in the widget header outside operating hours."),
    )
    offline_subtitle = DataverseCharField(
        label=_("Offline subtitle"),
        max_length=4000,
        required=False,
        initial=_("Leave us a message and we'll get back to you."),
    )
    domains_only = forms.BooleanField(label=_("Show widget only on these domains"), required=False)

    def setup_choices(self) -> None:
        hours = self.choices.operating_hours()
        self.set_choices("operating_hours", [("", _("Choose operating hours"))] + hours.options)

    @classmethod
    def build_layout(cls) -> Any:
        return Layout(
            Fieldset(
                _("Header"),
                Field("title", autocomplete="off"),
                Field("subtitle", autocomplete="off"),
                "theme_color",
                Field("logo_url", autocomplete="off"),
                "agent_display_name",
                "anonymize_agent",
                ShowWhen("anonymize_agent", Field("generic_agent_name", autocomplete="off")),
                "widget_position",
            ),
            Fieldset(
                _("Chat options"),
                "proactive_chat",
                "reconnect_enabled",
                ShowWhen(
                    "reconnect_enabled",
                    "reconnect_time_limit",
                    "reconnect_portal_url",
                    "reconnect_redirect_url",
                ),
                "operating_hours_only",
                ShowWhen(
                    "operating_hours_only",
                    "operating_hours",
                    "show_offline_widget",
                    ShowWhen("show_offline_widget", "offline_title", "offline_subtitle"),
                ),
                "domains_only",
                ShowWhen("domains_only", Rows("domains")),
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("anonymize_agent") and not data.get("generic_agent_name"):
            self.add_missing(
                "generic_agent_name", _("Enter the name customers see instead of the agent's name.")
            )
        if data.get("reconnect_enabled"):
            if not data.get("reconnect_time_limit"):
                self.add_missing(
                    "reconnect_time_limit",
                    _("Enter a time limit in minutes, or turn off Reconnect to previous chat."),
                )
        if data.get("operating_hours_only"):
            if not data.get("operating_hours"):
                self.add_missing(
                    "operating_hours",
                    _("Choose the operating hours, or turn off Show widget only during operating hours."),
                )
            if data.get("show_offline_widget") and not data.get("offline_title"):
                self.add_missing("offline_title", _("Enter the title customers see outside operating hours."))
        return data

    def clean_rows(self) -> None:
        if not self.row_set_enabled(self.row_sets[0]):
            return
        formset = self.rows["domains"]
        if formset.total_form_count() == 0 and self.is_bound:
            self.add_error(
                "domains_only", _("Add at least one domain, or turn off Show widget only on these domains.")
            )
        seen: set[str] = set()
        for row in formset.forms:
            if row.is_valid():
                domain = row.cleaned_data["domain"]
                if domain in seen:
                    row.add_error("domain", _("This domain is already in the list: remove the duplicate."))
                seen.add(domain)
