"""The one registry of wizard steps.

URLs, the step navigation and progress, the review summary, the revision diff and the Dataverse
mapping all walk this list; adding a field means adding it to its step's form and to the mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceList, ChoiceProvider
from wizard.forms import AppearanceForm, BehaviorsForm, DetailsForm, FeaturesForm, StepForm, WorkstreamForm
from wizard.forms.base import RowSet
from wizard.forms.layout import condition_holds, field_conditions


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    form_class: type[StepForm] | None
    template: str

    @property
    def has_form(self) -> bool:
        return self.form_class is not None


STEPS: tuple[Step, ...] = (
    Step("details", _("Channel details"), DetailsForm, "wizard/steps/form_step.html"),
    Step("workstream", _("Workstream"), WorkstreamForm, "wizard/steps/form_step.html"),
    Step("appearance", _("Chat widget"), AppearanceForm, "wizard/steps/form_step.html"),
    Step("behaviors", _("Behaviors"), BehaviorsForm, "wizard/steps/form_step.html"),
    Step("features", _("User features"), FeaturesForm, "wizard/steps/form_step.html"),
    Step("review", _("Review and finish"), None, "wizard/steps/review_step.html"),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
FORM_STEPS = tuple(step for step in STEPS if step.form_class is not None)
_BY_SLUG = {step.slug: step for step in STEPS}


def get_step(slug: str) -> Step:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise Http404(f"No wizard step named {slug!r}.") from None


def step_index(slug: str) -> int:
    return STEP_SLUGS.index(slug)


def next_step(slug: str) -> Step | None:
    index = step_index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(slug: str) -> Step | None:
    index = step_index(slug)
    return STEPS[index - 1] if index > 0 else None


def default_data() -> dict[str, dict[str, Any]]:
    """What a brand-new draft holds: every form step at its initial values."""
    return {step.slug: step.form_class.default_values() for step in FORM_STEPS if step.form_class}


# --- labels and display values, used by the review summary and the diff ------------------------------


@dataclass(frozen=True)
class FieldEntry:
    step: Step
    name: str
    label: str
    value: Any
    display: str
    applies: bool = True  # False when a toggle it depends on is off


@dataclass(frozen=True)
class RowsEntry:
    step: Step
    row_set: RowSet
    rows: list[dict[str, Any]]
    displays: list[str]
    applies: bool = True


def display_value(form_field: forms.Field, value: Any, choices: ChoiceProvider | None = None) -> str:
    if isinstance(form_field, forms.BooleanField):
        return str(_("On")) if value in (True, "on", "true", "True", "1") else str(_("Off"))
    if value in (None, ""):
        return "—"
    if isinstance(form_field, forms.ChoiceField):
        for key, label in form_field.choices:  # type: ignore[union-attr,misc]
            if str(key) == str(value):
                return str(label)
    return str(value)


def describe_row(row_set: RowSet, row: dict[str, Any]) -> str:
    parts = []
    for name, row_field in row_set.form_class.base_fields.items():
        value = row.get(name)
        if value in (None, "", False) and not isinstance(row_field, forms.BooleanField):
            continue
        parts.append(f"{row_field.label}: {display_value(row_field, value)}")
    return "; ".join(parts)


def iter_entries(data: dict[str, Any], choices: ChoiceProvider) -> Iterator[FieldEntry | RowsEntry]:
    """Every field and row list of every step, with labels and display values, in wizard order."""
    for step in FORM_STEPS:
        assert step.form_class is not None
        form = step.form_class(choices=choices)
        values = data.get(step.slug) or {}
        conditions = field_conditions(form.helper.layout)

        for name, form_field in form.fields.items():
            value = values.get(name, "")
            yield FieldEntry(
                step,
                name,
                str(form_field.label),
                value,
                display_value(form_field, value),
                _applies(conditions, name, values),
            )
        for row_set in step.form_class.row_sets:
            rows = [row for row in values.get(row_set.name) or [] if isinstance(row, dict)]
            yield RowsEntry(
                step,
                row_set,
                rows,
                [describe_row(row_set, row) for row in rows],
                _applies(conditions, row_set.name, values),
            )


def _applies(conditions: dict[str, tuple[str, ...]], name: str, values: dict[str, Any]) -> bool:
    return all(condition_holds(condition, values) for condition in conditions.get(name, ()))


def choice_label(choice_list: ChoiceList, value: str) -> str:
    return choice_list.label_for(value)
