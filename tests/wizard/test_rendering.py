"""The plain step-form renderer writes the markup crispy-bootstrap5 wrote, without its template chain."""

import html
import re

import pytest
from django.template import Context, Template

from wizard.choices import provider_for
from wizard.forms import StepContext
from wizard.forms.rendering import render_form
from wizard.options import ANSWER_OPTION_SET
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
            if "maxlength" in attrs:  # written as data-max-length here: a browser cuts text at maxlength
                attrs["data-max-length"] = attrs.pop("maxlength")
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
    ours.required_when_shown = frozenset()  # crispy knows no marker for fields required only while shown
    for name in list(ours.fields):
        ours.own_field(name).widget.swatches = {}  # nor swatches: compared as the radio buttons they are
    assert _shape(render_form(ours, {"can_edit": True})) == _shape(crispy)


@pytest.mark.parametrize(
    ("slug", "names"),
    [
        ("workstream", ("workstream_name", "existing_workstream", "fallback_queue_name", "existing_queue")),
        ("appearance", ("generic_agent_name", "reconnect_time_limit", "operating_hours", "offline_title")),
        ("features", ("email_template", "mailbox", "screen_sharing_provider", "cobrowse_provider")),
    ],
)
def test_fields_required_while_shown_carry_the_required_marker(slug, names):
    html = render_form(_form(slug), {"can_edit": True})
    for name in names:
        label = re.search(rf'<label for="id_{name}"[^>]*>.*?</label>', html).group(0)
        assert "requiredField" in label and '<span class="asteriskField">*</span>' in label
        control = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>', html).group(0)
        assert " required" not in control  # hidden while not chosen: the browser must not demand it


def test_an_option_set_questions_options_carry_the_required_marker():
    question = {
        "name": "Topic",
        "text": "Topic?",
        "answer_type": ANSWER_OPTION_SET,
        "options": "",
        "required": True,
    }
    html = render_form(_form("behaviors", prechat_enabled=True, questions=[question]), {"can_edit": True})
    label = re.search(r'<label for="id_questions-0-options"[^>]*>.*?</label>', html).group(0)
    assert "requiredField" in label and '<span class="asteriskField">*</span>' in label


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
    # The theme colours keep their swatches, errors included.
    assert 'class="mb-3 theme-color"' in html and 'id="id_theme_color_error"' in html
    assert 'class="theme-swatches is-invalid"' in html


def test_theme_colours_are_radio_buttons_after_a_swatch_of_their_colour():
    from django.contrib.staticfiles import finders

    from wizard.options import THEME_COLORS

    html = render_form(_form("appearance", theme_color="19236001"), {"can_edit": True})
    stylesheet = open(finders.find("css/portal.css"), encoding="utf-8").read()
    for index, color in enumerate(THEME_COLORS):
        option = re.search(
            rf'<label class="theme-swatch"><input type="radio"[^>]*value="{color.value}"'
            rf'[^>]*id="id_theme_color_{index}"[^>]*>'
            rf'<span class="swatch swatch-{color.hex[1:].lower()}"></span>{color.label}</label>',
            html,
        )
        assert option, color
        assert (" checked" in option.group(0)) == (color.value == "19236001")
        # The stylesheet draws each swatch: inline styles would be refused by the content security policy.
        assert f".swatch-{color.hex[1:].lower()} {{ background: {color.hex}; }}" in stylesheet


