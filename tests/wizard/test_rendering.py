"""The plain step-form renderer writes the markup crispy-bootstrap5 wrote, without its template chain."""

import html
import re

import pytest
from django.template import Context, Template

from wizard.choices import provider_for
from wizard.forms import StepContext
from wizard.forms.rendering import render_form
from wizard.steps import FORM_STEPS, get_step

pytestmark = pytest.mark.django_db


def _form(slug, **values):
    form_class = get_step(slug).form_class
    data = form_class.default_values()
    data.update(values)
    return form_class(data, choices=provider_for(None), context=StepContext())


def _shape(markup):
    """Tags, attributes and text, ignoring whitespace, attribute order and crispy's widget-type classes."""
    tags = []
    for tag in re.findall(r"<[^>]+>|[^<]+", markup):
        if tag.startswith("<"):
            name = re.match(r"</?[\w-]+", tag).group(0)
            attrs = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', tag[len(name) :]))
            if "class" in attrs:
                drop = {"textinput", "select", "checkboxinput", "numberinput", "textarea", "d-block"}
                attrs["class"] = " ".join(sorted(set(attrs["class"].split()) - drop))
            tags.append((name.replace("span", "p"), tuple(sorted(attrs.items()))))
        elif tag.split():
            # crispy marks help texts safe where this renderer escapes them; compare the text.
            tags.append(" ".join(html.unescape(tag).split()))
    return tags


@pytest.mark.parametrize("slug", [step.slug for step in FORM_STEPS])
def test_every_step_renders_as_crispy_did(slug):
    crispy = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": _form(slug)}))
    ours = _form(slug)
    for field in ours.fields.values():  # crispy knows no marker for fields required only while shown
        field.required_when_shown = False
    assert _shape(render_form(ours, {"can_edit": True})) == _shape(crispy)


def test_fields_required_while_shown_carry_the_required_marker():
    html = render_form(_form("workstream"), {"can_edit": True})
    for name in ("workstream_name", "existing_workstream", "fallback_queue_name", "existing_queue"):
        label = re.search(rf'<label for="id_{name}"[^>]*>.*?</label>', html).group(0)
        assert "requiredField" in label and '<span class="asteriskField">*</span>' in label
        control = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>', html).group(0)
        assert " required" not in control  # hidden while not chosen: the browser must not demand it


def test_errors_are_tied_to_their_controls_and_everything_is_escaped():
    form = _form(
        "appearance", title="<script>x</script>" * 10, logo_url="javascript:alert(1)", theme_color="x"
    )
    html = render_form(form, {"can_edit": True})
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    title = re.search(r"<input[^>]*name=\"title\"[^>]*>", html).group(0)
    assert "is-invalid" in title and 'aria-invalid="true"' in title
    assert 'aria-describedby="id_title_helptext id_title_error"' in title
    assert '<div id="id_title_error" class="invalid-feedback">' in html
    assert (
        '<label for="id_title" class="form-label requiredField">Title<span class="asteriskField">*</span></label>'
        in html
    )
    assert 'value="javascript:alert(1)"' in html and 'href="javascript' not in html
    assert "Enter a URL that starts with https://" in html
    # The theme colour keeps its own swatch template, errors included.
    assert 'class="mb-3 theme-color"' in html and 'id="id_theme_color_error"' in html


def test_rows_checkboxes_and_radios_keep_labels_and_state():
    form = _form(
        "behaviors",
        prechat_enabled=True,
        questions=[
            {"name": "Name", "text": "Your <i>name</i>?", "answer_type": "192350000", "required": True}
        ],
    )
    html = render_form(form, {"can_edit": True})
    assert 'name="questions-0-text"' in html and "Your &lt;i&gt;name&lt;/i&gt;?" in html
    assert re.search(r'<input type="checkbox" name="prechat_enabled"[^>]* checked', html)
    assert '<label for="id_prechat_enabled" class="form-check-label">' in html
    radios = render_form(_form("workstream"), {"can_edit": True})
    assert re.search(
        r'<input type="radio" class="form-check-input" name="workstream_mode" value="new"[^>]* checked',
        radios,
    )
    assert (
        '<legend class="form-label fs-6 requiredField">Workstream<span class="asteriskField">*</span></legend>'
        in radios
    )


def test_the_step_page_no_longer_loads_crispy_templates(client, django_assert_max_num_queries):
    from django.test.signals import template_rendered

    from tests.factories import ChannelFactory, author

    user = author(username="author")
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    names = []

    def seen(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(seen)
    try:
        client.get(f"/channels/{channel.pk}/steps/appearance/")
    finally:
        template_rendered.disconnect(seen)
    assert not [name for name in names if name and name.startswith("bootstrap5/")]
