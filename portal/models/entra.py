"""Links a portal user to the Microsoft Entra ID person who signs in as them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntraIdentity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="entra_identity",
        verbose_name=_("user"),
    )
    oid = models.CharField(_("object ID"), max_length=64, unique=True)
    tenant_id = models.CharField(_("tenant ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Microsoft Entra identity")
        verbose_name_plural = _("Microsoft Entra identities")

    def __str__(self) -> str:
        return f"{self.user} ({self.oid})"
