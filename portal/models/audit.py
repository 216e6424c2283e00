"""Append-only audit log of every state change, publish, role change and sign-in.

Rows never change once written. The references to users, channels, revisions and environments are
kept as plain ids (no database constraint, nothing done on delete): deleting a channel leaves the ids
its entries name, and their hashes, as they were. ``AuditHead`` anchors the chain's end.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, db_index=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    channel = models.ForeignKey(
        "wizard.Channel",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    revision = models.ForeignKey(
        "wizard.Revision",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    environment = models.ForeignKey(
        "portal.Environment",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
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


class AuditHead(models.Model):
    """The chain's anchor: how many entries it holds and the last one's hash, with an HMAC over both.

    One row (id 1), updated in the same transaction as each append. Deleting the newest entries leaves
    the head counting more entries than the table holds, which is how truncation is reported.
    """

    count = models.PositiveBigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.count} entries, last {self.last_id}"
