"""Forms of roll back, scheduled publish and the drift choice: they own the validation of what the user typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.lengths import LengthLimitMixin
from publishing.services import drift
from publishing.services.rollback import MAX_REASON


class RollbackForm(LengthLimitMixin, forms.Form):
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
        if data.get("skip_review") and not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", _("Write why the review is skipped."))
        return data


class DriftReasonForm(LengthLimitMixin, forms.Form):
    """The reason for overwriting drifted values; the service checks that one is given when it is needed.

    ``choices`` are the choices per field (``choice-<key>``) posted with it, shown again with it.
    """

    reason = forms.CharField(
        label=_("Reason for overwriting"),
        required=False,
        max_length=drift.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = {
            name.removeprefix("choice-"): str(value)
            for name, value in (self.data or {}).items()
            if name.startswith("choice-")
        }


class ScheduleForm(forms.Form):
    """The time is typed in the environment's time zone: the view validates it with that zone active."""

    run_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
