"""The review summary and the diff's entries: every field of every step with its label and the value
in effect, read through :mod:`wizard.values`.

Labels, choice labels and layout conditions depend only on the form class and the language, so they
are read once per class and language rather than from a fresh form on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceProvider
from wizard.forms import StepContext, StepForm
from wizard.forms.base import RowSet
from wizard.forms.layout import is_on
from wizard.steps import FORM_STEPS, Step
from wizard.values import DraftValues, read

EMPTY = "—"  # how an empty value reads in the summary and the comparison
NOT_IN_LISTS = _("Chosen before, no longer in the environment's lists")
# A row's text its field refuses, as the review shows it (kept on the step, never a value).
NOT_ACCEPTED = _("not accepted yet: “%(typed)s”")
REFUSED_SHOWN = 120  # characters of refused text the review shows


@dataclass(frozen=True)
class FieldEntry:
    step: Step
    name: str
    label: str
    value: Any
    display: str
    applies: bool = True  # False when a toggle it depends on is off
    # What the author typed that the field refuses, shortened: kept on the step, never a value.
    refused: str = ""

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
    # Each field's and row set's place on the step's page: the summary lists them in that order, so a
    # list of rows follows the toggle that turns it on.
    places: dict[str, int]


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
    """Labels and choice labels of ``form_class`` in the active language."""
    key = (form_class, get_language())
    if key not in _step_infos:
        _step_infos[key] = StepInfo(
            tuple(_field_info(name, f) for name, f in form_class.base_fields.items()),
            tuple(_row_set_info(row_set) for row_set in form_class.row_sets),
            form_class.places(),
        )
    return _step_infos[key]


class StepForms:
    """Unbound step forms for one choice provider, built on first use and shared between several
    ``iter_entries`` calls; ``environments``: the portal's environments where the caller already read
    them (``Environment.offered()``)."""

    def __init__(self, choices: ChoiceProvider, environments: list[tuple[int, str]] | None = None) -> None:
        self.choices = choices
        self.context = StepContext(environments=environments)
        self._forms: dict[type[StepForm], StepForm] = {}

    def get(self, form_class: type[StepForm]) -> StepForm:
        if form_class not in self._forms:
            self._forms[form_class] = form_class(choices=self.choices, context=self.context)
        return self._forms[form_class]


def _display(
    info: FieldInfo, value: Any, on_off: tuple[str, str], form: Callable[[], StepForm] | None = None
) -> str:
    if info.boolean:
        return on_off[0] if is_on(value) else on_off[1]
    if value in (None, ""):
        return EMPTY
    if info.provider and form is not None:
        return _provider_label(form().fields[info.name], value)
    if info.choice:
        label = info.choice_labels.get(str(value))
        if label is not None:
            return label
    return str(value)


def _provider_label(form_field: forms.Field, value: Any) -> str:
    """The label of ``value`` among the choices the provider gave the request's form; a value the
    lists no longer offer (a Dataverse id, meaningless to a reader) is said to be so."""
    for key, label in form_field.choices:  # type: ignore[attr-defined]
        if str(key) == str(value):
            return str(label)
    return str(NOT_IN_LISTS)


def _describe_row(
    info: RowSetInfo, row: dict[str, Any], on_off: tuple[str, str], stored: Mapping[str, Any]
) -> str:
    """One row as "Label: value; …"; ``stored`` is the row as typed, whose text a field refuses is
    shown as kept rather than left out."""
    parts = []
    for field_info in info.fields:
        value = row.get(field_info.name)
        if value in (None, "", False) and not field_info.boolean:
            typed = stored.get(field_info.name)
            if isinstance(typed, str) and typed.strip():
                parts.append(f"{field_info.label}: {NOT_ACCEPTED % {'typed': _shortened(typed)}}")
            continue
        parts.append(f"{field_info.label}: {_display(field_info, value, on_off)}")
    return "; ".join(parts)


def _shortened(text: str) -> str:
    # Most fields refused nothing; the truncator would look up its ellipsis's translation for each.
    return Truncator(text).chars(REFUSED_SHOWN) if text else ""


def _stored_rows(data: Mapping[str, Any], slug: str, name: str) -> list[Mapping[str, Any]]:
    """The rows of ``name`` as the draft stores them, in the order the reader cleaned them."""
    step = data.get(slug)
    rows = step.get(name) if isinstance(step, Mapping) else None
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def iter_entries(
    data: Mapping[str, Any] | DraftValues,
    choices: ChoiceProvider,
    *,
    forms: StepForms | None = None,
    steps: Iterable[Step] = FORM_STEPS,
) -> Iterator[FieldEntry | RowsEntry]:
    """Every field and row list of every step (or of ``steps``), with labels and display values, in
    wizard order.

    Values come from the reader: cleaned, and empty where a field does not apply (its toggle is off,
    another choice is made, a rule disables it), so a hidden value is neither summarised nor diffed.
    """
    if forms is None:
        forms = StepForms(choices)
    reader = data if isinstance(data, DraftValues) else read(data, choices)
    on_off = _on_off()
    for step in steps:
        assert step.form_class is not None
        info = step_info(step.form_class)
        form = partial(forms.get, step.form_class)
        values = reader[step.slug]
        entries: list[tuple[str, FieldEntry | RowsEntry]] = []
        for field_info in info.fields:
            name = field_info.name
            value = values[name]
            field_entry = FieldEntry(
                step,
                name,
                field_info.label,
                value,
                _display(field_info, value, on_off, form),
                values.applies(name),
                _shortened(values.refused(name)),
            )
            entries.append((name, field_entry))
        for row_info in info.row_sets:
            row_set = row_info.row_set
            rows = values.rows(row_set.name)
            rows_entry = RowsEntry(
                step,
                row_set,
                rows,
                [
                    _describe_row(row_info, row, on_off, stored)
                    for row, stored in zip(
                        rows, _stored_rows(reader.data, step.slug, row_set.name), strict=False
                    )
                ],
                values.applies(row_set.name),
                row_info.label,
            )
            entries.append((row_set.name, rows_entry))
        last = len(info.places)
        entries.sort(key=lambda named: info.places.get(named[0], last))
        yield from (entry for _name, entry in entries)
