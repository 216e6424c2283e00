from __future__ import annotations

from typing import Any

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from wizard.forms.base import StepForm
from wizard.forms.fields import DataverseCharField
from wizard.forms.layout import ShowWhen
from wizard.options import CALLING_NONE, CALLING_OPTIONS


class FeaturesForm(StepForm):
    # Required while shown (clean() says so): their labels carry the required marker.
    required_when_shown = frozenset(
        {"email_template", "mailbox", "screen_sharing_provider", "cobrowse_provider"}
    )
    attachments_customers = forms.BooleanField(label=_("Customers can send file attachments"), required=False)
    attachments_agents = forms.BooleanField(label=_("Agents can send file attachments"), required=False)
    notify_unread_count = forms.BooleanField(label=_("Show the unread message count"), required=False)
    notify_sound = forms.BooleanField(label=_("Play a sound for new messages"), required=False)
    transcript_download = forms.BooleanField(label=_("Customers can download the transcript"), required=False)
    transcript_email = forms.BooleanField(
        label=_("Customers can receive the transcript by email"), required=False
    )
    email_template = DataverseCharField(
        label=_("Email template"),
        max_length=100,
        required=False,
        help_text=_("The unique name of the transcript email template."),
    )
    mailbox = DataverseCharField(
        label=_("Sender mailbox"),
        max_length=100,
        required=False,
        validators=[
            EmailValidator(message=_("Enter the mailbox as an email address, such as support@contoso.com."))
        ],
    )
    calling = forms.ChoiceField(
        label=_("Voice and video calls"),
        choices=CALLING_OPTIONS,
        initial=CALLING_NONE,
        widget=forms.RadioSelect,
    )
    screen_sharing = forms.BooleanField(label=_("Screen sharing"), required=False)
    screen_sharing_provider = DataverseCharField(
        label=_("Screen sharing provider"), max_length=100, required=False
    )
    cobrowse = forms.BooleanField(label=_("Co-browse"), required=False)
    cobrowse_provider = DataverseCharField(label=_("Co-browse provider"), max_length=100, required=False)

    @classmethod
    def build_layout(cls) -> Any:
        return Layout(
            Fieldset(_("File attachments"), "attachments_customers", "attachments_agents"),
            Fieldset(_("Customer notifications"), "notify_unread_count", "notify_sound"),
            Fieldset(
                _("Transcripts"),
                "transcript_download",
                "transcript_email",
                ShowWhen("transcript_email", "email_template", "mailbox"),
            ),
            Fieldset(_("Voice and video calls"), "calling"),
            Fieldset(
                _("Screen sharing and co-browse"),
                "screen_sharing",
                ShowWhen("screen_sharing", "screen_sharing_provider"),
                "cobrowse",
                ShowWhen("cobrowse", "cobrowse_provider"),
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transcript_email"):
            if not data.get("email_template"):
                self.add_missing("email_template", _("Enter the email template used to send transcripts."))
            if not data.get("mailbox"):
                self.add_missing("mailbox", _("Enter the mailbox transcripts are sent from."))
        if data.get("screen_sharing") and not data.get("screen_sharing_provider"):
            self.add_missing(
                "screen_sharing_provider", _("Enter the screen sharing provider, or turn off Screen sharing.")
            )
        if data.get("cobrowse") and not data.get("cobrowse_provider"):
            self.add_missing("cobrowse_provider", _("Enter the co-browse provider, or turn off Co-browse."))
        both = data.get("screen_sharing") and data.get("cobrowse")
        same = (data.get("screen_sharing_provider") or "").strip().lower() == (
            data.get("cobrowse_provider") or ""
        ).strip().lower()
        if both and same and data.get("cobrowse_provider"):
            self.add_error(
                "cobrowse_provider",
                _(
                    "Screen sharing and co-browse can't use the same provider: choose another provider "
                    "for one of them, or turn one off."
                ),
            )
        return data