def test_row_sets_are_drawn_with_their_buttons_template_and_escaped_values():
    form = _form(
        "appearance",
        domains_only=True,
        domains=[{"domain": "a.example"}, {"domain": "b.example"}],
    )
    html = render_form(form, {"can_edit": True})
    group = re.search(
        r'<div class="row-group mb-3" id="rows-domains" data-row-group="domains" data-max-rows="50">', html
    )
    assert group
    assert '<input type="hidden" name="domains-TOTAL_FORMS" value="2" id="id_domains-TOTAL_FORMS">' in html
    # A saved step's row counts are numbers, as a new step's are (never "None").
    assert (
        '<input type="hidden" name="domains-MAX_NUM_FORMS" value="50" id="id_domains-MAX_NUM_FORMS">' in html
    )
    assert 'name="domains-MIN_NUM_FORMS" value="0"' in html and 'value="None"' not in html
    assert html.count('data-row data-row-index="') == 3  # two rows and the template for new ones
    # The limit is said beside the add button, which a screen reader reads it with (it greys out there).
    assert (
        'value="add:domains" data-row-add aria-describedby="rows-domains-limit">Add domain</button>' in html
    )
    assert (
        '<span class="small text-body-secondary align-self-center" id="rows-domains-limit">Domains: at most 50.</span>'
        in html
    )
    assert (
        '<template data-row-template><fieldset class="row-item border rounded p-3 mb-2" data-row data-row-index="__prefix__">'
        in html
    )
    # Domains have no order: a row can only be removed, and its button names its row for screen readers.
    assert "data-row-move" not in html
    assert (
        'value="remove:domains:0" data-row-remove>Remove<span class="visually-hidden"> Domain '
        "<span data-row-number>1</span>" in html
    )
    assert '<p class="text-body-secondary small mb-2" data-rows-empty hidden>Domains: none yet.</p>' in html
    read_only = render_form(form, {"can_edit": False})
    assert "data-row-template" not in read_only and "row_action" not in read_only
    assert 'value="a.example"' in read_only


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


def test_row_buttons_and_notes_are_translated():
    from django.utils import translation

    with translation.override("ko"):
        html = render_form(_form("behaviors", prechat_enabled=True, questions=[]), {"can_edit": True})
    assert "위로 이동" in html and "아직 없음" in html and "Move up" not in html


def _complete(slug, **values):
    from tests.factories import complete_data

    data = complete_data()
    data[slug].update(values)
    form_class = get_step(slug).form_class
    return form_class(data[slug], choices=provider_for(None), context=StepContext(data=data))


@pytest.mark.parametrize("slug", [step.slug for step in FORM_STEPS])
def test_a_form_drawn_in_cached_pieces_is_the_form_drawn_whole(slug):
    from portal.caching import renderings

    renderings.clear()
    whole = render_form(_complete(slug), {"can_edit": True})
    for _time in ("drawn", "from the cache"):
        form = _complete(slug)
        assert form.is_valid()
        form = _complete(slug)
        form.take_as_checked()
        form.piece_key = "context"
        assert render_form(form, {"can_edit": True}) == whole


def test_only_the_piece_holding_a_changed_value_is_drawn_again(monkeypatch):
    from portal.caching import renderings
    from wizard.forms import rendering

    renderings.clear()
    drawn = []
    top = {id(item) for item in _complete("behaviors").helper.layout.fields}
    real = rendering._render_item

    def render_item(item, *args):
        if id(item) in top:  # an item of the layout itself, not of one of its fieldsets
            drawn.append(item)
        return real(item, *args)

    monkeypatch.setattr(rendering, "_render_item", render_item)

    def draw(**values):
        form = _complete("behaviors", **values)
        form.take_as_checked()
        form.piece_key = "context"
        html = render_form(form, {"can_edit": True})
        return html, form

    draw(survey_link_message="First")
    pieces = len(drawn)
    drawn.clear()
    html, form = draw(survey_link_message="Second <b>bold</b>")
    assert len(drawn) == 1 and pieces > 1  # the post-conversation fieldset alone
    assert "Second &lt;b&gt;bold&lt;/b&gt;" in html
    # The questions' rows came from the cache: their forms were never built.
    assert "forms" not in form.rows["questions"].__dict__
    # Someone who can't edit sees no row buttons: a piece of its own.
    drawn.clear()
    form = _complete("behaviors", survey_link_message="Second <b>bold</b>")
    form.take_as_checked()
    form.piece_key = "context"
    assert "data-row-remove" not in render_form(form, {"can_edit": False}) and len(drawn) == pieces
