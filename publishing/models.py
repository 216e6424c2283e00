"""What the portal knows of a channel in one environment beyond its publish attempts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnvironmentLink(models.Model):
    """A channel's rows in one environment: the ids it took over on import with the values it keeps
    (``binding``, see :mod:`publishing.mapping.binding`), and the last drift check."""

    channel = models.ForeignKey("wizard.Channel", on_delete=models.CASCADE, related_name="environment_links")
    environment = models.ForeignKey("portal.Environment", on_delete=models.PROTECT, related_name="+")
    # The org's widget id for an imported channel: one channel per widget and environment, even when two
    # imports of the same widget run at once.
    widget_id = models.CharField(max_length=36, blank=True)
    binding = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # The last drift check: the fields that differ between the revision live there and the org, with
    # their three values ({"fields": [...], "revision": n}); empty when nothing drifted.
    drift = models.JSONField(default=dict, blank=True)
    drift_checked_at = models.DateTimeField(_("drift checked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "environment"], name="one_link_per_channel_environment"
            ),
            models.UniqueConstraint(
                fields=["environment", "widget_id"],
                condition=~models.Q(widget_id=""),
                name="one_channel_per_imported_widget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} in {self.environment_id}"

    @property
    def drifted(self) -> bool:
        return bool((self.drift or {}).get("fields"))
