"""Plain rendering of the step forms: Bootstrap 5 markup built in Python, one pass per form.

crispy-forms renders each field through a chain of about ten templates; the Chat widget step has 37
controls, so that chain was most of a step page's time. This module walks the same crispy layout
objects the forms declare (``Layout``, ``Fieldset``, ``Field``, ``Div``/``ShowWhen``, ``Rows``) and
writes the markup crispy-bootstrap5 writes for them: the ``div_id_<name>`` wrappers, labels tied to
their controls, required markers, help text and errors referenced from ``aria-describedby``,
``is-invalid``/``aria-invalid`` on controls with errors. Radio buttons whose widget has ``swatches``
(the theme colours) get a colour swatch beside each name; row sets are drawn here too. A field whose
layout names a template of its own is still rendered with that template. Every value, label, help
text and error goes through ``conditional_escape``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.forms.boundfield import BoundField
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wizard.forms.layout import Rows

# Lazy translations already translated and escaped in this form's rendering, by identity: every row of
# a row set repeats the same labels, help texts and choice names. Each entry keeps its object, so that
# no identity is reused while the rendering lasts.
_TEXTS: ContextVar[dict[int, tuple[Any, str]] | None] = ContextVar("step_form_texts", default=None)


def render_form(form: Any, context: dict[str, Any] | None = None) -> SafeString:
    """The whole step form as laid out by ``form.helper.layout`` (or every field, without a layout)."""
    layout = getattr(getattr(form, "helper", None), "layout", None)
    parts: list[str] = []
    token = _TEXTS.set({})
    try:
        if layout is None:
            parts.extend(render_field(form[name]) for name in form.fields)
        else:
            _render_item(layout, form, context or {}, parts)
    finally:
        _TEXTS.reset(token)
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped where it was built


def _text(value: Any) -> str:
    """``value`` escaped; a lazy translation once per form rendering."""
    texts = _TEXTS.get()
    if texts is None or not isinstance(value, Promise):
        return conditional_escape(value)
    found = texts.get(id(value))
    if found is None:
        found = texts[id(value)] = (value, conditional_escape(str(value)))
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
            parts.append(format_html("<legend>{}</legend>", item.legend))
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
        attrs += format_html(' id="{}"', item.css_id)
    if getattr(item, "css_class", None):
        attrs += format_html(' class="{}"', item.css_class)
    return attrs + (getattr(item, "flat_attrs", "") or "")


# --- one field -------------------------------------------------------------------------------------


def render_field(field: BoundField, extra_attrs: dict[str, Any] | None = None) -> SafeString:
    """One field with its label, help text and errors, as crispy-bootstrap5 lays it out."""
    widget = field.field.widget
    if widget.is_hidden:
        return field.as_widget()
    if isinstance(widget, forms.CheckboxInput):
        html = _checkbox(field, extra_attrs)
    elif getattr(widget, "swatches", None):
        html = _swatches(field, extra_attrs)
    elif isinstance(widget, forms.RadioSelect):
        html = _radios(field, extra_attrs)
    else:
        html = _labelled(field, extra_attrs)
    return mark_safe(html)  # noqa: S308 - built from escaped pieces


def _errors(field: BoundField, block: bool = False) -> str:
    if not field.errors:
        return ""
    items = "".join(
        format_html('<p id="error_{}_{}"><strong>{}</strong></p>', index, field.auto_id, error)
        for index, error in enumerate(field.errors, start=1)
    )
    css = "invalid-feedback d-block" if block else "invalid-feedback"
    return f'<div id="{conditional_escape(field.auto_id)}_error" class="{css}">{items}</div>'


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    return f'<div id="{conditional_escape(field.auto_id)}_helptext" class="form-text">{_text(field.help_text)}</div>'


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


def _control_attrs(field: BoundField, extra: dict[str, Any] | None, css: str) -> dict[str, Any]:
    widget = field.field.widget
    attrs: dict[str, Any] = field.build_widget_attrs({**widget.attrs, **(extra or {})})
    classes = [str(attrs.pop("class", "")), css, "is-invalid" if field.errors else ""]
    attrs["class"] = " ".join(c for c in classes if c)
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    else:
        attrs.pop("aria-describedby", None)
    return attrs


def _flat(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {conditional_escape(name)}")
        elif value not in (False, None):
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _label(field: BoundField, tag: str = "label", css: str = "form-label") -> str:
    # Fields the form requires only while they show (see the step form's clean) are marked all the same.
    required = field.field.required or getattr(field.field, "required_when_shown", False)
    marker = '<span class="asteriskField">*</span>' if required else ""
    css = f"{css} requiredField" if required else css
    target = format_html(' for="{}"', field.id_for_label) if tag == "label" else ""
    return f'<{tag}{target} class="{css}">{_text(field.label)}{marker}</{tag}>'


def _labelled(field: BoundField, extra: dict[str, Any] | None) -> str:
    widget = field.field.widget
    value = field.value()
    if isinstance(widget, forms.Select):
        attrs = _control_attrs(field, extra, "form-select")
        control = f"<select{_flat({'name': field.html_name, **attrs, 'id': field.auto_id})}>{_options(field, value)}</select>"
    elif isinstance(widget, forms.Textarea):
        attrs = _control_attrs(field, extra, "form-control")
        text = widget.format_value(value) or ""
        control = f"<textarea{_flat({'name': field.html_name, **attrs, 'id': field.auto_id})}>\n{conditional_escape(text)}</textarea>"
    elif isinstance(widget, forms.widgets.Input):
        attrs = _control_attrs(field, extra, "form-control")
        formatted = widget.format_value(value)
        control = (
            f'<input type="{widget.input_type}"'
            f"{_flat({'name': field.html_name, 'value': formatted, **attrs, 'id': field.auto_id})}>"
        )
    else:  # a widget this module doesn't know: Django draws it
        attrs = _control_attrs(field, extra, "form-control")
        control = field.as_widget(attrs=attrs)
    return (
        f'<div id="div_{conditional_escape(field.auto_id)}" class="mb-3">{_label(field)}{control}'
        f"{_errors(field)}{_help(field)}</div>"
    )


def _options(field: BoundField, value: Any) -> str:
    selected = {str(v) for v in field.field.widget.format_value(value)}
    parts = []
    for key, label in field.field.choices:  # type: ignore[attr-defined]
        if isinstance(label, (list, tuple)):  # an option group
            inner = "".join(_option(k, lbl, selected) for k, lbl in label)
            parts.append(f'<optgroup label="{conditional_escape(key)}">{inner}</optgroup>')
        else:
            parts.append(_option(key, label, selected))
    return "".join(parts)


def _option(key: Any, label: Any, selected: set[str]) -> str:
    key = "" if key is None else str(key)
    mark = " selected" if key in selected else ""
    return f'<option value="{conditional_escape(key)}"{mark}>{_text(label)}</option>'


def _checkbox(field: BoundField, extra: dict[str, Any] | None) -> str:
    widget = field.field.widget
    attrs = _control_attrs(field, extra, "form-check-input")
    if widget.check_test(field.value()):  # type: ignore[attr-defined]
        attrs["checked"] = True
    control = f'<input type="checkbox"{_flat({"name": field.html_name, **attrs, "id": field.auto_id})}>'
    label = f'<label for="{conditional_escape(field.id_for_label)}" class="form-check-label">{_text(field.label)}</label>'
    return (
        f'<div class="mb-3"><div id="div_{conditional_escape(field.auto_id)}" class="form-check">'
        f"{control}{label}{_errors(field)}{_help(field)}</div></div>"
    )


def _radio_inputs(
    field: BoundField, extra: dict[str, Any] | None, css: str
) -> list[tuple[str, str, Any, Any]]:
    """Each choice's radio input with its id, value and label; the group's ``aria-describedby`` belongs
    on the fieldset around them (:func:`_group_described_by`)."""
    attrs = _control_attrs(field, extra, css)
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


def _group_described_by(field: BoundField) -> str:
    described = _described_by(field)
    return f' aria-describedby="{conditional_escape(described)}"' if described else ""


def _radios(field: BoundField, extra: dict[str, Any] | None) -> str:
    inputs = _radio_inputs(field, extra, "form-check-input")
    options = []
    for index, (control, option_id, _key, label) in enumerate(inputs):
        errors = _errors(field, block=True) if index == len(inputs) - 1 else ""
        options.append(
            f'<div class="form-check">{control}'
            f'<label for="{conditional_escape(option_id)}" class="form-check-label">{_text(label)}</label>'
            f"{errors}</div>"
        )
    return (
        f'<div id="div_{conditional_escape(field.auto_id)}" class="mb-3"><fieldset{_group_described_by(field)}>'
        f"{_label(field, 'legend', 'form-label fs-6')}<div>{''.join(options)}</div>{_help(field)}</fieldset></div>"
    )


def _swatches(field: BoundField, extra: dict[str, Any] | None) -> str:
    """Radio buttons in a grid, each name after a swatch of its colour (``widget.swatches``: value →
    ``#RRGGBB``; the stylesheet has a ``.swatch-rrggbb`` rule per colour, as inline styles are refused by
    the content security policy)."""
    swatches = field.field.widget.swatches  # type: ignore[attr-defined]
    options = []
    for control, option_id, key, label in _radio_inputs(field, extra, ""):
        color = str(swatches.get(str(key), "")).lstrip("#").lower()
        options.append(
            f'<div class="form-check theme-swatch">{control}'
            f'<label class="form-check-label" for="{conditional_escape(option_id)}">'
            f'<span class="swatch swatch-{conditional_escape(color)}" aria-hidden="true"></span>'
            f"{_text(label)}</label></div>"
        )
    invalid = " is-invalid" if field.errors else ""
    return (
        f'<fieldset class="mb-3 theme-color" id="div_{conditional_escape(field.auto_id)}"{_group_described_by(field)}>'
        f'<legend class="form-label fs-6 mb-1">{_text(field.label)}</legend>'
        f'<div class="theme-swatches{invalid}">{"".join(options)}</div>'
        f"{_errors(field, block=True)}{_help(field)}</fieldset>"
    )


# --- row sets --------------------------------------------------------------------------------------


def render_rows(
    row_set: Any, formset: Any, *, can_edit: bool, identification: list[dict[str, Any]]
) -> SafeString:
    """One repeating row group. Without JavaScript its buttons post a row action; with it, portal.js
    adds, removes and reorders rows in the page from the ``<template>`` and renumbers the management
    form. Built here rather than by a template per row: the Behaviors step draws 10+ rows."""
    name = conditional_escape(row_set.name)
    max_rows = f' data-max-rows="{row_set.max_rows}"' if row_set.max_rows else ""
    parts = [f'<div class="row-group mb-3" id="rows-{name}" data-row-group="{name}"{max_rows}>']
    parts.extend(
        f'<input type="hidden" name="{conditional_escape(field.html_name)}" '
        f'value="{conditional_escape(field.value())}" id="{conditional_escape(field.auto_id)}">'
        for field in formset.management_form
    )
    if formset.non_form_errors():
        parts.append(f'<div class="alert alert-danger">{conditional_escape(formset.non_form_errors())}</div>')
    rows = formset.forms
    parts.append("<div data-rows>")
    parts.extend(
        _row(row_set, row, index, index + 1, can_edit, first=index == 0, last=index == len(rows) - 1)
        for index, row in enumerate(rows)
    )
    parts.append("</div>")
    empty = _("%(label)s: none yet.") % {"label": conditional_escape(row_set.label)}
    parts.append(
        f'<p class="text-body-secondary small mb-2" data-rows-empty{" hidden" if rows else ""}>{empty}</p>'
    )
    if can_edit:
        template = _row(row_set, formset.empty_form, "__prefix__", "__number__", True, first=False, last=True)
        parts.append(f"<template data-row-template>{template}</template>")
        parts.append(
            '<div class="d-flex flex-wrap gap-2"><button type="submit" class="btn btn-sm btn-outline-primary" '
            f'name="row_action" value="add:{name}" data-row-add>{conditional_escape(row_set.add_label)}</button>'
        )
        if identification:
            identify = conditional_escape(_("Identify the customer:"))
            parts.append(f'<span class="small text-body-secondary align-self-center">{identify}</span>')
            for shortcut in identification:
                parts.append(
                    format_html(
                        '<button type="submit" class="btn btn-sm btn-outline-secondary" name="row_action" '
                        'value="identify:{}" data-identify="{}" data-question-text="{}"{}>{}</button>',
                        shortcut["name"],
                        shortcut["name"],
                        shortcut["text"],
                        mark_safe(" hidden") if shortcut["present"] else "",  # noqa: S308 - a constant
                        shortcut["label"],
                    )
                )
        parts.append("</div>")
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped where it was built


def _row(row_set: Any, row: Any, index: Any, number: Any, can_edit: bool, *, first: bool, last: bool) -> str:
    name = conditional_escape(row_set.name)
    label = _text(row_set.row_label)
    conditions = row_set.row_conditions
    shown = f' data-row-show-when="{conditional_escape(conditions)}"' if conditions else ""
    parts = [
        f'<fieldset class="row-item border rounded p-3 mb-2" data-row data-row-index="{index}"{shown}>'
        f'<legend class="h6 float-none w-auto px-1 mb-1">{label} <span data-row-number>{number}</span></legend>'
    ]
    parts.extend(
        f'<div data-row-field="{conditional_escape(field.name)}">{render_field(field)}</div>' for field in row
    )
    if can_edit:
        which = f'<span class="visually-hidden"> {label} <span data-row-number>{number}</span></span>'
        actions = conditional_escape(_("%(label)s actions") % {"label": row_set.row_label})
        up, down, remove = (conditional_escape(text) for text in (_("Move up"), _("Move down"), _("Remove")))
        parts.append(
            f'<div class="btn-group btn-group-sm" role="group" aria-label="{actions}">'
            '<button type="submit" class="btn btn-outline-secondary" name="row_action" '
            f'value="up:{name}:{index}" data-row-move="up"{" hidden" if first else ""}>{up}{which}</button>'
            '<button type="submit" class="btn btn-outline-secondary" name="row_action" '
            f'value="down:{name}:{index}" data-row-move="down"{" hidden" if last else ""}>{down}{which}</button>'
            '<button type="submit" class="btn btn-outline-danger" name="row_action" '
            f'value="remove:{name}:{index}" data-row-remove>{remove}{which}</button></div>'
        )
    parts.append("</fieldset>")
    return "".join(parts)
