import pytest
from django.urls import reverse

from tests import factories
from wizard.models import Revision
from wizard.snippet import OPTIONS, EmbedOptionsForm, build_snippet, parse_snippet

SNIPPET = (
    '<script v2 id="Microsoft_Omnichannel_LCWidget" src="https://oc-cdn-public.azureedge.net/livechatwidget/'
    'scripts/LiveChatBootstrapper.js" data-app-id="0f3b1c2d-aaaa-bbbb-cccc-1234567890ab" data-lcw-version="prod" '
    'data-org-id="7f2e4a10-1111-2222-3333-444455556666" data-org-url="https://m-7f2e4a10.us.omnichannelengagementhub.com">'
    "</script>"
)


def test_parse_keeps_known_attributes_in_order():
    names = [name for name, _ in parse_snippet(SNIPPET)]
    assert names == ["v2", "id", "src", "data-app-id", "data-lcw-version", "data-org-id", "data-org-url"]
    assert build_snippet(parse_snippet(SNIPPET)) == SNIPPET


def test_parse_drops_handlers_and_escapes_values():
    hostile = (
        '<script v2 onload="alert(1)" data-app-id="a&quot;&gt;<b>" src="x"></script><script id=two></script>'
    )
    attributes = parse_snippet(hostile)
    assert ("onload", "alert(1)") not in attributes
    built = build_snippet(attributes)
    assert "onload" not in built and '"><b>' not in built
    assert 'data-app-id="a&quot;&gt;&lt;b&gt;"' in built
    assert parse_snippet("not html at all") == []


def test_options_are_added_and_validated():
    form = EmbedOptionsForm(
        {
            "hide_chat_button": "on",
            "color_override": "#0B5CAB",
            "font_family_override": "Segoe UI, Arial",
            "disable_telemetry": "on",
        }
    )
    assert form.is_valid(), form.errors
    built = build_snippet(parse_snippet(SNIPPET), form.chosen())
    assert 'data-hide-chat-button="true"' in built and 'data-color-override="#0B5CAB"' in built
    assert 'data-font-family-override="Segoe UI, Arial"' in built
    assert "data-render-mobile" not in built


def test_the_form_has_a_field_per_option():
    assert list(EmbedOptionsForm().fields) == [option.name for option in OPTIONS]


def test_each_refused_option_has_its_own_message_and_the_valid_ones_stay():
    form = EmbedOptionsForm(
        {"color_override": "red;x", "font_family_override": '"><script>', "render_mobile": "on"}
    )
    assert not form.is_valid()
    assert form.errors["color_override"] == ["Enter the colour override as #RRGGBB, for example #0B5CAB."]
    assert form.errors["font_family_override"][0].startswith("Enter font names separated by commas")
    assert form.chosen() == {"data-render-mobile": "true"}


def test_a_text_past_its_limit_is_refused_with_the_length_message_alone():
    form = EmbedOptionsForm({"color_override": "#0B5CAB0", "font_family_override": "Arial," * 40})
    assert not form.is_valid()
    # A colour too long is not a colour: the message says what to enter instead of how long it may be.
    assert form.errors["color_override"] == ["Enter the colour override as #RRGGBB, for example #0B5CAB."]
    assert form.errors["font_family_override"] == [
        "Shorten this text to at most 200 characters (it has 240)."
    ]
    assert form.max_lengths == {"font_family_override": 200}


@pytest.fixture
def published(db):
    author = factories.author(username="author")
    env = factories.EnvironmentFactory()
    channel = factories.ChannelFactory(owner=author, environment=env)
    revision = Revision.objects.create(
        channel=channel, number=1, data=channel.data, content_hash="x", created_by=author
    )
    factories.live_in_its_environment(revision, author, widget_app_id="0f3b1c2d", widget_snippet=SNIPPET)
    return channel


def test_channel_page_shows_escaped_snippet_and_builder(client, published):
    client.force_login(published.owner)
    html = client.get(reverse("wizard:channel", args=[published.pk])).content.decode()
    assert "&lt;script v2 id=&quot;Microsoft_Omnichannel_LCWidget&quot;" in html
    assert "data-copy-snippet" in html and 'aria-label="Widget preview"' in html
    assert "Optional data tags" in html
    html = client.get(
        reverse("wizard:channel", args=[published.pk]), {"snippet_options": "1", "render_mobile": "on"}
    ).content.decode()
    assert "data-render-mobile=&quot;true&quot;" in html


def test_unpublished_channel_has_no_snippet(client, db):
    channel = factories.ChannelFactory(owner=factories.author(username="author"))
    client.force_login(channel.owner)
    html = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "data-copy-snippet" not in html


def test_refused_options_keep_what_was_typed_with_an_error_beside_each(client, published):
    client.force_login(published.owner)
    page = client.get(
        reverse("wizard:channel", args=[published.pk]),
        {"snippet_options": "1", "color_override": "red", "font_family_override": 'Segoe UI"><b>x'},
    ).content.decode()
    color = page[
        page.index('id="snippet-color_override"') - 200 : page.index('id="snippet-color_override_error"')
        + 200
    ]
    assert 'value="red"' in color
    assert 'class="form-control form-control-sm is-invalid"' in color and 'aria-invalid="true"' in color
    assert 'aria-describedby="snippet-color_override_error snippet-color_override_help"' in color
    assert (
        '<div class="invalid-feedback" id="snippet-color_override_error">'
        "Enter the colour override as #RRGGBB, for example #0B5CAB.</div>"
    ) in color
    font = page[
        page.index('id="snippet-font_family_override"') : page.index('id="snippet-font_family_override_help"')
    ]
    assert 'value="Segoe UI&quot;&gt;&lt;b&gt;x"' in font and "<b>x" not in page
    assert 'aria-invalid="true"' in font
    assert 'aria-describedby="snippet-font_family_override_error snippet-font_family_override_help"' in font
    assert 'id="snippet-font_family_override_error">Enter font names separated by commas' in font
    assert "alert alert-danger" not in page
    # Neither refused value is in the code; the code is the stored one.
    assert "data-color-override" not in page.split('id="embed-snippet-text"')[1].split("</textarea>")[0]


def test_the_options_say_their_limit_instead_of_cutting_the_text(client, published):
    client.force_login(published.owner)
    page = client.get(reverse("wizard:channel", args=[published.pk])).content.decode()
    form = page[page.index("data-snippet-options") : page.index("data-snippet-submit")]
    assert "maxlength" not in form
    assert (
        'data-too-long-message="Shorten this text to at most %(limit)d characters (it has %(length)d)."'
        in form
    )
    assert 'data-max-length="200" data-count-characters' in form
    long_font = "Arial," * 40
    page = client.get(
        reverse("wizard:channel", args=[published.pk]),
        {"snippet_options": "1", "font_family_override": long_font},
    ).content.decode()
    assert f'value="{long_font}"' in page
    assert "Shorten this text to at most 200 characters (it has 240)." in page
