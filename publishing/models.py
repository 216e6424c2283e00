"""What the portal knows of a channel in one environment beyond its publish attempts."""

from __future__ import annotations

from django.conf import settings
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


class BindingChoice(models.Model):
    """The binding map of one pair of environments: which row of the target a value of the source names,
    as the publisher picked it when the name alone did not tell (see :mod:`publishing.services.promote`)."""

    source = models.ForeignKey("portal.Environment", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("portal.Environment", on_delete=models.CASCADE, related_name="+")
    slot = models.CharField(max_length=40)
    source_value = models.CharField(max_length=200)
    row_id = models.CharField(max_length=36)
    row_name = models.CharField(max_length=200, blank=True)
    chosen_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "slot", "source_value"], name="one_choice_per_binding_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} {self.source_value} → {self.row_id}"


class Rollback(models.Model):
    """A new revision that holds an earlier published revision's content again.

    It goes through review like any other, unless an administrator skipped the review with a written
    reason (``review_skipped``), which the channel page shows."""

    channel = models.ForeignKey("wizard.Channel", on_delete=models.CASCADE, related_name="rollbacks")
    source = models.ForeignKey("wizard.Revision", on_delete=models.CASCADE, related_name="+")
    revision = models.OneToOneField("wizard.Revision", on_delete=models.CASCADE, related_name="rollback")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    review_skipped = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel_id}: r{self.source_id} again as r{self.revision_id}"


class ScheduledPublish(models.Model):
    """An approved revision to publish at a set time (stored in UTC); any edit of the channel cancels it."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        STARTED = "started", _("Started")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(
        "wizard.Channel", on_delete=models.CASCADE, related_name="scheduled_publishes"
    )
    revision = models.ForeignKey("wizard.Revision", on_delete=models.CASCADE, related_name="+")
    environment = models.ForeignKey("portal.Environment", on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(_("publish at"))
    # The channel's version when it was scheduled: any edit moves it on and cancels the schedule.
    channel_version = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    attempt = models.ForeignKey(
        "wizard.PublishAttempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(state="scheduled"),
                name="one_scheduled_publish_per_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} at {self.run_at:%Y-%m-%d %H:%M}"
