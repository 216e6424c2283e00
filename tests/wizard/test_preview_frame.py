"""The page inside the preview iframe: permissions, framing and content security headers, the embedded JSON."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories
from wizard.models import Revision

XSS = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def channel(db):
    channel = factories.ChannelFactory(owner=factories.author(username="author"))
    channel.data["appearance"]["title"] = "Draft title"
    channel.save()
    return channel


def frame_url(channel, **query):
    url = reverse("wizard:preview_frame", args=[channel.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def payload(response):
    match = re.search(
        r'<script id="preview-payload" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the frame page embeds the payload"
    return json.loads(match.group(1))


def test_frame_needs_sign_in_and_permission(client, channel):
    response = client.get(frame_url(channel))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(frame_url(channel)).status_code == 403


def test_frame_is_get_only(client, channel):
    client.force_login(channel.owner)
    assert client.post(frame_url(channel)).status_code == 405


def test_frame_may_be_framed_by_the_portal_only_and_styles_need_the_nonce(client, channel):
    client.force_login(channel.owner)
    response = client.get(frame_url(channel))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    nonce = next(source for source in directives["style-src"] if source.startswith("'nonce-"))[7:-1]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html and "/static/preview/widget.js" in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_other_pages_still_refuse_framing(client, channel):
    client.force_login(channel.owner)
    response = client.get(reverse("wizard:step", args=[channel.pk, "appearance"]))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_frame_embeds_the_draft_values_and_context(client, channel):
    client.force_login(channel.owner)
    data = payload(client.get(frame_url(channel, state="prechat", device="mobile")))
    assert data["values"]["appearance"]["title"] == "Draft title"
    assert data["state"] == "prechat" and data["device"] == "mobile"
    assert data["context"]["themes"]["19236001"] == "#BA1E27"


def test_frame_json_cannot_close_its_script_element(client, channel):
    channel.data["appearance"].update(title=XSS, subtitle=XSS)
    channel.data["behaviors"]["questions"] = [
        {"name": "q", "text": XSS, "answer_type": "192350002", "options": XSS}
    ]
    channel.save()
    client.force_login(channel.owner)
    response = client.get(frame_url(channel, state="<script>"))
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    data = payload(response)
    assert data["values"]["appearance"]["title"] == XSS  # the text arrives intact, as text
    assert data["state"] == "open"


def test_revision_frame_shows_that_revision(client, channel):
    revision = Revision.objects.create(
        channel=channel,
        number=3,
        data={**channel.data, "appearance": {**channel.data["appearance"], "title": "Revision three"}},
        content_hash="x",
        created_by=channel.owner,
    )
    client.force_login(factories.reviewer(username="rev"))
    url = reverse("wizard:revision_preview_frame", args=[channel.pk, revision.number])
    response = client.get(url)
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert payload(response)["values"]["appearance"]["title"] == "Revision three"
    assert client.get(reverse("wizard:revision_preview_frame", args=[channel.pk, 4])).status_code == 404
    other = factories.ChannelFactory(owner=channel.owner)
    assert client.get(reverse("wizard:revision_preview_frame", args=[other.pk, 3])).status_code == 404


def test_compare_page_shows_both_revisions_in_their_own_frames(client, channel):
    for number in (1, 2):
        Revision.objects.create(
            channel=channel,
            number=number,
            data=channel.data,
            content_hash=str(number),
            created_by=channel.owner,
        )
    client.force_login(channel.owner)
    html = client.get(reverse("wizard:compare", args=[channel.pk]) + "?a=1&b=2").content.decode()
    for number in (1, 2):
        assert f'src="{reverse("wizard:revision_preview_frame", args=[channel.pk, number])}"' in html


def test_frame_page_renders_with_hashed_static_names(client, channel, tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    client.force_login(channel.owner)
    html = client.get(frame_url(channel)).content.decode()
    bundle = re.search(r'<script src="(/static/preview/widget\.[0-9a-f]{12}\.js)"', html)
    assert bundle, "the bundle is served under its hashed name"
    # The bundle finds its icon fonts next to itself, under their own names.
    assert list((tmp_path / "preview" / "fonts").glob("fabric-icons-*.woff"))


@pytest.mark.parametrize(
    ("widget_language", "reader_language", "typing", "note"),
    [
        ("1033", "ko", "Type your message", "대화 후 설문이 꺼져"),
        ("1042", "en", "메시지를 입력하세요", "The post-conversation survey is off"),
        ("1036", "ko", "Type your message", "대화 후 설문이 꺼져"),
    ],
    ids=["english-widget-korean-reader", "korean-widget-english-reader", "french-widget"],
)
def test_the_widgets_own_texts_are_in_the_widgets_language(
    client, channel, widget_language, reader_language, typing, note
):
    from wizard.preview import build_preview

    channel.data["details"]["language"] = widget_language
    channel.save()
    client.force_login(channel.owner)
    # override() puts back the language the request (LocaleMiddleware) leaves active in this thread.
    with translation.override(reader_language):
        text = payload(client.get(frame_url(channel), HTTP_ACCEPT_LANGUAGE=reader_language))["context"][
            "text"
        ]
    assert text["type_message"] == typing
    # The notes to the author beside the widget are in the language the author reads the portal in.
    assert note in text["note_postchat_off"]
    # A language the preview has no texts for is said so among the checks.
    said = {check.code for check in build_preview(channel.data).checks}
    assert ("preview_language" in said) == (widget_language == "1036")
