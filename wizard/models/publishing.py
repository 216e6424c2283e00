"""One attempt to write an approved revision to a Dataverse environment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishAttempt(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey("wizard.Channel", on_delete=models.CASCADE, related_name="publish_attempts")
    revision = models.ForeignKey("wizard.Revision", on_delete=models.PROTECT, related_name="publish_attempts")
    environment = models.ForeignKey("portal.Environment", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    retries = models.PositiveIntegerField(default=0)
    progress = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)
    failed_operation = models.CharField(max_length=200, blank=True)
    widget_app_id = models.CharField(max_length=100, blank=True)
    widget_snippet = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A queued or running attempt holds the channel until this moment; the worker moves it forward as
    # it makes progress. Past it, the attempt is taken as interrupted and marked failed.
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one queued or running publish per channel: a second click cannot start another.
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_publish_per_channel",
            )
        ]
