"""The audit log's filters and paging parameters, validated: a bad value is a 400 with a message."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds
CHANNEL_ID_ERROR = _("No channel has that id; channel ids are whole numbers from 1 up to 19 digits.")
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)  # the day after it must still be a date


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=60)
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    channel = forms.IntegerField(
        label=_("Channel id"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": CHANNEL_ID_ERROR,
            "min_value": CHANNEL_ID_ERROR,
            "max_value": CHANNEL_ID_ERROR,
        },
    )
    date_from = forms.DateField(label=_("From date"), required=False)
    date_to = forms.DateField(label=_("To date"), required=False)
    before = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_ID)
    after = forms.IntegerField(label=_("Page"), required=False, min_value=0, max_value=MAX_ID)

    def _day(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._day("date_from")

    def clean_date_to(self) -> date | None:
        return self._day("date_to")

    def refuse_unknown_action(self, known: set[str]) -> bool:
        """Mark the action as an error when no entry has it (``known``: the actions the log holds)."""
        action = self.filters()["action"]
        if action and action not in known:
            self.add_error("action", _("No entry has this action; choose one from the list."))
            return True
        return False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first is not None and last is not None and first > last:
            self.add_error("date_to", _("The to date is before the from date; nothing could match."))
        return data

    def problem(self) -> str:
        """All errors in one sentence for the page ("" when the parameters are valid)."""
        parts = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            parts.append(f"{label}: {' '.join(str(e) for e in errors)}")
        return "; ".join(parts)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "action": (data.get("action") or "").strip(),
            "actor": (data.get("actor") or "").strip(),
            "channel": data.get("channel"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
