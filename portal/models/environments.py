"""Dataverse environments the portal reads choices from and publishes to."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, for example Europe/Berlin."))


class Environment(models.Model):
    class Kind(models.TextChoices):
        PRODUCTION = "production", _("Production")
        TEST = "test", _("Test")
        DEVELOPMENT = "development", _("Development")
        EMULATOR = "emulator", _("Local emulator")

    name = models.CharField(_("name"), max_length=100, unique=True)
    org_url = models.URLField(
        _("Dataverse org URL"), max_length=200, help_text=_("For example https://contoso.crm.dynamics.com")
    )
    tenant_id = models.CharField(_("tenant ID"), max_length=64)
    client_id = models.CharField(_("client ID"), max_length=64)
    # Fernet-encrypted; see portal.secrets. Never rendered.
    client_secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True, editable=False)
    authority_host = models.URLField(
        _("authority host"),
        max_length=200,
        default="https://login.microsoftonline.com",
        help_text=_(
            "The Microsoft Entra sign-in host. Change it only for a sovereign cloud or the local emulator."
        ),
    )
    ca_bundle = models.TextField(
        _("CA bundle (PEM)"),
        blank=True,
        help_text=_("Only for environments behind a private certificate authority."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEST)
    # Where the environment's team works: scheduled publishes are entered and shown in this zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        default="UTC",
        blank=True,
        help_text=_("Scheduled publishes are entered and shown in this time zone; empty means UTC."),
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_environments", _("Can manage environments")),
            ("manage_security_roles", _("Can assign Omnichannel security roles")),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def offered(cls) -> list[tuple[int, str]]:
        """The environments a channel may be published to (not archived), as ``(pk, name)`` by name."""
        return list(cls.objects.filter(archived=False).values_list("pk", "name"))

    @property
    def uses_microsoft_authority(self) -> bool:
        return self.authority_host.rstrip("/").endswith("login.microsoftonline.com")
