"""Text limits said beside the field instead of cut by the browser (portal/forms/lengths.py)."""

from __future__ import annotations

from django import forms

from portal.forms.lengths import TEXT_TOO_LONG, LengthLimitMixin, too_long


class _Form(LengthLimitMixin, forms.Form):
    name = forms.CharField(max_length=5)
    note = forms.CharField(max_length=10, required=False, widget=forms.Textarea)
    free = forms.CharField(required=False)


def test_maxlength_becomes_data_max_length_on_every_limited_field():
    form = _Form()
    html = str(form)
    assert "maxlength" not in html
    assert 'data-max-length="5" data-count-characters' in html
    assert 'data-max-length="10" data-count-characters' in html
    assert form.max_lengths == {"name": 5, "note": 10}
    assert "data-max-length" not in str(form["free"])
    assert form.too_long_message is TEXT_TOO_LONG


def test_a_text_past_its_limit_is_refused_with_one_message_and_kept_whole():
    form = _Form({"name": "Contoso", "note": "🙂" * 10})
    assert not form.is_valid()
    assert form.errors == {"name": ["Shorten this text to at most 5 characters (it has 7)."]}
    assert 'value="Contoso"' in str(form["name"])
    assert too_long(5, 7) == "Shorten this text to at most 5 characters (it has 7)."


def test_the_limit_of_one_form_leaves_the_class_fields_alone():
    _Form()
    assert _Form.base_fields["name"].widget.attrs == {"maxlength": "5"}
