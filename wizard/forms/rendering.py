"""Plain rendering of the step forms: Bootstrap 5 markup built in Python, one pass per form.

crispy-forms renders each field through a chain of about ten templates; the Chat widget step has 37
controls, so that chain was most of a step page's time. This module walks the same crispy layout
objects the forms declare (``Layout``, ``Fieldset``, ``Field``, ``Div``/``ShowWhen``, ``Rows``) and
writes the markup crispy-bootstrap5 writes for them: the ``div_id_<name>`` wrappers, labels tied to
their controls, required markers, help text and errors referenced from ``aria-describedby``,
``is-invalid``/``aria-invalid`` on controls with errors; a text's length limit is written as
``data-max-length`` instead of ``maxlength``, which a browser enforces by cutting pasted text short
without a word. Radio buttons whose widget has ``swatches`` (the theme colours) get a colour swatch
beside each name; row sets are drawn here too. A field whose layout names a template of its own is
still rendered with that template. Every value, label, help text and error is escaped by
``conditional_escape``'s rules (:func:`_esc`).
"""

from __future__ import annotations

import hashlib
import html
import json
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.forms.boundfield import BoundField
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.caching import renderings
from wizard.forms.layout import Rows, names_in

# Lazy translations already translated and escaped in this form's rendering, by identity: every row of
# a row set repeats the same labels, help texts and choice names. Each entry keeps its object, so that
# no identity is reused while the rendering lasts.
_TEXTS: ContextVar[dict[int, tuple[Any, str]] | None] = ContextVar("step_form_texts", default=None)


def render_form(form: Any, context: dict[str, Any] | None = None) -> SafeString:
    """The whole step form as laid out by ``form.helper.layout`` (or every field, without a layout).

    A form with a ``piece_key`` (one known to draw no error) is drawn in pieces, one per item of its
    layout, each cached under that key and the values the item draws: saving one setting draws only
    the part of the form that holds it again, and a row set nobody changed is not even built.
    """
    layout = getattr(getattr(form, "helper", None), "layout", None)
    parts: list[str] = []
    token = _TEXTS.set({})
    try:
        if layout is None:
            parts.extend(render_field(form[name]) for name in form.fields)
        elif getattr(form, "piece_key", None):
            _render_pieces(layout, form, context or {}, parts)
        else:
            _render_item(layout, form, context or {}, parts)
    finally:
        _TEXTS.reset(token)
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped where it was built


PIECE_SECONDS = 3600


def _render_pieces(layout: Any, form: Any, context: dict[str, Any], parts: list[str]) -> None:
    items = list(layout.fields)
    keys = [_piece_key(form, context, index, item) for index, item in enumerate(items)]
    found = renderings.get_many(keys)
    drawn: dict[str, str] = {}
    for key, item in zip(keys, items, strict=True):
        if key not in found:
            piece: list[str] = []
            _render_item(item, form, context, piece)
            drawn[key] = found[key] = "".join(piece)
        parts.append(found[key])
    if drawn:
        renderings.set_many(drawn, PIECE_SECONDS)


def _piece_key(form: Any, context: dict[str, Any], index: int, item: Any) -> str:
    """The form's ``piece_key`` (everything the form draws from outside its values), the item's place,
    whether the form is bound, the reader's edit rights and the values of the fields and row sets the
    item names."""
    values = [[name, form.source.get(name)] for name in names_in(item)]
    text = json.dumps(
        [form.piece_key, index, form.is_bound, bool(context.get("can_edit", True)), values],
        sort_keys=True,
        default=str,
    )
    return f"wizard_form_piece:{hashlib.sha256(text.encode()).hexdigest()}"


def _text(value: Any) -> str:
    """``value`` escaped; a lazy translation once per form rendering."""
    texts = _TEXTS.get()
    if texts is None or not isinstance(value, Promise):
        return _esc(value)
    found = texts.get(id(value))
    if found is None:
        found = texts[id(value)] = (value, _esc(str(value)))
    return found[1]


