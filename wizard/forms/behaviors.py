from __future__ import annotations

from typing import Any

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from wizard.forms.base import RowForm, RowSet, StepForm
from wizard.forms.fields import DataverseCharField
from wizard.forms.layout import DisabledBy, Rows, ShowWhen
from wizard.forms.rules import rule_holds
from wizard.options import (
    ANSWER_OPTION_MAX,
    ANSWER_OPTION_SET,
    ANSWER_SINGLE_LINE,
    ANSWER_TYPES,
    MESSAGE_TEXT_MAX,
    MESSAGE_TRIGGERS,
    QUESTION_TEXT_MAX,
    SURVEY_MODE_LINK,
    SURVEY_MODES,
    SURVEY_PROVIDER_COPILOT,
    SURVEY_PROVIDER_CUSTOMER_VOICE,
    SURVEY_PROVIDERS,
    answer_options,
    typed_options,
)
from wizard.validators import (
    dataverse_length,
    validate_https_url,
    validate_question_name,
)

MAX_QUESTIONS = 10


class MessageRowForm(RowForm):
    trigger = forms.ChoiceField(label=_("Trigger"), choices=MESSAGE_TRIGGERS)
    text = DataverseCharField(
        label=_("Message"),
        max_length=MESSAGE_TEXT_MAX,
        error_messages={"required": _("Enter the message the customer sees, or remove this message.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionRowForm(RowForm):
    # Fields shown only while a condition on another field of the same row holds (see ShowWhen).
    show_when = {"options": f"answer_type={ANSWER_OPTION_SET}"}
    # Required while shown (clean() says so): its label carries the required marker.
    required_when_shown = frozenset({"options"})

    name = DataverseCharField(
        label=_("Question name"),
        max_length=100,
        error_messages={"required": _("Name the question, for example Name or Email.")},
        validators=[validate_question_name],
        help_text=_(
            "Internal name: a letter A–Z first, then letters A–Z, digits or underscores. Questions named Name, "
            "Email, Phone or CaseNumber identify the customer automatically."
        ),
    )
    text = DataverseCharField(
        label=_("Question text"),
        max_length=QUESTION_TEXT_MAX,
        error_messages={"required": _("Enter the question the customer sees, or remove this question.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    answer_type = forms.ChoiceField(label=_("Answer type"), choices=ANSWER_TYPES, initial=ANSWER_SINGLE_LINE)
    options = DataverseCharField(
        label=_("Options"),
        max_length=1000,
        required=False,
        help_text=_("The choices separated by semicolons, e.g. Sales;Support;Billing."),
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer_type") == ANSWER_OPTION_SET and "options" not in self.errors:
            options = answer_options(data.get("options"))
            typed = typed_options(data.get("options"))
            folded = [part.casefold() for part in typed]
            repeated = next((option for option in options if folded.count(option.casefold()) > 1), None)
            if len(options) < 2:
                self.add_error("options", _("Enter at least two options separated by semicolons."))
            elif "" in typed:
                self.add_error(
                    "options", _("Remove the empty option: two semicolons have nothing between them.")
                )
            elif repeated is not None:
                self.add_error(
                    "options",
                    _(
                        "“%(option)s” is there more than once. Keep it once, so customers see each choice once."
                    )
                    % {"option": repeated},
                )
            too_long = [option for option in options if dataverse_length(option) > ANSWER_OPTION_MAX]
            if too_long:
                self.add_error(
                    "options",
                    _("Shorten the option “%(option)s…” to at most %(limit)d characters.")
                    % {"option": too_long[0][:20], "limit": ANSWER_OPTION_MAX},
                )
        return data


class BehaviorsForm(StepForm):
    row_sets = (
        RowSet(
            "messages",
            _("Custom automated messages"),
            _("Message"),
            MessageRowForm,
            max_rows=20,
            add_label=_("Add message"),
        ),
        RowSet(
            "questions",
            _("Pre-conversation survey questions"),
            _("Question"),
            QuestionRowForm,
            max_rows=MAX_QUESTIONS,
            add_label=_("Add question"),
            enabled_by="prechat_enabled",
        ),
    )

    prechat_enabled = forms.BooleanField(
        label=_("Pre-conversation survey"),
        required=False,
        help_text=_("Ask customers up to 10 questions before the chat starts."),
    )
    postchat_enabled = forms.BooleanField(label=_("Post-conversation survey"), required=False)
    survey_provider = forms.ChoiceField(
        label=_("Survey provider"),
        choices=SURVEY_PROVIDERS,
        initial=SURVEY_PROVIDER_CUSTOMER_VOICE,
        required=False,
    )
    survey = forms.ChoiceField(label=_("Customer Voice survey"), required=False)
    survey_url = DataverseCharField(
        label=_("Copilot Studio survey URL"), max_length=1000, required=False, validators=[validate_https_url]
    )
    survey_mode = forms.ChoiceField(
        label=_("Survey mode"),
        choices=SURVEY_MODES,
        initial=SURVEY_MODE_LINK,
        required=False,
        widget=forms.RadioSelect,
    )
    survey_link_message = DataverseCharField(
        label=_("Survey link message"),
        max_length=200,
        required=False,
        initial=_("Please tell us how we did:"),
        help_text=_("Shown before the survey link in the conversation."),
    )
    authentication_settings = forms.ChoiceField(
        label=_("Authentication settings"),
        required=False,
        help_text=_("Lets signed-in customers chat as themselves. Required for persistent chat."),
    )
    signin_optional = forms.BooleanField(label=_("Sign-in is optional to start a chat"), required=False)
    show_queue_position = forms.BooleanField(label=_("Show position in queue"), required=False)
    show_wait_time = forms.BooleanField(label=_("Show average wait time"), required=False)
    location_detection = forms.BooleanField(
        label=_("Customer location detection"),
        required=False,
        help_text=_("Ask the customer's browser for their location and show it to the agent."),
    )

    def setup_choices(self) -> None:
        surveys = self.choices.surveys().options
        self.set_choices("survey", [("", _("Choose a survey"))] + surveys)
        if not surveys:
            self.own_field("survey").help_text = _(
                "The environment has no Customer Voice surveys yet. Create one in Customer Voice and "
                "reload the lists, or choose Microsoft Copilot Studio as the survey provider."
            )
        self.set_choices(
            "authentication_settings", [("", _("None"))] + self.choices.authentication_settings().options
        )

    @property
    def persistent_chat(self) -> bool:
        return rule_holds("persistent_chat", self.context.data, self.choices)

    @classmethod
    def build_layout(cls) -> Any:
        return Layout(
            Fieldset(_("Custom automated messages"), Rows("messages")),
            Fieldset(
                _("Pre-conversation survey"),
                "prechat_enabled",
                ShowWhen("prechat_enabled", Rows("questions")),
            ),
            Fieldset(
                _("Post-conversation survey"),
                "postchat_enabled",
                ShowWhen(
                    "postchat_enabled",
                    "survey_provider",
                    ShowWhen(f"survey_provider={SURVEY_PROVIDER_CUSTOMER_VOICE}", "survey"),
                    ShowWhen(f"survey_provider={SURVEY_PROVIDER_COPILOT}", "survey_url"),
                    "survey_mode",
                    ShowWhen(f"survey_mode={SURVEY_MODE_LINK}", "survey_link_message"),
                ),
            ),
            Fieldset(
                _("Authentication and wait time"),
                "authentication_settings",
                ShowWhen("authentication_settings", "signin_optional"),
                DisabledBy("persistent_chat", "show_queue_position", "show_wait_time"),
                "location_detection",
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.persistent_chat:
            if not data.get("authentication_settings"):
                self.add_missing(
                    "authentication_settings",
                    _(
                        "Persistent chat needs authentication settings: choose one, or turn off "
                        "Make chats persistent on the Workstream step."
                    ),
                )
        if data.get("postchat_enabled"):
            # No provider is no survey: the layout shows neither survey field then, and nothing is published.
            provider = data.get("survey_provider")
            if not provider:
                self.add_missing(
                    "survey_provider", _("Choose the survey provider, or turn off Post-conversation survey.")
                )
            if provider == SURVEY_PROVIDER_CUSTOMER_VOICE and not data.get("survey"):
                self.add_missing(
                    "survey",
                    _("Choose a Customer Voice survey, or turn off Post-conversation survey."),
                )
            if data.get("survey_provider") == SURVEY_PROVIDER_COPILOT and not data.get("survey_url"):
                self.add_missing("survey_url", _("Enter the https address of the Copilot Studio survey."))
            if data.get("survey_mode") == SURVEY_MODE_LINK and not data.get("survey_link_message"):
                self.add_missing("survey_link_message", _("Enter the message shown before the survey link."))
        return data

    def clean_rows(self) -> None:
        questions = self.rows["questions"]
        if not self.row_set_enabled(self.row_sets[1]):
            return
        if questions.total_form_count() == 0:
            self.add_error(
                "prechat_enabled", _("Add at least one question, or turn off Pre-conversation survey.")
            )
        seen: set[str] = set()
        for row in questions.forms:
            row.is_valid()
            # A row with a problem elsewhere (its options, say) still has its name checked: the author
            # hears of every problem in one round.
            name = row.cleaned_data.get("name") if "name" not in row.errors else None
            if not name:
                continue
            key = name.lower()
            if key in seen:
                row.add_error(
                    "name", _("Another question already has this name: question names must be unique.")
                )
            seen.add(key)
