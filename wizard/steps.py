"""The one registry of wizard steps.

URLs, the step navigation and progress, the review summary, the revision diff and the Dataverse
mapping all walk this list; adding a field means adding it to its step's form and to the mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceProvider
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
FORM_STEP_SLUGS = tuple(step.slug for step in FORM_STEPS)
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

    @property
    def is_rows(self) -> bool:
        return False


@dataclass(frozen=True)
class RowsEntry:
    step: Step
    row_set: RowSet
    rows: list[dict[str, Any]]
    displays: list[str]
    applies: bool = True
    label: str = ""  # the row set's label in the active language

    @property
    def is_rows(self) -> bool:
        return True


_ON_VALUES = (True, "on", "true", "True", "1")


# Labels, choice labels and layout conditions depend only on the form class and the language, so they
# are read once per class and language rather than from a fresh form on every page. A choice field
# declared without choices gets them from the provider in ``setup_choices`` (the environment's lists
# can change at any time), so its labels come from a form built for the request, and only when a
# value needs one.


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    boolean: bool
    choice: bool
    provider: bool  # a choice field whose choices the provider fills in
    choice_labels: dict[str, str]  # by str(key), first match wins; empty unless a choice field


@dataclass(frozen=True)
class RowSetInfo:
    row_set: RowSet
    label: str
    fields: tuple[FieldInfo, ...]


@dataclass(frozen=True)
class StepInfo:
    fields: tuple[FieldInfo, ...]
    row_sets: tuple[RowSetInfo, ...]
    conditions: dict[str, tuple[str, ...]]


_CacheKey = tuple[object, str | None]
_step_infos: dict[_CacheKey, StepInfo] = {}
_row_set_infos: dict[_CacheKey, RowSetInfo] = {}
_on_off_labels: dict[str | None, tuple[str, str]] = {}


def _on_off() -> tuple[str, str]:
    language = get_language()
    if language not in _on_off_labels:
        _on_off_labels[language] = (str(_("On")), str(_("Off")))
    return _on_off_labels[language]


def _field_info(name: str, form_field: forms.Field) -> FieldInfo:
    labels: dict[str, str] = {}
    choice = isinstance(form_field, forms.ChoiceField)
    if choice:
        for key, label in form_field.choices:  # type: ignore[attr-defined]
            labels.setdefault(str(key), str(label))
    boolean = isinstance(form_field, forms.BooleanField)
    return FieldInfo(name, str(form_field.label), boolean, choice, choice and not labels, labels)


def _row_set_info(row_set: RowSet) -> RowSetInfo:
    key = (row_set, get_language())
    if key not in _row_set_infos:
        fields = tuple(_field_info(name, f) for name, f in row_set.form_class.base_fields.items())
        _row_set_infos[key] = RowSetInfo(row_set, str(row_set.label), fields)
    return _row_set_infos[key]


def step_info(form_class: type[StepForm]) -> StepInfo:
    """Labels, choice labels and show-when conditions of ``form_class`` in the active language."""
    key = (form_class, get_language())
    if key not in _step_infos:
        _step_infos[key] = StepInfo(
            tuple(_field_info(name, f) for name, f in form_class.base_fields.items()),
            tuple(_row_set_info(row_set) for row_set in form_class.row_sets),
            field_conditions(form_class.build_layout()),
        )
    return _step_infos[key]


class StepForms:
    """Unbound step forms for one choice provider, built on first use and shared between several
    ``iter_entries`` calls."""

    def __init__(self, choices: ChoiceProvider) -> None:
        self.choices = choices
        self._forms: dict[type[StepForm], StepForm] = {}

    def get(self, form_class: type[StepForm]) -> StepForm:
        if form_class not in self._forms:
            self._forms[form_class] = form_class(choices=self.choices)
        return self._forms[form_class]


def _display(
    info: FieldInfo, value: Any, on_off: tuple[str, str], form: Callable[[], StepForm] | None = None
) -> str:
    if info.boolean:
        return on_off[0] if value in _ON_VALUES else on_off[1]
    if value in (None, ""):
        return "—"
    if info.provider and form is not None:
        return _provider_label(form().fields[info.name], value)
    if info.choice:
        label = info.choice_labels.get(str(value))
        if label is not None:
            return label
    return str(value)


def _provider_label(form_field: forms.Field, value: Any) -> str:
    """The label of ``value`` among the choices the provider gave the request's form."""
    for key, label in form_field.choices:  # type: ignore[attr-defined]
        if str(key) == str(value):
            return str(label)
    return str(value)


def _describe_row(info: RowSetInfo, row: dict[str, Any], on_off: tuple[str, str]) -> str:
    parts = []
    for field_info in info.fields:
        value = row.get(field_info.name)
        if value in (None, "", False) and not field_info.boolean:
            continue
        parts.append(f"{field_info.label}: {_display(field_info, value, on_off)}")
    return "; ".join(parts)


def iter_entries(
    data: dict[str, Any], choices: ChoiceProvider, *, forms: StepForms | None = None
) -> Iterator[FieldEntry | RowsEntry]:
    """Every field and row list of every step, with labels and display values, in wizard order."""
    if forms is None:
        forms = StepForms(choices)
    on_off = _on_off()
    for step in FORM_STEPS:
        assert step.form_class is not None
        info = step_info(step.form_class)
        form = partial(forms.get, step.form_class)
        values = data.get(step.slug) or {}
        conditions = info.conditions
        for field_info in info.fields:
            name = field_info.name
            value = values.get(name, "")
            yield FieldEntry(
                step,
                name,
                field_info.label,
                value,
                _display(field_info, value, on_off, form),
                _applies(conditions, name, values),
            )
        for row_info in info.row_sets:
            row_set = row_info.row_set
            rows = [row for row in values.get(row_set.name) or [] if isinstance(row, dict)]
            yield RowsEntry(
                step,
                row_set,
                rows,
                [_describe_row(row_info, row, on_off) for row in rows],
                _applies(conditions, row_set.name, values),
                row_info.label,
            )


def _applies(conditions: dict[str, tuple[str, ...]], name: str, values: dict[str, Any]) -> bool:
    found = conditions.get(name)
    return not found or all(condition_holds(condition, values) for condition in found)
