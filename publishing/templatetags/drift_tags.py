"""Showing a field's value in the drift view: lists of rows, yes/no, empty as a dash (escaped by Django)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

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
