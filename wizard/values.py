"""The one reader of a draft's (or revision's) values.

A draft stores each step as typed, valid or not. Everything that needs a value — the preview, the
Dataverse mapping, the review summary and diff, the drafts service and the workflow — reads it here:

- every value goes through its step form's own field (``field.clean``; rows through their row form),
  so ``"30.0"`` for a whole number of minutes reads as ``30`` and a value the form refuses reads as
  the field's empty value, never as the raw string;
- a field applies only while the layout's conditions hold (``ShowWhen``, evaluated by
  :func:`wizard.forms.layout.condition_holds`, the one evaluator), and a field a cross-step rule
  disables (``DisabledBy``) reads as off; a value that does not apply reads as empty;
- :meth:`DraftValues.snapshot` is what a revision freezes: the cleaned values, JSON-ready.

Choice lists that come from the environment are not known here unless a provider is given; such
fields are read as their stripped text (the publish resolves them against the org).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from wizard.choices import ChoiceProvider
from wizard.forms import StepForm
from wizard.forms.base import RowSet, empty_value
from wizard.forms.layout import condition_holds, is_on
from wizard.forms.rules import rule_holds
from wizard.steps import FORM_STEP_SLUGS, Step, get_step


@dataclass(frozen=True)
class StepRules:
    """What the reader needs of one step form: its fields, row sets, conditions and disabling rules."""

    fields: Mapping[str, forms.Field]
    row_sets: tuple[RowSet, ...]
    conditions: Mapping[str, tuple[str, ...]]
    disabled: Mapping[str, str]


_rules: dict[type[StepForm], StepRules] = {}


def step_rules(form_class: type[StepForm]) -> StepRules:
    if form_class not in _rules:
        _rules[form_class] = StepRules(
            dict(form_class.base_fields),
            tuple(form_class.row_sets),
            form_class.shown_when(),
            form_class.disabled_fields(),
        )
    return _rules[form_class]


def provider_choice(form_field: forms.Field) -> bool:
    """A choice field whose choices the environment fills in (none are declared on the class)."""
    return isinstance(form_field, forms.ChoiceField) and not list(form_field.choices)  # type: ignore[arg-type]


class Refused(Exception):
    """The field refuses the stored value."""


def clean_value(form_field: forms.Field, raw: Any) -> Any:
    """``raw`` through ``form_field``: its cleaned value; :class:`Refused` if the field refuses it."""
    if provider_choice(form_field):
        return "" if raw is None or isinstance(raw, (dict, list)) else str(raw).strip()
    try:
        value = form_field.clean(raw)
    except (ValidationError, TypeError, ValueError) as error:
        raise Refused from error
    return empty_value(form_field) if value is None else value


def clean_value_or_empty(form_field: forms.Field, raw: Any) -> Any:
    try:
        return clean_value(form_field, raw)
    except Refused:
        return empty_value(form_field)


def clean_row(form_class: type[forms.Form], row: Mapping[str, Any]) -> dict[str, Any]:
    """One row through its row form's fields and their ``clean_<field>`` methods; a refused field reads
    empty. (The row form's cross-field ``clean`` adds errors only; the form still reports them.)"""
    try:
        # The type is part of the key: True and 1 are equal, but a text field reads them differently.
        key = tuple(sorted((str(name), type(value).__name__, value) for name, value in row.items()))
        return dict(_clean_row_cached(form_class, key))
    except TypeError:  # a value that can't be a cache key (a list, a dict): clean it uncached
        return _clean_row(form_class, row)


@lru_cache(maxsize=4096)
def _clean_row_cached(
    form_class: type[forms.Form], key: tuple[tuple[str, str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    return tuple(_clean_row(form_class, {name: value for name, _type, value in key}).items())


def _clean_row(form_class: type[forms.Form], row: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, form_field in form_class.base_fields.items():
        cleaned[name] = clean_value_or_empty(form_field, row.get(name))
    hooks = [name for name in form_class.base_fields if hasattr(form_class, f"clean_{name}")]
    if hooks:
        form = form_class.__new__(form_class)  # the hooks read only ``cleaned_data``
        form.cleaned_data = dict(cleaned)
        for name in hooks:
            try:
                cleaned[name] = getattr(form, f"clean_{name}")()
            except ValidationError:
                cleaned[name] = empty_value(form_class.base_fields[name])
            form.cleaned_data[name] = cleaned[name]
    return cleaned


class StepValues(Mapping[str, Any]):
    """One step's values, cleaned. ``values[name]`` (and ``get``) is the value in effect: empty when the
    field does not apply; :meth:`cleaned` is the value whether it applies or not."""

    def __init__(
        self, step: Step, cleaned: dict[str, Any], applies: dict[str, bool], refused: dict[str, str]
    ) -> None:
        self.step = step
        self._cleaned = cleaned
        self._applies = applies
        self._refused = refused

    def __getitem__(self, name: str) -> Any:
        if name not in self._cleaned:
            raise KeyError(name)
        if self._applies[name]:
            return self._cleaned[name]
        return self._off(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cleaned)

    def __len__(self) -> int:
        return len(self._cleaned)

    def _off(self, name: str) -> Any:
        rules = step_rules(self.step.form_class)  # type: ignore[arg-type]
        if name in rules.fields:
            return empty_value(rules.fields[name])
        return []

    def cleaned(self, name: str) -> Any:
        return self._cleaned[name]

    def refused(self, name: str) -> str:
        """The text the author typed for ``name`` that its field refuses ("" when none), so a page can
        say why it is not used; it is never used as a value."""
        return self._refused.get(name, "")

    def applies(self, name: str) -> bool:
        return self._applies[name]

    def on(self, name: str) -> bool:
        return is_on(self.get(name))

    def text(self, name: str) -> str:
        value = self.get(name)
        return "" if value is None else str(value)

    def rows(self, name: str) -> list[dict[str, Any]]:
        value = self.get(name)
        return list(value) if isinstance(value, list) else []


class _StepsOnDemand(Mapping[str, Any]):
    """Every form step's ``make(step)``, in wizard order, each made when it is first looked up."""

    def __init__(self, make: Callable[[Step], Any]) -> None:
        self._make = make
        self._made: dict[str, Any] = {}

    def __getitem__(self, slug: str) -> Any:
        made = self._made.get(slug)
        if made is None:
            if slug not in FORM_STEP_SLUGS:
                raise KeyError(slug)
            made = self._made[slug] = self._make(get_step(slug))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(FORM_STEP_SLUGS)

    def __len__(self) -> int:
        return len(FORM_STEP_SLUGS)


class DraftValues:
    """Every step's values of ``data`` (a draft's or revision's wizard data), read once, cleaned.

    ``choices`` (the environment's lists) is needed only to know whether an existing workstream's
    chats are persistent; without it that reads as not persistent.
    """

    def __init__(self, data: Mapping[str, Any] | None, choices: ChoiceProvider | None = None) -> None:
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.choices = choices
        self._refused: dict[str, dict[str, str]] = {}
        # A save cycle reads one or two steps of five: each is cleaned when first read (a cross-step
        # rule reads the steps it names the same way).
        self._cleaned = _StepsOnDemand(self._clean_step)
        self._steps = _StepsOnDemand(lambda step: self._read_step(step, self._cleaned))

    def _clean_step(self, step: Step) -> dict[str, Any]:
        assert step.form_class is not None
        rules = step_rules(step.form_class)
        stored = self.data.get(step.slug)
        stored = stored if isinstance(stored, Mapping) else step.form_class.default_values()
        cleaned: dict[str, Any] = {}
        refused = self._refused.setdefault(step.slug, {})
        for name, field in rules.fields.items():
            try:
                cleaned[name] = clean_value(field, stored.get(name))
            except Refused:
                cleaned[name] = empty_value(field)
                refused[name] = str(stored.get(name))
        for row_set in rules.row_sets:
            rows = stored.get(row_set.name)
            rows = rows if isinstance(rows, list) else []
            cleaned[row_set.name] = [
                clean_row(row_set.form_class, row) for row in rows if isinstance(row, Mapping)
            ]
        return cleaned

    def _read_step(self, step: Step, cleaned: Mapping[str, dict[str, Any]]) -> StepValues:
        assert step.form_class is not None
        rules = step_rules(step.form_class)
        values = dict(cleaned[step.slug])
        disabled = {rule for rule in rules.disabled.values()}
        holding = {rule for rule in disabled if rule_holds(rule, cleaned, self.choices)}
        for name, rule in rules.disabled.items():
            if rule in holding:
                values[name] = empty_value(rules.fields[name])
        applies = {
            name: all(condition_holds(condition, values) for condition in rules.conditions.get(name, ()))
            for name in values
        }
        return StepValues(step, values, applies, self._refused[step.slug])

    def __getitem__(self, slug: str) -> StepValues:
        return self._steps[slug]

    def step(self, slug: str) -> StepValues:
        get_step(slug)
        return self._steps[slug]

    def __iter__(self) -> Iterator[StepValues]:
        return iter(self._steps.values())

    @property
    def persistent_chat(self) -> bool:
        return rule_holds("persistent_chat", {s: dict(v) for s, v in self._steps.items()}, self.choices)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """The cleaned values of every step (applying or not, so a restored revision keeps them), in
        the shape a draft stores, JSON-ready: what a revision freezes."""
        return {
            slug: {name: _jsonable(values.cleaned(name)) for name in values}
            for slug, values in self._steps.items()
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def read(data: Mapping[str, Any] | None, choices: ChoiceProvider | None = None) -> DraftValues:
    """The reader of ``data``: the only way the portal reads a draft's or revision's values."""
    return DraftValues(data, choices)
