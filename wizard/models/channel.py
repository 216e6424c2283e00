"""A chat channel and its working draft."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wizard.models.states import Action, ChannelStatus, allowed


class Channel(models.Model):
    """The draft holds the wizard data as JSON, one object per step slug.

    ``version`` grows by one on every save; a save names the version it started from, so a save made
    from a stale page is refused instead of overwriting someone else's work.
    """

    name = models.CharField(_("name"), max_length=100, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.DRAFT, db_index=True
    )
    data = models.JSONField(_("wizard data"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    current_step = models.CharField(_("current step"), max_length=30, default="details")
    visited_steps = models.JSONField(default=list, blank=True)
    # Steps saved at least once: only those show their validation errors when opened.
    saved_steps = models.JSONField(default=list, blank=True)
    # The last check of each step's values, written by the save that checked them, so that every
    # worker process finds it: {"<step slug>": {"key": drafts.step_key, "valid", "no_errors",
    # "problems": [[label, message], ...]}}. Owned by wizard.services.drafts.
    step_checks = models.JSONField(default=dict, blank=True)
    environment = models.ForeignKey(
        "portal.Environment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("environment"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_channels",
        verbose_name=_("owner"),
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last editor"),
    )
    # Users who changed the draft since the last submitted revision (four-eyes rule).
    editor_ids = models.JSONField(default=list, blank=True)
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    published_revision = models.ForeignKey(
        "wizard.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change, a review or publish included (the lists' order); edited_at is when last_editor last
    # changed the values, which the pages show beside that name.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    edited_at = models.DateTimeField(_("last edited"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("review_channel", _("Can approve or request changes to a channel revision")),
            ("publish_channel", _("Can publish an approved channel revision")),
        ]

    # The status as a list shows it (``publishing.services.live.status_text``), set where a list knows
    # which revision is live; a page that doesn't know shows the workflow status alone.
    status_text = ""

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("wizard:channel", args=[self.pk])

    def get_status_display(self) -> str:  # type: ignore[no-redef]
        """The status's label. Django's own builds a lookup of every choice on each call; a step page
        asks on every save."""
        try:
            return str(ChannelStatus(self.status).label)
        except ValueError:
            return str(self.status)

    @property
    def display_name(self) -> str:
        return self.name or str(_("Untitled channel"))

    def step_data(self, slug: str) -> dict[str, Any]:
        value = self.data.get(slug)
        return value if isinstance(value, dict) else {}

    @property
    def status_in_sentence(self) -> str:
        """The status as it reads inside a sentence ("… this channel is in review")."""
        return str(self.get_status_display()).lower()

    @property
    def resume_url(self) -> str:
        return reverse("wizard:step", args=[self.pk, self.current_step])

    @property
    def is_editable(self) -> bool:
        return allowed(Action.EDIT, self.status)
