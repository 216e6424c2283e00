"""The channel page's Publish panel and embed code are about the channel's own environment: a promotion
to another environment is shown named by that environment, never as the channel's embed code."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import permissions
from publishing.services import promote, publish, rollback
from tests import factories
from tests.publishing.helpers import approve_revision, approved_channel
from wizard.models import Channel, PublishAttempt

pytestmark = pytest.mark.django_db

EMBED_CODE = re.compile(r'<textarea[^>]*id="embed-snippet-text"[^>]*>(.*?)</textarea>', re.S)


def _attribute(snippet: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', snippet)
    assert found, (name, snippet)
    return found.group(1)


def _embed_code(page: str) -> str:
    found = EMBED_CODE.search(page)
    assert found, "the page shows no embed code"
    return html.unescape(found.group(1))


def _panel(page: str) -> str:
    start = page.index('id="publish-panel"')
    return page[start : page.index("</section>", start)]


def _publish(channel: Channel, user: object) -> PublishAttempt:
    attempt, _created = publish.request_publish(channel, user)  # type: ignore[arg-type]
    attempt.refresh_from_db()
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    channel.refresh_from_db()
    return attempt


def test_after_a_promotion_the_channel_page_shows_its_own_environments_publish_and_embed_code(
    client, emulator_environment, test_environment, no_sleep
):
    publisher = factories.publisher()
    channel = approved_channel(emulator_environment)
    _publish(channel, publisher)
    approve_revision(channel, {**channel.data, "appearance": {**channel.data["appearance"], "title": "Two"}})
    live_here = _publish(channel, publisher)  # revision 2 is live in the emulator
    admin = factories.UserFactory(groups=[permissions.ADMINISTRATORS, permissions.PUBLISHERS])
    rollback.roll_back(channel, admin, 1, skip_reason="Back to the first title")
    channel.refresh_from_db()
    promoted = promote.request_promotion(channel, test_environment, publisher)  # revision 3 to the test org
    assert promoted.state == "succeeded", (promoted.error_message, promoted.failed_operation)
    assert promoted.widget_app_id != live_here.widget_app_id

    client.force_login(publisher)
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Approved (revision 2 is live)" in page

    panel = _panel(page)
    assert "Revision 2 to Local Dataverse (emulator) at" in panel
    assert f'<code class="widget-app-id">{live_here.widget_app_id}</code>' in panel
    # The promotion is listed under its own environment's name, with that environment's app id.
    assert "In another environment: Local Dataverse (test)" in panel
    assert "Revision 3 to Local Dataverse (test) at" in panel
    assert "Widget app ID in Local Dataverse (test)" in panel
    assert f'<code class="widget-app-id-elsewhere">{promoted.widget_app_id}</code>' in panel

    code = _embed_code(page)
    assert _attribute(code, "data-app-id") == live_here.widget_app_id
    assert _attribute(code, "data-org-url") == _attribute(live_here.widget_snippet, "data-org-url")
    assert _attribute(code, "data-org-url") != _attribute(promoted.widget_snippet, "data-org-url")
    assert "Embed code for Local Dataverse (emulator)" in page
    assert "This code shows the chat widget of Local Dataverse (emulator)." in page
    assert "Embed code for Local Dataverse (test)" not in page

    # The panel's htmx refresh picks the same publishes as the page.
    fragment = client.get(reverse("publishing:publish_status", args=[channel.pk])).content.decode()
    assert f'<code class="widget-app-id">{live_here.widget_app_id}</code>' in fragment
    assert f'<code class="widget-app-id-elsewhere">{promoted.widget_app_id}</code>' in fragment


def test_a_running_promotion_is_named_by_its_environment_and_leaves_the_channels_publish_shown(client):
    own, other = factories.EnvironmentFactory(name="Production"), factories.EnvironmentFactory(name="Test")
    channel = approved_channel(own)
    revision = channel.revisions.get()
    publisher = factories.publisher()
    snippet = '<script v2 id="Microsoft_Omnichannel_LCWidget" data-app-id="{}"></script>'
    PublishAttempt.objects.create(
        channel=channel,
        revision=revision,
        environment=own,
        requested_by=publisher,
        state="succeeded",
        widget_app_id="app-production",
        widget_snippet=snippet.format("app-production"),
        finished_at=timezone.now(),
    )
    promotion = PublishAttempt.objects.create(
        channel=channel, revision=revision, environment=other, requested_by=publisher, state="running"
    )
    client.force_login(publisher)
    url = reverse("publishing:publish_status", args=[channel.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    body = running.content.decode()
    assert 'hx-trigger="every 1s"' in body and "HX-Refresh" not in running
    assert "Revision 1 to Test" in body and "In another environment: Test" in body
    assert '<code class="widget-app-id">app-production</code>' in body
    assert "Publish revision 1 to" not in body  # one publish of a channel at a time

    promotion.state = "succeeded"
    promotion.widget_app_id = "app-test"
    promotion.widget_snippet = snippet.format("app-test")
    promotion.finished_at = timezone.now()
    promotion.save()
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert _attribute(_embed_code(page), "data-app-id") == "app-production"
    assert "Embed code for Production" in page and "Widget app ID in Test" in page