def _render_item(item: Any, form: Any, context: dict[str, Any], parts: list[str]) -> None:
    if isinstance(item, str):
        parts.append(render_field(form[item]))
    elif isinstance(item, Rows):
        parts.append(item.render(form, context))
    elif isinstance(item, Field):
        # crispy's own field template is the "%s/field.html" pattern; any other was named by the layout.
        template = item.template if "%s" not in item.template else None
        for name in item.fields:
            if template:
                parts.append(get_template(template).render({"field": form[name], "form": form}))
            else:
                parts.append(render_field(form[name], item.attrs))
    elif isinstance(item, Fieldset):
        parts.append(f"<fieldset{_layout_attrs(item)}>")
        if item.legend:
            parts.append(f"<legend>{_esc(item.legend)}</legend>")
        for child in item.fields:
            _render_item(child, form, context, parts)
        parts.append("</fieldset>")
    elif isinstance(item, Div):
        parts.append(f"<div{_layout_attrs(item)}>")
        for child in item.fields:
            _render_item(child, form, context, parts)
        parts.append("</div>")
    elif isinstance(item, Layout):
        for child in item.fields:
            _render_item(child, form, context, parts)
    else:
        raise TypeError(f"The step form renderer doesn't know the layout object {type(item).__name__}.")


def _layout_attrs(item: Any) -> str:
    """``id``, ``class`` and the extra attributes crispy escaped when the layout object was built."""
    attrs = ""
    if getattr(item, "css_id", None):
        attrs += f' id="{_esc(item.css_id)}"'
    if getattr(item, "css_class", None):
        attrs += f' class="{_esc(item.css_class)}"'
    return attrs + (getattr(item, "flat_attrs", "") or "")


# --- one field -------------------------------------------------------------------------------------


def _esc(value: Any) -> str:
    """``conditional_escape`` without its lazy-argument wrapper and ``SafeString`` per call: this module
    escapes a thousand pieces on a long step and marks only the whole rendering safe."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def render_field(field: BoundField, extra_attrs: dict[str, Any] | None = None) -> SafeString:
    """One field with its label, help text and errors, as crispy-bootstrap5 lays it out."""
    widget = field.field.widget
    if widget.is_hidden:
        return field.as_widget()
    # A bound field builds a new error list each time it is asked; the pieces below ask often.
    errors = list(field.errors)
    if isinstance(widget, forms.CheckboxInput):
        markup = _checkbox(field, errors, extra_attrs)
    elif getattr(widget, "swatches", None):
        markup = _swatches(field, errors, extra_attrs)
    elif isinstance(widget, forms.RadioSelect):
        markup = _radios(field, errors, extra_attrs)
    else:
        markup = _labelled(field, errors, extra_attrs)
    return mark_safe(markup)  # noqa: S308 - built from escaped pieces


def _errors(field: BoundField, errors: list[Any], block: bool = False) -> str:
    if not errors:
        return ""
    auto_id = _esc(field.auto_id)
    items = "".join(
        f'<p id="error_{index}_{auto_id}"><strong>{_esc(error)}</strong></p>'
        for index, error in enumerate(errors, start=1)
    )
    css = "invalid-feedback d-block" if block else "invalid-feedback"
    return f'<div id="{auto_id}_error" class="{css}">{items}</div>'


def _help_text(field: BoundField) -> str:
    """The field's help text, escaped ("" if none). Read from the field itself: ``BoundField.help_text``
    translates a lazy help text again each time it is asked."""
    help_text = field.field.help_text
    return "" if help_text is None else _text(help_text)


def _help(field: BoundField) -> str:
    help_text = _help_text(field)
    if not help_text:
        return ""
    return f'<div id="{_esc(field.auto_id)}_helptext" class="form-text">{help_text}</div>'


def _described_by(field: BoundField, errors: list[Any]) -> str:
    ids = []
    if _help_text(field):
        ids.append(f"{field.auto_id}_helptext")
    if errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


def _control_attrs(
    field: BoundField, errors: list[Any], extra: dict[str, Any] | None, css: str
) -> dict[str, Any]:
    """The control's attributes, in the order ``BoundField.build_widget_attrs`` gives them, with the
    Bootstrap classes and this field's help and error ids."""
    widget = field.field.widget
    attrs: dict[str, Any] = {**widget.attrs, **(extra or {})}
    if "maxlength" in attrs:
        # Not the browser's maxlength, which cuts pasted text short without a word (a URL cut short is
        # another URL): portal.js says at once that the text is too long, and the save refuses it with
        # the same message and keeps it in the form.
        attrs["data-max-length"] = attrs.pop("maxlength")
    if (
        field.field.required
        and field.form.use_required_attribute
        and widget.use_required_attribute(field.initial)
    ):
        attrs["required"] = True
    if field.field.disabled:
        attrs["disabled"] = True
    if errors:
        attrs["aria-invalid"] = "true"
    described = _described_by(field, errors)
    if described and not widget.attrs.get("aria-describedby") and not widget.use_fieldset:
        attrs.setdefault("aria-describedby", described)
    classes = [str(attrs.pop("class", "")), css, "is-invalid" if errors else ""]
    attrs["class"] = " ".join(c for c in classes if c)
    if described:
        attrs["aria-describedby"] = described
    else:
        attrs.pop("aria-describedby", None)
    return attrs


