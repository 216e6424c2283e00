"""Crispy layout object that places a repeating row group inside a step's layout."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Div, Field, LayoutObject
from django.template.loader import render_to_string

from wizard.options import IDENTIFICATION_QUESTIONS, IDENTIFICATION_SHORTCUTS


class Rows(LayoutObject):
    template = "wizard/partials/rows.html"

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: list[Any] = []

    def render(self, form: Any, context: Any, template_pack: Any = None, **kwargs: Any) -> str:
        row_set = next(row_set for row_set in form.row_sets if row_set.name == self.name)
        flat = context.flatten() if hasattr(context, "flatten") else dict(context)
        formset = form.rows[self.name]
        return render_to_string(
            self.template,
            {
                "row_set": row_set,
                "formset": formset,
                "can_edit": flat.get("can_edit", True),
                "identification": identification_shortcuts(formset) if self.name == "questions" else [],
            },
        )


def identification_shortcuts(formset: Any) -> list[dict[str, Any]]:
    """The one-click questions that identify the customer, each marked ``present`` when a row already
    has its name (the page then hides its button)."""
    names = {str(row["name"].value() or "").strip().lower() for row in formset.forms}
    return [
        {
            "name": name,
            "label": label,
            "text": IDENTIFICATION_QUESTIONS[name],
            "present": name.lower() in names,
        }
        for name, label in IDENTIFICATION_SHORTCUTS
    ]


class ShowWhen(Div):
    """Fields shown only while ``condition`` holds: ``"toggle"`` (a checkbox is on) or ``"field=value"``.

    The browser hides them with a few lines of JS (``data-show-when``); the review summary and the
    diff use the same conditions to leave out settings that don't apply.
    """

    def __init__(self, condition: str, *fields: Any) -> None:
        super().__init__(*fields, data_show_when=condition)
        self.condition = condition


def condition_holds(condition: str, values: dict[str, Any]) -> bool:
    name, _, expected = condition.partition("=")
    value = values.get(name)
    if expected:
        return str(value) == expected
    return value not in (None, "", False, "off", "false", "False")


def field_conditions(layout: Any, inherited: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Map every field name (and Rows name) in ``layout`` to the conditions that must all hold for it."""
    found: dict[str, tuple[str, ...]] = {}
    for item in getattr(layout, "fields", []):
        if isinstance(item, str):
            found[item] = inherited
        elif isinstance(item, Rows):
            found[item.name] = inherited
        elif isinstance(item, Field):
            for name in item.fields:
                if isinstance(name, str):
                    found[name] = inherited
        else:
            conditions = inherited + ((item.condition,) if isinstance(item, ShowWhen) else ())
            found.update(field_conditions(item, conditions))
    return found
