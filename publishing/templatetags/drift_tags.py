"""The drift view: a field's value (lists of rows, yes/no, empty as a dash; escaped by Django), and the
reason form shown again as typed when it was refused."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from publishing import refused
from publishing.forms import DriftReasonForm

register = template.Library()


@register.filter
def drift_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(drift_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(drift_value(item) for item in value.values() if item not in (None, "", False))
    return str(value)


@register.simple_tag(takes_context=True)
def drift_reason_form(context: template.Context, channel: Any) -> DriftReasonForm:
    """``{% drift_reason_form channel as form %}``: the form refused last, as typed, or an empty one."""
    request = context.get("request")
    kept = refused.take(request, "drift", channel.pk) if request is not None else None
    if kept is None:
        return DriftReasonForm()
    form = DriftReasonForm(kept)
    form.is_valid()
    return form


@register.filter
def kept_choice(form: DriftReasonForm, key: str) -> str:
    """The choice (keep live or overwrite) posted for the field ``key`` with a refused reason."""
    return form.choices.get(key, "")
