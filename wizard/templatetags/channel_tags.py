"""The "New channel" button: one click starts a draft from any page."""

from __future__ import annotations

import uuid
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("wizard/partials/new_channel_button.html", takes_context=True)
def new_channel_button(context: Any, css: str = "btn btn-primary") -> dict[str, Any]:
    """A form posting to ``wizard:new`` with a fresh creation token, so a double click starts one draft."""
    return {"token": uuid.uuid4(), "css": css, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def creation_token() -> str:
    """A fresh token for a form that creates a channel ("Duplicate"), so a double click makes one copy."""
    return str(uuid.uuid4())
