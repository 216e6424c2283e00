"""System checks of the wizard's declarative parts, run by ``manage.py check`` (and the test suite).

- ``wizard.E001``: every field of every step form is mapped exactly once: in ``WIDGET_FIELDS`` (it lands
  in widget columns) or in ``HANDLED_FIELDS`` (another row or lookup, or deliberately not written, with
  the reason).
- ``wizard.E002``: a mapping column with a condition of its own that differs from the layout's says why.
- ``wizard.E003``: the mapping names only fields the step forms have.
- ``wizard.E004``: a row set's ``enabled_by`` (what its validation follows) is the layout's condition.
- ``wizard.E005``: a ``DisabledBy`` names a known cross-step rule and fields of its form.
- ``wizard.E006``: every field and row set of a step form is placed in the step's layout.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from wizard.forms.rules import RULES
from wizard.steps import FORM_STEPS


def _names(form_class: Any) -> set[str]:
    return set(form_class.base_fields) | {row_set.name for row_set in form_class.row_sets}


@register("wizard")
def check_mapping(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from publishing.mapping import HANDLED_FIELDS, WIDGET_FIELDS

    errors: list[Error] = []
    for step in FORM_STEPS:
        assert step.form_class is not None
        names = _names(step.form_class)
        columns = [entry for entry in WIDGET_FIELDS.get(step.slug, ())]
        mapped = {entry.field for entry in columns}
        handled = set(HANDLED_FIELDS.get(step.slug, {}))
        conditions = step.form_class.shown_when()
        for name in sorted(names):
            count = (name in mapped) + (name in handled)
            if count != 1:
                errors.append(
                    Error(
                        f"The field {step.slug}.{name} is mapped {count} times.",
                        hint="Add it to WIDGET_FIELDS or to HANDLED_FIELDS (with the reason) in publishing.mapping, "
                        "in exactly one of them.",
                        id="wizard.E001",
                    )
                )
        for name in sorted((mapped | handled) - names):
            errors.append(
                Error(
                    f"The mapping names {step.slug}.{name}, which the step form does not have.",
                    hint="Remove it from publishing.mapping or add the field to the form.",
                    id="wizard.E003",
                )
            )
        for entry in columns:
            layout = conditions.get(entry.field, ())
            if entry.when is not None and (entry.when,) != layout and not entry.why:
                errors.append(
                    Error(
                        f"The column {entry.column} is written when {entry.when!r}, the layout shows "
                        f"{step.slug}.{entry.field} when {' and '.join(layout) or 'always'}.",
                        hint="Drop the condition (the reader applies the layout's), or say why in `why`.",
                        id="wizard.E002",
                    )
                )
    return errors


@register("wizard")
def check_layouts(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    for step in FORM_STEPS:
        form_class = step.form_class
        assert form_class is not None
        conditions = form_class.shown_when()
        for name in sorted(_names(form_class) - set(conditions)):
            errors.append(
                Error(
                    f"The field {step.slug}.{name} is not placed in the step's layout.",
                    hint="Add it to build_layout(), inside the ShowWhen of the setting it depends on.",
                    id="wizard.E006",
                )
            )
        for row_set in form_class.row_sets:
            expected = (row_set.enabled_by,) if row_set.enabled_by else ()
            if conditions.get(row_set.name, ()) != expected:
                errors.append(
                    Error(
                        f"The rows {step.slug}.{row_set.name} are validated when {expected or 'always'}, "
                        f"the layout shows them when {conditions.get(row_set.name, ()) or 'always'}.",
                        hint="Make RowSet.enabled_by the ShowWhen condition around the Rows.",
                        id="wizard.E004",
                    )
                )
        for name, rule in form_class.disabled_fields().items():
            if rule not in RULES or name not in form_class.base_fields:
                errors.append(
                    Error(
                        f"DisabledBy({rule!r}) on {step.slug}.{name}: unknown rule or field.",
                        hint="Name a rule of wizard.forms.rules.RULES and a field of the form.",
                        id="wizard.E005",
                    )
                )
    return errors