@lru_cache(maxsize=256)
def _attribute_name(name: str) -> str:
    return _esc(name)


def _flat(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {_attribute_name(name)}")
        elif value not in (False, None):
            out.append(f' {_attribute_name(name)}="{_esc(value)}"')
    return "".join(out)


def _label(field: BoundField, tag: str = "label", css: str = "form-label") -> str:
    # Fields the form requires only while they show (see the step form's clean) are marked all the same.
    required = field.field.required or field.name in getattr(field.form, "required_when_shown", ())
    marker = '<span class="asteriskField">*</span>' if required else ""
    css = f"{css} requiredField" if required else css
    target = f' for="{_esc(field.id_for_label)}"' if tag == "label" else ""
    return f'<{tag}{target} class="{css}">{_text(field.label)}{marker}</{tag}>'


def _labelled(field: BoundField, errors: list[Any], extra: dict[str, Any] | None) -> str:
    widget = field.field.widget
    value = field.value()
    attrs = _control_attrs(
        field, errors, extra, "form-select" if isinstance(widget, forms.Select) else "form-control"
    )
    if isinstance(widget, forms.Select):
        control = f"<select{_flat({'name': field.html_name, **attrs, 'id': field.auto_id})}>{_options(field, value)}</select>"
    elif isinstance(widget, forms.Textarea):
        text = widget.format_value(value) or ""
        control = f"<textarea{_flat({'name': field.html_name, **attrs, 'id': field.auto_id})}>\n{_esc(text)}</textarea>"
    elif isinstance(widget, forms.widgets.Input):
        formatted = widget.format_value(value)
        control = (
            f'<input type="{widget.input_type}"'
            f"{_flat({'name': field.html_name, 'value': formatted, **attrs, 'id': field.auto_id})}>"
        )
    else:  # a widget this module doesn't know: Django draws it
        control = field.as_widget(attrs=attrs)
    return (
        f'<div id="div_{_esc(field.auto_id)}" class="mb-3">{_label(field)}{control}'
        f"{_errors(field, errors)}{_help(field)}</div>"
    )


def _options(field: BoundField, value: Any) -> str:
    selected = {str(v) for v in field.field.widget.format_value(value)}
    parts = []
    offered: set[str] = set()
    for key, label in field.field.choices:  # type: ignore[attr-defined]
        if isinstance(label, (list, tuple)):  # an option group
            inner = "".join(_option(k, lbl, selected) for k, lbl in label)
            parts.append(f'<optgroup label="{_esc(key)}">{inner}</optgroup>')
            offered.update(_option_value(k) for k, _lbl in label)
        else:
            parts.append(_option(key, label, selected))
            offered.add(_option_value(key))
    # A value the list no longer offers stays chosen (its error says so), so that saving the step keeps it
    # instead of the first option taking its place without a word.
    kept = [
        _option(key, _("Chosen before, no longer in the list"), selected)
        for key in sorted(selected - offered)
        if key
    ]
    return "".join(kept + parts)


def _option_value(key: Any) -> str:
    return "" if key is None else str(key)


def _option(key: Any, label: Any, selected: set[str]) -> str:
    key = _option_value(key)
    mark = " selected" if key in selected else ""
    return f'<option value="{_esc(key)}"{mark}>{_text(label)}</option>'


def _checkbox(field: BoundField, errors: list[Any], extra: dict[str, Any] | None) -> str:
    widget = field.field.widget
    attrs = _control_attrs(field, errors, extra, "form-check-input")
    if widget.check_test(field.value()):  # type: ignore[attr-defined]
        attrs["checked"] = True
    control = f'<input type="checkbox"{_flat({"name": field.html_name, **attrs, "id": field.auto_id})}>'
    label = f'<label for="{_esc(field.id_for_label)}" class="form-check-label">{_text(field.label)}</label>'
    return (
        f'<div class="mb-3"><div id="div_{_esc(field.auto_id)}" class="form-check">'
        f"{control}{label}{_errors(field, errors)}{_help(field)}</div></div>"
    )


def _radio_inputs(
    field: BoundField, errors: list[Any], extra: dict[str, Any] | None, css: str
) -> list[tuple[str, str, Any, Any]]:
    """Each choice's radio input with its id, value and label; the group's ``aria-describedby`` belongs
    on the fieldset around them (:func:`_group_described_by`)."""
    attrs = _control_attrs(field, errors, extra, css)
    attrs.pop("aria-describedby", None)
    current = {str(v) for v in field.field.widget.format_value(field.value())}
    inputs = []
    for index, (key, label) in enumerate(field.field.choices):  # type: ignore[attr-defined]
        option_id = f"{field.auto_id}_{index}"
        option_attrs = {"class": attrs["class"], "name": field.html_name, "value": key, "id": option_id}
        option_attrs.update({k: v for k, v in attrs.items() if k not in ("class", "id")})
        if str(key) in current:
            option_attrs["checked"] = True
        inputs.append((f'<input type="radio"{_flat(option_attrs)}>', option_id, key, label))
    return inputs


def _group_described_by(field: BoundField, errors: list[Any]) -> str:
    described = _described_by(field, errors)
    return f' aria-describedby="{_esc(described)}"' if described else ""


def _radios(field: BoundField, errors: list[Any], extra: dict[str, Any] | None) -> str:
    inputs = _radio_inputs(field, errors, extra, "form-check-input")
    options = []
    for index, (control, option_id, _key, label) in enumerate(inputs):
        error_markup = _errors(field, errors, block=True) if index == len(inputs) - 1 else ""
        options.append(
            f'<div class="form-check">{control}'
            f'<label for="{_esc(option_id)}" class="form-check-label">{_text(label)}</label>'
            f"{error_markup}</div>"
        )
    return (
        f'<div id="div_{_esc(field.auto_id)}" class="mb-3"><fieldset{_group_described_by(field, errors)}>'
        f"{_label(field, 'legend', 'form-label fs-6')}<div>{''.join(options)}</div>{_help(field)}</fieldset></div>"
    )


def _swatches(field: BoundField, errors: list[Any], extra: dict[str, Any] | None) -> str:
    """Radio buttons in a grid, each name after a swatch of its colour (``widget.swatches``: value →
    ``#RRGGBB``; the stylesheet has a ``.swatch-rrggbb`` rule per colour, as inline styles are refused by
    the content security policy)."""
    swatches = field.field.widget.swatches  # type: ignore[attr-defined]
    options = []
    # Each radio button inside its label: the palette is a dozen of them, so no for/id pairs to match.
    for control, _option_id, key, label in _radio_inputs(field, errors, extra, ""):
        color = str(swatches.get(str(key), "")).lstrip("#").lower()
        options.append(
            f'<label class="theme-swatch">{control}<span class="swatch swatch-{_esc(color)}"></span>'
            f"{_text(label)}</label>"
        )
    invalid = " is-invalid" if errors else ""
    return (
        f'<fieldset class="mb-3 theme-color" id="div_{_esc(field.auto_id)}"{_group_described_by(field, errors)}>'
        f'<legend class="form-label fs-6 mb-1">{_text(field.label)}</legend>'
        f'<div class="theme-swatches{invalid}">{"".join(options)}</div>'
        f"{_errors(field, errors, block=True)}{_help(field)}</fieldset>"
    )


# --- row sets --------------------------------------------------------------------------------------


def render_rows(
    row_set: Any, formset: Any, *, can_edit: bool, identification: list[dict[str, Any]], too_many: str = ""
) -> SafeString:
    """One repeating row group. Without JavaScript its buttons post a row action; with it, portal.js
    adds, removes and reorders rows in the page from the ``<template>`` and renumbers the management
    form. Built here rather than by a template per row: the Behaviors step draws 10+ rows."""
    name = _esc(row_set.name)
    max_rows = f' data-max-rows="{row_set.max_rows}"' if row_set.max_rows else ""
    parts = [f'<div class="row-group mb-3" id="rows-{name}" data-row-group="{name}"{max_rows}>']
    parts.extend(
        f'<input type="hidden" name="{_esc(field.html_name)}" '
        f'value="{_esc(field.value())}" id="{_esc(field.auto_id)}">'
        for field in formset.management_form
    )
    if formset.non_form_errors():
        parts.append(f'<div class="alert alert-danger">{_esc(formset.non_form_errors())}</div>')
    if too_many:
        # portal.js hides it once rows are removed down to the limit, and shows it again above it.
        parts.append(f'<div class="alert alert-danger" data-rows-limit>{_esc(too_many)}</div>')
    rows = formset.forms
    buttons = _row_buttons(row_set) if can_edit else None
    parts.append("<div data-rows>")
    parts.extend(
        _row(row_set, row, index, index + 1, buttons, first=index == 0, last=index == len(rows) - 1)
        for index, row in enumerate(rows)
    )
    parts.append("</div>")
    empty = _("%(label)s: none yet.") % {"label": _esc(row_set.label)}
    parts.append(
        f'<p class="text-body-secondary small mb-2" data-rows-empty{" hidden" if rows else ""}>{empty}</p>'
    )
    # A full row set can take no more rows: its add buttons start disabled (portal.js keeps them in step).
    full = " disabled" if row_set.max_rows and len(rows) >= row_set.max_rows else ""
    if can_edit:
        template = _row(
            row_set, formset.empty_form, "__prefix__", "__number__", buttons, first=False, last=True
        )
        parts.append(f"<template data-row-template>{template}</template>")
        # The limit is said beside the add buttons, so that one that greys out says why.
        limit_note, described = "", ""
        if row_set.max_rows:
            limit = _esc(_("%(label)s: at most %(max)d.") % {"label": row_set.label, "max": row_set.max_rows})
            limit_note = f'<span class="small text-body-secondary align-self-center" id="rows-{name}-limit">{limit}</span>'
            described = f' aria-describedby="rows-{name}-limit"'
        parts.append(
            '<div class="d-flex flex-wrap gap-2"><button type="submit" class="btn btn-sm btn-outline-primary" '
            f'name="row_action" value="add:{name}" data-row-add{described}{full}>{_esc(row_set.add_label)}</button>'
        )
        if identification:
            identify = _esc(_("Identify the customer:"))
            parts.append(f'<span class="small text-body-secondary align-self-center">{identify}</span>')
            for shortcut in identification:
                shortcut_name = _esc(shortcut["name"])
                hidden = " hidden" if shortcut["present"] else ""
                parts.append(
                    '<button type="submit" class="btn btn-sm btn-outline-secondary" name="row_action" '
                    f'value="identify:{shortcut_name}" data-identify="{shortcut_name}" '
                    f'data-question-text="{_esc(shortcut["text"])}"{hidden}{full}>{_esc(shortcut["label"])}</button>'
                )
        parts.append(f"{limit_note}</div>")
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped where it was built


def _row_buttons(row_set: Any) -> tuple[str, str, str, str]:
    """The row buttons' group name and texts (move up, move down, remove), escaped, once per row set."""
    actions = _esc(_("%(label)s actions") % {"label": row_set.row_label})
    up, down, remove = (_esc(text) for text in (_("Move up"), _("Move down"), _("Remove")))
    return actions, up, down, remove


def _row(
    row_set: Any,
    row: Any,
    index: Any,
    number: Any,
    buttons: tuple[str, str, str, str] | None,
    *,
    first: bool,
    last: bool,
) -> str:
    """One row; ``buttons`` (:func:`_row_buttons`) for an editor, ``None`` for a reader."""
    name = _esc(row_set.name)
    label = _text(row_set.row_label)
    conditions = row_set.row_conditions
    shown = f' data-row-show-when="{_esc(conditions)}"' if conditions else ""
    parts = [
        f'<fieldset class="row-item border rounded p-3 mb-2" data-row data-row-index="{index}"{shown}>'
        f'<legend class="h6 float-none w-auto px-1 mb-1">{label} <span data-row-number>{number}</span></legend>'
    ]
    parts.extend(f'<div data-row-field="{_esc(field.name)}">{render_field(field)}</div>' for field in row)
    if buttons is not None:
        actions, up, down, remove = buttons
        which = f'<span class="visually-hidden"> {label} <span data-row-number>{number}</span></span>'
        parts.append(f'<div class="btn-group btn-group-sm" role="group" aria-label="{actions}">')
        if row_set.ordered:
            parts.append(
                '<button type="submit" class="btn btn-outline-secondary" name="row_action" '
                f'value="up:{name}:{index}" data-row-move="up"{" hidden" if first else ""}>{up}{which}</button>'
                '<button type="submit" class="btn btn-outline-secondary" name="row_action" '
                f'value="down:{name}:{index}" data-row-move="down"{" hidden" if last else ""}>{down}{which}</button>'
            )
        parts.append(
            '<button type="submit" class="btn btn-outline-danger" name="row_action" '
            f'value="remove:{name}:{index}" data-row-remove>{remove}{which}</button></div>'
        )
    parts.append("</fieldset>")
    return "".join(parts)
