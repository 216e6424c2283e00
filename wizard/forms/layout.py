"""Crispy layout object that places a repeating row group inside a step's layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crispy_forms.layout import Div, Field, LayoutObject

from wizard.options import IDENTIFICATION_QUESTIONS, IDENTIFICATION_SHORTCUTS


class Rows(LayoutObject):
    """A row set of the step form, drawn by :func:`wizard.forms.rendering.render_rows`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: list[Any] = []

    def render(self, form: Any, context: Any, template_pack: Any = None, **kwargs: Any) -> str:
        from wizard.forms.rendering import render_rows

        row_set = next(row_set for row_set in form.row_sets if row_set.name == self.name)
        flat = context.flatten() if hasattr(context, "flatten") else dict(context)
        formset = form.rows[self.name]
        shortcuts = identification_shortcuts(formset) if self.name == "questions" else []
        return render_rows(
            row_set,
            formset,
            can_edit=flat.get("can_edit", True),
            identification=shortcuts,
            too_many=form.too_many_rows.get(self.name, ""),
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

    The browser hides them with a few lines of JS (``data-show-when``); the reader of a draft's values
    (``wizard.values``) uses the same conditions, so a hidden setting is neither summarised, diffed nor
    published.
    """

    def __init__(self, condition: str, *fields: Any) -> None:
        super().__init__(*fields, data_show_when=condition)
        self.condition = condition


class DisabledBy(Div):
    """Fields the page disables while the named cross-step rule ``rule`` holds (see
    ``wizard.forms.rules``): the form renders them disabled and ignores what is posted for them, the
    drafts service stores them off, and the reader reads them as off."""

    def __init__(self, rule: str, *fields: Any) -> None:
        super().__init__(*fields, data_disabled_by=rule)
        self.rule = rule


def is_on(value: Any) -> bool:
    """The one rule for "on": a cleaned value that is set (True, a non-empty text or choice, a number
    other than 0). Raw strings are read through the form's fields first, so "false" never gets here."""
    return value not in (None, "", False, 0) and value != []


def condition_holds(condition: str, values: Mapping[str, Any]) -> bool:
    """Whether ``condition`` (``"toggle"`` or ``"field=value"``) holds for a step's cleaned values."""
    name, _, expected = condition.partition("=")
    value = values.get(name)
    if expected:
        return value is not None and str(value) == expected
    return is_on(value)


def _names(item: Any) -> list[str]:
    if isinstance(item, str):
        return [item]
    if isinstance(item, Rows):
        return [item.name]
    if isinstance(item, Field):
        return [name for name in item.fields if isinstance(name, str)]
    return []


def field_conditions(layout: Any, inherited: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Map every field name (and Rows name) in ``layout`` to the conditions that must all hold for it."""
    found: dict[str, tuple[str, ...]] = {}
    for item in getattr(layout, "fields", []):
        names = _names(item)
        if names:
            found.update(dict.fromkeys(names, inherited))
        else:
            conditions = inherited + ((item.condition,) if isinstance(item, ShowWhen) else ())
            found.update(field_conditions(item, conditions))
    return found


def names_in(item: Any) -> list[str]:
    """The fields and row sets a layout item draws, in layout order."""
    return _names(item) or list(field_conditions(item))


def disabled_fields(layout: Any) -> dict[str, str]:
    """Map every field inside a :class:`DisabledBy` of ``layout`` to the rule that disables it."""
    found: dict[str, str] = {}
    for item in getattr(layout, "fields", []):
        if isinstance(item, DisabledBy):
            for inner in item.fields:
                for name in _names(inner):
                    found[name] = item.rule
        found.update(disabled_fields(item))
    return found
