"""Forms of roll back and scheduled publish: they own the validation of what the user typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from publishing.services.rollback import MAX_REASON


class RollbackForm(forms.Form):
    number = forms.IntegerField(min_value=1, max_value=2_000_000_000, widget=forms.HiddenInput)
    skip_review = forms.BooleanField(required=False, label=_("Skip review (administrators only)"))
    reason = forms.CharField(
        label=_("Reason for skipping review"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("skip_review") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Write why the review is skipped."))
        return data


class ScheduleForm(forms.Form):
    """The time is typed in the environment's time zone: the view validates it with that zone active."""

    run_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
