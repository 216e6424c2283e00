"""The last choice lists read successfully from each environment (the wizard's offline copy)."""

from __future__ import annotations

from django.db import models


class ChoiceSnapshot(models.Model):
    environment = models.ForeignKey("portal.Environment", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    options = models.JSONField(default=list)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["environment", "kind"], name="one_choice_snapshot_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.environment_id}:{self.kind}"
