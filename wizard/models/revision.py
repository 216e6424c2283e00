"""Frozen, immutable snapshots of a channel that review, approval and publishing refer to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Revision(models.Model):
    class State(models.TextChoices):
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")
        PUBLISHED = "published", _("Published")

    channel = models.ForeignKey("wizard.Channel", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    data = models.JSONField(_("snapshot"))
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IN_REVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Everyone who edited the draft that this revision froze; none of them may approve it.
    editor_ids = models.JSONField(default=list, blank=True)
    submit_comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    approved_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} r{self.number}"


class ReviewComment(models.Model):
    """A reviewer's comment anchored to one wizard step of a revision."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="comments")
    step = models.CharField(_("step"), max_length=30, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
