from __future__ import annotations

from typing import Any

from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from wizard.choices import DEFAULT_LANGUAGE
from wizard.forms.base import StepForm
from wizard.forms.fields import DataverseCharField


class DetailsForm(StepForm):
    uses_environments = True

    name = DataverseCharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Shown to agents and administrators, not to customers. At most 100 characters."),
    )
    environment = forms.ChoiceField(
        label=_("Environment"),
        required=False,
        help_text=_(
            "The Dataverse environment whose queues, workstreams and languages the wizard offers, "
            "and where the channel will be published. Changing it later keeps each workstream, queue, "
            "operating hours, authentication setting and survey chosen where the new environment has "
            "one of the same name; the others are to be chosen again from its lists."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        initial=DEFAULT_LANGUAGE,
        help_text=_("The language of the chat widget and its system messages."),
    )
    auto_detect_language = forms.BooleanField(
        label=_("Auto-detect language"),
        required=False,
        help_text=_("Show the widget in the language of the customer's browser when it is available."),
    )

    def setup_choices(self) -> None:
        from portal.models import Environment

        languages = self.choices.languages()
        self.set_choices("language", languages.options)
        offered = self.context.environments
        environments = [
            (str(pk), name) for pk, name in (Environment.offered() if offered is None else offered)
        ]
        self.set_choices(
            "environment",
            [("", _("No environment yet")), *environments],
            stale=_("The environment chosen before was archived or removed. Choose another environment."),
        )
        # A channel can only be published to an environment: once the portal has one, choosing it is required.
        field = self.own_field("environment")
        field.required = bool(environments)
        field.error_messages["required"] = _("Choose the environment this channel will be published to.")

    @classmethod
    def build_layout(cls) -> Any:
        return Layout(
            Fieldset("", Field("name", autocomplete="off"), "environment", "language", "auto_detect_language")
        )
