"""The base of every wizard step form: plain fields plus repeating rows, bound to draft JSON.

A draft stores each step as the values the author typed (``values_from_post``), valid or not, so
leaving a step never loses anything; the form is rebound to those stored values to show errors.
Repeating rows (domains, questions, messages) are formsets whose rows are stored as a list of dicts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.formsets import BaseFormSet, formset_factory
from django.forms.utils import ErrorDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wizard.choices import ChoiceProvider
from wizard.forms.layout import condition_holds, disabled_fields, field_conditions, is_on

if TYPE_CHECKING:  # the stubs' name for a text or a lazy translation; a development dependency
    from django_stubs_ext import StrOrPromise

# What a value saved earlier is told when the list it was chosen from no longer offers it; Django's own
# message shows the raw value (a Dataverse id) and says nothing of what to do.
STALE_CHOICE = _(
    "What was chosen here before is no longer in the list: the environment's lists changed, or the channel "
    "moved to another environment. Choose again from the list."
)
MAX_POSTED_ROWS = 50  # rows accepted from one POST; more are ignored rather than stored


class _SharedFields(dict[str, forms.Field]):
    """A form's fields, shared with its class: Django deep-copies a form's fields for every form it
    builds (37 on the Chat widget step, and a step draws up to 50 rows). A form that changes a field
    for itself (choices, ``required``, help text) first takes its own copy (:meth:`StepForm.own_field`);
    row forms change none."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


# Django's "This field is required." says what is wrong, not what to do; a field's own message wins.
_FILL_IN = _("Fill in this field.")
_CHOOSE = _("Choose one of the options.")


class _SharedFieldsMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:  # noqa: N804
        new_class: Any = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = _SharedFields(new_class.base_fields)
        for form_field in new_class.base_fields.values():
            if form_field.error_messages.get("required") is forms.Field.default_error_messages["required"]:
                choice = isinstance(form_field, forms.ChoiceField)
                form_field.error_messages["required"] = _CHOOSE if choice else _FILL_IN
        return new_class


class RowForm(forms.Form, metaclass=_SharedFieldsMetaclass):
    """The form of one row of a :class:`RowSet`; its rows share its fields (see :class:`_SharedFields`)."""


class RowFormSet(BaseFormSet):
    """The formset of a :class:`RowSet`. Once its step form is taken as checked
    (:meth:`StepForm.take_as_checked`), the rows it builds are too, when they are built: a step page
    whose row sets come from cached renderings never builds them."""

    checked = False

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form: Any = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        if self.checked:
            form._errors = ErrorDict(renderer=form.renderer)
        return form


@dataclass(frozen=True)
class RowSet:
    """A repeating group of fields stored as a list under ``name`` in the step's data."""

    name: str
    label: str | Promise
    row_label: str | Promise
    form_class: type[RowForm]
    max_rows: int | None = None
    add_label: str | Promise = ""
    # Only shown (and only validated) when this boolean field of the step is on.
    enabled_by: str | None = None
    # Whether the order of the rows means something (a survey's questions are asked in it): only then
    # do rows have Move up and Move down.
    ordered: bool = True

    def formset_class(self) -> type[BaseFormSet]:
        return formset_factory(
            self.form_class,
            formset=RowFormSet,
            extra=0,
            max_num=MAX_POSTED_ROWS,
            absolute_max=MAX_POSTED_ROWS,
        )

    def field_names(self) -> list[str]:
        return list(self.form_class.base_fields)

    @property
    def row_conditions(self) -> str:
        """The row form's ``show_when`` ({field: "other_field=value"}) as ``"field:condition;..."`` for
        the page's script, which shows such a field only while the condition holds in the same row."""
        show_when: dict[str, str] = getattr(self.form_class, "show_when", {})
        return ";".join(f"{name}:{condition}" for name, condition in show_when.items())


@dataclass
class StepContext:
    """What a step needs to know about the rest of the draft. A step form reads other steps' values only
    through the cross-step rules (``wizard.forms.rules.rule_holds``): the rendered-form and step-check
    caches are keyed by the step's own values and those rules' outcomes (``drafts.step_key``)."""

    data: dict[str, Any] = field(default_factory=dict)
    published_data: dict[str, Any] | None = None
    # The portal's environments a form offers (``Environment.offered()``), where the caller already read
    # them; None: the form reads them.
    environments: list[tuple[int, str]] | None = None


