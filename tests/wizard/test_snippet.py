import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from wizard.models import PublishAttempt, Revision
from wizard.snippet import build_snippet, clean_options, parse_snippet

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
    options, errors = clean_options(
        {
            "hide_chat_button": "on",
            "color_override": "#0B5CAB",
            "font_family_override": "Segoe UI, Arial",
            "disable_telemetry": "on",
        }
    )
    assert errors == []
    built = build_snippet(parse_snippet(SNIPPET), options)
    assert 'data-hide-chat-button="true"' in built and 'data-color-override="#0B5CAB"' in built
    assert 'data-font-family-override="Segoe UI, Arial"' in built
    _, errors = clean_options({"color_override": "red;x", "font_family_override": '"><script>'})
    assert len(errors) == 2


@pytest.fixture
def published(db):
    author = factories.author(username="author")
    env = factories.EnvironmentFactory()
    channel = factories.ChannelFactory(owner=author, environment=env)
    revision = Revision.objects.create(
        channel=channel, number=1, data=channel.data, content_hash="x", created_by=author
    )
    PublishAttempt.objects.create(
        channel=channel,
        revision=revision,
        environment=env,
        requested_by=author,
        state="succeeded",
        widget_app_id="0f3b1c2d",
        widget_snippet=SNIPPET,
        finished_at=timezone.now(),
    )
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
