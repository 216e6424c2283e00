"""Binding a draft's choices to another environment's lists, by name.

What an author chose from the environment's lists (a field its form fills from the choice provider,
:func:`wizard.values.provider_choice`: the language, an existing workstream or queue, operating hours,
authentication settings, a survey; in the rows of a row set too) is stored as the option's value there,
mostly a Dataverse id, which names nothing in another org. When a draft moves to another environment,
each choice is bound the way a promotion binds a revision's references to its target
(``publishing.services.promote``):

- a value the new list offers stays as it is (one both orgs share: a locale id, the default messaging
  queue's name);
- else the name it had in the old list is looked up in the new one, and the one option of that name
  is taken (:func:`wizard.choices.one_named`);
- with no option of that name, or several, the value stays as it was, so its step goes on asking to
  choose again; :attr:`Rebinding.unbound` lists those in effect, for the author;
- a value the old list did not offer either has no name to go by and is left alone (its step already
  asks for another).

This module finds the changes; the drafts service (``wizard.services.drafts``) stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wizard.choices import CHOICE_LISTS, ChoiceProvider, Option, one_named
from wizard.forms import StepContext, StepForm
from wizard.forms.base import RowSet
from wizard.steps import FORM_STEPS, Step
from wizard.values import DraftValues, provider_choice, read


@dataclass(frozen=True)
class ChoiceSetting:
    """A setting chosen from an environment's list: the field ``name`` of ``step``'s form, or of each
    row of its row set ``row_set``."""

    step: Step
    name: str
    row_set: RowSet | None = None

    def label(self, row: int | None = None) -> str:
        """The setting as its step labels it, e.g. "Operating hours"; a row's as "Queue (Routes, row 2)"
        for ``row`` 1 (counted from 0)."""
        if self.row_set is None:
            assert self.step.form_class is not None
            return str(self.step.form_class.base_fields[self.name].label)
        setting = str(self.row_set.form_class.base_fields[self.name].label)
        return _("%(setting)s (%(rows)s, row %(number)s)") % {
            "setting": setting,
            "rows": self.row_set.label,
            "number": (row or 0) + 1,
        }


@dataclass(frozen=True)
class Choice:
    """One value chosen for ``setting`` in a draft; ``row``: its row's place among the row set's rows
    as the reader gives them (None for a step's own field)."""

    setting: ChoiceSetting
    row: int | None
    value: str

    @property
    def label(self) -> str:
        return self.setting.label(self.row)


@dataclass(frozen=True)
class Rebinding:
    """What moving a draft to another environment's lists does to its choices: ``changes``, each choice
    with the new list's value to store instead; ``unbound``, the choices in effect that nothing could be
    bound to (to choose again), in wizard order."""

    changes: list[tuple[Choice, str]] = field(default_factory=list)
    unbound: list[Choice] = field(default_factory=list)


def choice_settings() -> list[ChoiceSetting]:
    """Every setting of the wizard's steps whose options the environment provides, in wizard order."""
    settings: list[ChoiceSetting] = []
    for step in FORM_STEPS:
        assert step.form_class is not None
        fields = step.form_class.base_fields.items()
        settings.extend(
            ChoiceSetting(step, name) for name, form_field in fields if provider_choice(form_field)
        )
        for row_set in step.form_class.row_sets:
            settings.extend(
                ChoiceSetting(step, name, row_set)
                for name, form_field in row_set.form_class.base_fields.items()
                if provider_choice(form_field)
            )
    return settings


def unreadable(provider: ChoiceProvider) -> bool:
    """Whether any of ``provider``'s lists could not be read from its environment just now (a copy saved
    earlier, or the builtin list, stands in for it)."""
    return any(getattr(provider, kind)().offline for kind in CHOICE_LISTS)


def rebind(data: Mapping[str, Any], before: ChoiceProvider, after: ChoiceProvider) -> Rebinding:
    """How the choices of ``data`` (a draft's wizard data), made from ``before``'s lists, bind to
    ``after``'s (see the module's docstring). Reads the lists of both; changes nothing."""
    offers = _Offers(data)
    result = Rebinding()
    for choice, applies in chosen(read(data, after)):
        new = offers(choice.setting, after)
        if any(value == choice.value for value, _label in new):
            continue
        name = dict(offers(choice.setting, before)).get(choice.value)
        if name is None:
            continue
        bound = one_named(new, name)
        if bound:
            result.changes.append((choice, bound))
        elif applies:
            result.unbound.append(choice)
    return result


def chosen(values: DraftValues) -> Iterator[tuple[Choice, bool]]:
    """Every value chosen from a list in the draft ``values`` reads (none where nothing is chosen), each
    with whether it is in effect (its field, or its row set, applies)."""
    for setting in choice_settings():
        step = values[setting.step.slug]
        if setting.row_set is None:
            found: list[tuple[int | None, Any]] = [(None, step.cleaned(setting.name))]
            applies = step.applies(setting.name)
        else:
            rows = step.cleaned(setting.row_set.name)
            found = [(index, row.get(setting.name)) for index, row in enumerate(rows)]
            applies = step.applies(setting.row_set.name)
        for row, value in found:
            if value:
                yield Choice(setting, row, str(value)), applies


class _Offers:
    """The options each step's form offers for a setting under a provider's lists, each form built
    once. The forms see the same portal environments (none) whatever the provider: only the lists the
    provider fills in differ."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.context = StepContext(data=dict(data), environments=[])
        self.forms: dict[tuple[str, int], StepForm] = {}

    def __call__(self, setting: ChoiceSetting, provider: ChoiceProvider) -> list[Option]:
        key = (setting.step.slug, id(provider))
        if key not in self.forms:
            assert setting.step.form_class is not None
            self.forms[key] = setting.step.form_class(None, choices=provider, context=self.context)
        form = self.forms[key]
        if setting.row_set is None:
            form_field = form.fields[setting.name]
        else:
            form_field = form.rows[setting.row_set.name].empty_form.fields[setting.name]
        return [(value, label) for value, label in _flat(form_field.choices) if value != ""]  # type: ignore[attr-defined]


def _flat(choices: Iterable[tuple[Any, Any]]) -> Iterator[Option]:
    """``choices`` as (value, label) pairs, the options of a group among them included."""
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield str(value), str(label)
