"""Crispy layout object that places a repeating row group inside a step's layout."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import LayoutObject
from django.template.loader import render_to_string


class Rows(LayoutObject):
    template = "wizard/partials/rows.html"

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: list[Any] = []

    def render(self, form: Any, context: Any, template_pack: Any = None, **kwargs: Any) -> str:
        row_set = next(row_set for row_set in form.row_sets if row_set.name == self.name)
        flat = context.flatten() if hasattr(context, "flatten") else dict(context)
        return render_to_string(
            self.template,
            {
                "row_set": row_set,
                "formset": form.rows[self.name],
                "can_edit": flat.get("can_edit", True),
                "identification": self.name == "questions",
            },
        )
