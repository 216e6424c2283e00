"""The environment form: connection fields plus "Replace secret" (the stored secret is never shown)."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.authorities import authority_host_allowed
from portal.forms.lengths import LengthLimitMixin
from portal.models import Environment
from portal.services.roles import ROLE_LABELS

FIELDS = ["name", "kind", "org_url", "tenant_id", "client_id", "authority_host", "ca_bundle", "time_zone"]
# A tenant is named by its id or by one of its domains (contoso.onmicrosoft.com), as Entra accepts both.
_TENANT_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE
)


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _https_url_field(field: Any, **kwargs: Any) -> Any:
    # Addresses typed without a scheme mean https: Dataverse and Entra only answer over https.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EnvironmentForm(LengthLimitMixin, forms.ModelForm):
    formfield_callback = _https_url_field
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        initial="UTC",
        help_text=_("Scheduled publishes are entered and shown in this time zone; empty means UTC."),
    )

    class Meta:
        model = Environment
        fields = FIELDS
        labels = {
            "name": _("Name"),
            "kind": _("Label"),
            "org_url": _("Dataverse org URL"),
            "tenant_id": _("Tenant ID"),
            "client_id": _("Client ID"),
            "authority_host": _("Authority host"),
            "ca_bundle": _("CA bundle (PEM)"),
            "time_zone": _("Time zone"),
        }
        help_texts = {
            "kind": _("Shown next to the environment's name, so production is never mistaken for test.")
        }
        widgets = {"ca_bundle": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})}
        error_messages = {
            "org_url": {
                "invalid": _("Enter the org's https:// address, such as https://contoso.crm.dynamics.com.")
            },
            "authority_host": {
                "invalid": _(
                    "Enter the sign-in host's https:// address, such as https://login.microsoftonline.com."
                )
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            (name, name) for name in sorted(zoneinfo.available_timezones())
        ]
        if self.instance.pk:
            self.fields["client_secret"].label = _("Replace secret")
            self.fields["client_secret"].help_text = _(
                "Leave blank to keep the current secret. The stored secret is never shown."
            )
        else:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = _(
                "The value of a client secret of the app registration."
            )
        if self.is_bound and self.data.get("client_secret"):
            # The page is drawn again (an error, or a connection test): a secret is never sent back.
            self.fields["client_secret"].help_text = (
                _(
                    "The secret you typed is not shown again: type it again, or leave it blank to keep the current one."
                )
                if self.instance.pk
                else _("The secret you typed is not shown again, for safety: type it again before you save.")
            )

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or "UTC"

    def clean_org_url(self) -> str:
        value = self.cleaned_data["org_url"].rstrip("/")
        if not value.startswith("https://"):
            raise forms.ValidationError(_("The org URL must start with https://"))
        parts = urlsplit(value)
        if parts.path or parts.query or parts.fragment or parts.username or parts.password:
            raise forms.ValidationError(
                _(
                    "Enter only the org's address, such as https://contoso.crm.dynamics.com, without a path, "
                    "query or user name."
                )
            )
        return value

    def clean_tenant_id(self) -> str:
        value = self.cleaned_data["tenant_id"].strip()
        if not (_is_guid(value) or _TENANT_DOMAIN.match(value)):
            raise forms.ValidationError(
                _(
                    "Enter the directory (tenant) ID from the app registration's Overview page, such as "
                    "72f988bf-86f1-41af-91ab-2d7cd011db47, or one of the tenant's domains, such as "
                    "contoso.onmicrosoft.com."
                )
            )
        return value

    def clean_client_id(self) -> str:
        value = self.cleaned_data["client_id"].strip()
        if not _is_guid(value):
            raise forms.ValidationError(
                _(
                    "Enter the application (client) ID from the app registration's Overview page: 32 hex "
                    "digits in five groups, such as 51f81489-12ee-4a9e-aaae-a2591f45987d."
                )
            )
        return value

    def clean_authority_host(self) -> str:
        value = self.cleaned_data["authority_host"].rstrip("/")
        if urlsplit(value).path or urlsplit(value).query:
            raise forms.ValidationError(
                _("Enter only the sign-in host, such as https://login.microsoftonline.com, without a path.")
            )
        if not value.startswith("https://"):
            raise forms.ValidationError(_("The authority host must start with https://"))
        if not authority_host_allowed(value, production=settings.PRODUCTION):
            raise forms.ValidationError(
                _(
                    "Use a Microsoft Entra sign-in host, such as https://login.microsoftonline.com, "
                    "https://login.microsoftonline.us or https://login.partner.microsoftonline.cn: the "
                    "client secret is sent to this host."
                )
                if settings.PRODUCTION
                else _(
                    "Use a Microsoft Entra sign-in host, such as https://login.microsoftonline.com, or the "
                    "local emulator on a loopback address: the client secret is sent to this host."
                )
            )
        return value

    def clean_ca_bundle(self) -> str:
        # Browsers post a textarea's lines with CRLF; the stored bundle has LF. Same certificates, same bundle.
        value = self.cleaned_data.get("ca_bundle", "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if value and "-----BEGIN CERTIFICATE-----" not in value:
            raise forms.ValidationError(
                _("Paste one or more PEM certificates (-----BEGIN CERTIFICATE-----).")
            )
        return value + "\n" if value else ""

    def model_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS}


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=list(ROLE_LABELS.items()),
        initial="agent",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
