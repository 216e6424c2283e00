"""Append-only audit log of every state change, publish and role change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, db_index=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    channel = models.ForeignKey(
        "wizard.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    revision = models.ForeignKey(
        "wizard.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    environment = models.ForeignKey(
        "portal.Environment", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    content_hash = models.CharField(_("revision hash"), max_length=64, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("audit entries")
        permissions = [("view_audit_log", _("Can view and export the audit log"))]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
