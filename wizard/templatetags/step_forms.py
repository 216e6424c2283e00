"""``{% step_form form %}`` and ``{{ field|step_field }}``: the plain renderer of wizard/forms/rendering.py."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from wizard.forms.rendering import render_field, render_form

register = template.Library()


@register.simple_tag(takes_context=True)
def step_form(context: template.Context, form: Any) -> SafeString:
    return render_form(form, {"can_edit": context.get("can_edit", True)})


@register.filter
def step_field(field: BoundField) -> SafeString:
    return render_field(field)