def empty_value(form_field: forms.Field) -> Any:
    """How a field that holds nothing reads: off, "" or None."""
    if isinstance(form_field, forms.BooleanField):
        return False
    if isinstance(form_field, (forms.CharField, forms.ChoiceField)):
        return ""
    return None


class StepForm(forms.Form, metaclass=_SharedFieldsMetaclass):
    """A wizard step's form. Its fields are its class's until it changes one (:meth:`own_field`)."""

    row_sets: ClassVar[tuple[RowSet, ...]] = ()
    # Whether the form lists the portal's environments (their names are then part of its rendering).
    uses_environments: ClassVar[bool] = False
    # Fields the form requires only while they show (its clean() says so); drawn as required.
    required_when_shown: ClassVar[frozenset[str]] = frozenset()
    _built_layout: ClassVar[Any]
    _shown_when: ClassVar[dict[str, tuple[str, ...]]]
    _places: ClassVar[dict[str, int]]
    _disabled_fields: ClassVar[dict[str, str]]

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        *,
        choices: ChoiceProvider,
        context: StepContext | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        """Bound to ``values`` (what the draft stores for a saved step), or unbound showing ``initial``
        (what a new draft starts with) and no errors."""
        self.choices = choices
        self.context = context or StepContext()
        bound = values is not None
        source = (values if bound else initial) or {}
        # What the form was bound to (or shows), in the draft's shape: renderings are keyed by it.
        self.source: dict[str, Any] = source
        # Set by whoever knows the form draws no error: renderings of parts of the form are then
        # cached under it (wizard.forms.rendering), keyed by the values each part draws.
        self.piece_key: str | None = None
        flat = self._flat_data(source)
        super().__init__(data=flat if bound else None, initial=None if bound else flat)
        self.rows: dict[str, BaseFormSet] = {}
        # The "at most N rows" message of each row set over its limit (also one of the form's own errors).
        self.too_many_rows: dict[str, str] = {}
        for row_set in self.row_sets:
            rows = source.get(row_set.name)
            rows = rows if isinstance(rows, list) else []
            # Every posted row is a real row: a blank one is an error, not silently dropped.
            self.rows[row_set.name] = row_set.formset_class()(
                data=self._formset_data(row_set, rows) if bound else None,
                initial=None if bound else [row for row in rows if isinstance(row, dict)],
                prefix=row_set.name,
                form_kwargs={"empty_permitted": False},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.setup_choices()
        self.helper.layout = self._layout()
        self._disable_by_rules()

    @classmethod
    def _layout(cls) -> Any:
        # Layouts depend only on the class; building one escapes every attribute, so build it once.
        if "_built_layout" not in cls.__dict__:
            cls._built_layout = cls.build_layout()
        return cls._built_layout

    @classmethod
    def shown_when(cls) -> dict[str, tuple[str, ...]]:
        """Each field and row set of the layout with the conditions (``ShowWhen``) that must all hold for
        it to show."""
        if "_shown_when" not in cls.__dict__:
            cls._shown_when = field_conditions(cls._layout())
        return cls._shown_when

    @classmethod
    def places(cls) -> dict[str, int]:
        """Each field's and row set's place on the step's page, in the order of the layout: what lists
        the step's settings or problems (the review summary, the error summary) are sorted by."""
        if "_places" not in cls.__dict__:
            cls._places = {name: place for place, name in enumerate(cls.shown_when())}
        return cls._places

    def _disable_by_rules(self) -> None:
        """Disable the fields whose :class:`DisabledBy` rule holds for the draft: Django then ignores
        what is posted for them and cleans them to their initial value (off)."""
        # The rules read other steps' forms, which import this module.
        from wizard.forms.rules import rule_holds, rule_reason

        for name, rule in self.disabled_fields().items():
            if rule_holds(rule, self.context.data, self.choices):
                field = self.own_field(name)
                field.disabled = True
                field.help_text = str(rule_reason(rule))

    @classmethod
    def disabled_fields(cls) -> dict[str, str]:
        """Field name -> the rule that disables it, as the layout declares."""
        if "_disabled_fields" not in cls.__dict__:
            cls._disabled_fields = disabled_fields(cls._layout())
        return cls._disabled_fields

    # --- subclasses -------------------------------------------------------------------------------

    def setup_choices(self) -> None:
        """Fill choice fields from the provider."""

    def add_missing(self, name: str, message: StrOrPromise) -> None:
        """Say that ``name`` needs a value, unless the field already has an error: a value it refused (or
        a choice the list no longer offers) is told once, not also as missing."""
        if name not in self.errors:
            self.add_error(name, message)

    def own_field(self, name: str) -> forms.Field:
        """This form's own copy of the field ``name``, to change for this form only: until then the
        form shares the field with its class (:class:`_SharedFields`), and a change would reach every
        form of the class."""
        field = self.fields[name]
        if field is self.base_fields.get(name):
            field = self.fields[name] = copy.deepcopy(field)
        return field

    def set_choices(self, name: str, options: list[tuple[str, Any]], stale: str | Promise = "") -> None:
        """Offer ``options`` in the choice field ``name``; ``stale`` is what a value it no longer offers
        is told (by default: the environment's lists changed or the channel moved)."""
        field = self.own_field(name)
        assert isinstance(field, forms.ChoiceField)
        field.choices = options
        field.error_messages["invalid_choice"] = str(stale or STALE_CHOICE)

    @classmethod
    def build_layout(cls) -> Any:
        return None

    def clean_rows(self) -> None:
        """Cross-row checks (unique names, limits); add errors with ``add_error(None, ...)``."""

    # --- binding ----------------------------------------------------------------------------------

    def _flat_data(self, values: dict[str, Any]) -> dict[str, Any]:
        return {name: values[name] for name in self.base_fields if name in values}

    @staticmethod
    def _formset_data(row_set: RowSet, rows: list[Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            f"{row_set.name}-TOTAL_FORMS": str(len(rows)),
            f"{row_set.name}-INITIAL_FORMS": "0",
            # As an unbound formset's management form has them, so a saved step's page draws numbers.
            f"{row_set.name}-MIN_NUM_FORMS": "0",
            f"{row_set.name}-MAX_NUM_FORMS": str(MAX_POSTED_ROWS),
        }
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                continue
            for name in row_set.field_names():
                if name in row:
                    data[f"{row_set.name}-{index}-{name}"] = row[name]
        return data

    @classmethod
    def values_from_post(cls, post: Any) -> dict[str, Any]:
        """The values as typed, in the shape the draft stores them (nothing is dropped for being invalid)."""
        values: dict[str, Any] = {}
        for name, form_field in cls.base_fields.items():
            values[name] = form_field.widget.value_from_datadict(post, {}, name)
        for row_set in cls.row_sets:
            try:
                count = int(post.get(f"{row_set.name}-TOTAL_FORMS", 0))
            except (TypeError, ValueError):
                count = 0
            rows = []
            for index in range(max(0, min(count, MAX_POSTED_ROWS))):
                row = {}
                for name, row_field in row_set.form_class.base_fields.items():
                    row[name] = row_field.widget.value_from_datadict(
                        post, {}, f"{row_set.name}-{index}-{name}"
                    )
                rows.append(row)
            values[row_set.name] = rows
        return values

    @classmethod
    def default_values(cls) -> dict[str, Any]:
        """The values of an untouched step: each field's initial value."""
        values: dict[str, Any] = {}
        for name, form_field in cls.base_fields.items():
            initial = form_field.initial
            if isinstance(form_field, forms.BooleanField):
                values[name] = bool(initial)
            elif initial is None:
                values[name] = ""
            else:
                values[name] = str(initial) if not isinstance(initial, (list, bool)) else initial
        for row_set in cls.row_sets:
            values[row_set.name] = []
        return values

    # --- validation -------------------------------------------------------------------------------

    def row_set_enabled(self, row_set: RowSet) -> bool:
        if row_set.enabled_by is None:
            return True
        if self.is_bound and hasattr(self, "cleaned_data"):
            return is_on(self.cleaned_data.get(row_set.enabled_by))
        source = self.data if self.is_bound else self.initial
        return is_on(self.fields[row_set.enabled_by].clean(source.get(row_set.enabled_by)))

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        self._pass_hidden_fields()
        self.clean_rows()
        for row_set in self.row_sets:
            formset = self.rows[row_set.name]
            if not self.row_set_enabled(row_set):
                continue
            if row_set.max_rows is not None and formset.total_form_count() > row_set.max_rows:
                message = _("%(label)s: at most %(max)d rows are allowed. Remove %(extra)d.") % {
                    "label": row_set.label,
                    "max": row_set.max_rows,
                    "extra": formset.total_form_count() - row_set.max_rows,
                }
                self.too_many_rows[row_set.name] = str(message)
                self.add_error(None, message)

    def _pass_hidden_fields(self) -> None:
        """A field hidden by a choice made on the step (its ``ShowWhen`` doesn't hold) is not checked:
        the author can't see its error, and the reader reads it as empty (``wizard.values``). What was
        typed in it stays in the draft, for when it shows again."""
        conditions = self.shown_when()
        for name in [name for name in self._errors if conditions.get(name)]:
            if not all(condition_holds(condition, self.cleaned_data) for condition in conditions[name]):
                del self._errors[name]
                self.cleaned_data[name] = empty_value(self.fields[name])

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for row_set in self.row_sets:
            if self.row_set_enabled(row_set) and not self.rows[row_set.name].is_valid():
                valid = False
        return valid and not self.errors

    def row_values(self, name: str) -> list[dict[str, Any]]:
        """Cleaned rows of a valid form."""
        formset = self.rows[name]
        return [row.cleaned_data for row in formset.forms if row.is_valid()]

    def hush_row(self, name: str, index: int) -> None:
        """Show row ``index`` of ``name`` without errors: a row just added, before the author typed.
        The step is validated first, so its own checks see the row as the empty row it is."""
        _ = self.errors
        forms_ = self.rows[name].forms
        if 0 <= index < len(forms_):
            forms_[index]._errors = ErrorDict()
            forms_[index].cleaned_data = {}

    def shows_no_errors(self) -> bool:
        """Whether the bound form draws no error anywhere: no field, row set or row, also in a row set
        that is off (its rows are still drawn, hidden)."""
        if self.errors:
            return False
        return not any(
            formset.non_form_errors() or any(row.errors for row in formset.forms)
            for formset in self.rows.values()
        )

    def take_as_checked(self) -> None:
        """Draw the form as one without errors, without validating it again: for values a remembered
        check (``drafts.check_step``) found to show none. ``cleaned_data`` is not set; rows are
        taken as checked as their formset builds them."""
        self._errors = ErrorDict(renderer=self.renderer)
        for formset in self.rows.values():
            checked: Any = formset
            checked.checked = True
            # Django's own name for a formset's validated state (BaseFormSet.full_clean sets it).
            checked._non_form_errors = formset.error_class(error_class="nonform", renderer=checked.renderer)

    def step_errors(self) -> list[str]:
        """The form's own errors for the top of the step; a row set's "at most N rows" is shown in the row
        group instead, where the page hides it as soon as enough rows are removed."""
        errors = self.non_field_errors()  # validates first, which finds the row sets over their limit
        limits = set(self.too_many_rows.values())
        return [str(error) for error in errors if str(error) not in limits]

    def problems(self) -> list[tuple[str, str]]:
        """Every error of this step as (field label or row label, message), for the review page."""
        found: list[tuple[str, str]] = []
        if not self.is_bound:
            return found
        self.is_valid()
        for name, errors in self.errors.items():
            label = str(self.fields[name].label) if name in self.fields else ""
            for message in errors:
                found.append((label, str(message)))
        for row_set in self.row_sets:
            if not self.row_set_enabled(row_set):
                continue
            for index, row in enumerate(self.rows[row_set.name].forms, start=1):
                for name, errors in row.errors.items():
                    label = f"{row_set.row_label} {index}"
                    if name in row.fields:
                        label += f" – {row.fields[name].label}"
                    for message in errors:
                        found.append((label, str(message)))
        return found
