"""Row actions on repeating groups: add, remove, move, and the one-click identification questions.

They act on the values as typed, before saving, so they work the same with and without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms

from wizard.forms import StepForm
from wizard.forms.base import RowSet
from wizard.options import ANSWER_SINGLE_LINE, IDENTIFICATION_QUESTIONS


def apply_row_action(form_class: type[StepForm], values: dict[str, Any], action: str) -> dict[str, Any]:
    """Apply ``action`` ("add:domains", "remove:domains:2", "up:questions:1", "down:questions:0",
    "identify:Email") to ``values`` and return them. Unknown or malformed actions change nothing."""
    parts = action.split(":")
    names = {row_set.name: row_set for row_set in form_class.row_sets}
    verb = parts[0]
    if (
        verb == "identify"
        and len(parts) == 2
        and parts[1] in IDENTIFICATION_QUESTIONS
        and "questions" in names
    ):
        rows = list(values.get("questions") or [])
        wanted = parts[1].lower()
        if not any(
            isinstance(row, dict) and str(row.get("name", "")).strip().lower() == wanted for row in rows
        ):
            rows.append(
                {
                    "name": parts[1],
                    "text": str(IDENTIFICATION_QUESTIONS[parts[1]]),
                    "answer_type": ANSWER_SINGLE_LINE,
                    "options": "",
                    "required": True,
                }
            )
        values["questions"] = rows
        values["prechat_enabled"] = True
        return values
    if len(parts) < 2 or parts[1] not in names:
        return values
    row_set = names[parts[1]]
    rows = list(values.get(row_set.name) or [])
    if verb == "add":
        rows.append(blank_row(row_set))
        if row_set.enabled_by:
            values[row_set.enabled_by] = True
    elif len(parts) == 3 and parts[2].isdigit():
        index = int(parts[2])
        if 0 <= index < len(rows):
            if verb == "remove":
                rows.pop(index)
            elif not row_set.ordered:
                pass  # the order of its rows means nothing: nothing to move
            elif verb == "up" and index > 0:
                rows[index - 1], rows[index] = rows[index], rows[index - 1]
            elif verb == "down" and index + 1 < len(rows):
                rows[index + 1], rows[index] = rows[index], rows[index + 1]
    values[row_set.name] = rows
    return values


def blank_row(row_set: RowSet) -> dict[str, Any]:
    """A new row as the page shows it before anything is typed: each field's initial value, a choice
    field without one at its first option (what its select shows), checkboxes as their initial."""
    row: dict[str, Any] = {}
    for name, row_field in row_set.form_class.base_fields.items():
        initial = row_field.initial
        if isinstance(row_field, forms.BooleanField):
            row[name] = bool(initial)
        elif initial is not None:
            row[name] = str(initial)
        elif isinstance(row_field, forms.ChoiceField) and (choices := _choices(row_field)):
            row[name] = str(choices[0][0])
        else:
            row[name] = ""
    return row


def _choices(choice_field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    return list(choice_field.choices)  # type: ignore[arg-type]
