"""The import page, Check for drift, the per-field choice and the drift badge, through the views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from publishing import mapping
from publishing.models import EnvironmentLink
from tests import factories
from tests.publishing.helpers import FULL, approve_revision, approved_channel
from tests.publishing.org import org_widget
from tests.publishing.test_drift import publish_now
from wizard.models import Channel, ChannelStatus

pytestmark = pytest.mark.django_db


def test_import_page_lists_and_imports(client, emulator_environment, knobs, no_sleep):
    wid = org_widget(knobs.client, "<b>Bold</b> widget")
    client.force_login(factories.publisher())
    url = reverse("publishing:import")
    page = client.get(url).content.decode()
    assert emulator_environment.name in page
    page = client.get(url, {"environment": emulator_environment.pk}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; widget" in page and "<b>Bold</b>" not in page
    assert "Existing chat workstream" in page and "Korean" in page
    response = client.post(url, {"environment": emulator_environment.pk, "widget": [wid]})
    assert response.status_code == 200
    channel = Channel.objects.get(name="<b>Bold</b> widget")
    assert channel.status == ChannelStatus.PUBLISHED
    assert channel.get_absolute_url() in response.content.decode()
    # Double submit: the same channel, not a second one.
    again = client.post(url, {"environment": emulator_environment.pk, "widget": [wid]})
    assert "Already a channel" in again.content.decode()
    assert Channel.objects.filter(name="<b>Bold</b> widget").count() == 1


def test_import_page_refuses_bad_input(client, emulator_environment, knobs):
    url = reverse("publishing:import")
    client.force_login(factories.author())
    assert client.get(url).status_code == 403
    client.force_login(factories.publisher())
    assert client.get(url, {"environment": "abc"}).status_code == 404
    assert client.get(url, {"environment": "9" * 30}).status_code == 404
    assert client.get(url, {"environment": "999999"}).status_code == 404
    response = client.post(url, {"environment": emulator_environment.pk, "widget": ["javascript:alert(1)"]})
    assert response.status_code == 200 and "Choose at least one chat widget" in response.content.decode()
    assert client.put(url).status_code == 405


def test_check_and_choose_on_the_channel_page(client, emulator_environment, knobs, no_sleep):
    channel = approved_channel(emulator_environment, **FULL)
    assert publish_now(channel).state == "succeeded"
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "<script>x</script>"})
    client.force_login(factories.publisher())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Check for drift" in page and "Not checked yet" in page
    response = client.post(reverse("publishing:check_drift", args=[channel.pk]), follow=True)
    page = response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert 'data-field="appearance.title"' in page
    listing = client.get(reverse("wizard:channels")).content.decode()
    assert "Changed in the environment" in listing
    # "Keep every live value": the draft takes the org's title and needs review.
    channel.refresh_from_db()
    approve_revision(channel, channel.data)
    client.post(reverse("publishing:resolve_drift", args=[channel.pk]), {"all": "live"})
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.DRAFT
    assert channel.data["appearance"]["title"] == "<script>x</script>"
    assert "Changed in the environment" not in client.get(reverse("wizard:channels")).content.decode()


def test_drift_views_refuse_bad_requests(client, emulator_environment, knobs):
    channel = approved_channel(emulator_environment, **FULL)
    client.force_login(factories.author())
    assert client.post(reverse("publishing:check_drift", args=[channel.pk])).status_code == 403
    client.force_login(factories.publisher())
    assert client.get(reverse("publishing:check_drift", args=[channel.pk])).status_code == 405
    response = client.post(reverse("publishing:check_drift", args=[channel.pk]), follow=True)
    assert "No revision of this channel is live" in response.content.decode()
    response = client.post(
        reverse("publishing:resolve_drift", args=[channel.pk]), {"choice-x": "y"}, follow=True
    )
    assert "Nothing has drifted" in response.content.decode()
    assert client.post(reverse("publishing:resolve_drift", args=[99999999])).status_code == 404
    assert not EnvironmentLink.objects.filter(channel=channel).exists()


def test_an_overwrite_reason_past_its_limit_is_refused_and_shown_whole(
    client, emulator_environment, knobs, no_sleep
):
    channel = approved_channel(emulator_environment, **FULL)
    assert publish_now(channel).state == "succeeded"
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed in the org"})
    client.force_login(factories.publisher())
    page = client.post(reverse("publishing:check_drift", args=[channel.pk]), follow=True).content.decode()
    form = page[page.index('class="card my-4 drift-panel"') :]
    assert "maxlength" not in form
    assert 'data-max-length="1000" data-count-characters' in form
    reason = "The <b>org</b> title is wrong " + "x" * 1000
    response = client.post(
        reverse("publishing:resolve_drift", args=[channel.pk]),
        {"choice-appearance.title": "overwrite", "reason": reason},
        follow=True,
    )
    page = response.content.decode()
    message = f"Shorten this text to at most 1000 characters (it has {len(reason)})."
    assert f'<div class="invalid-feedback" id="id_reason_error">{message}</div>' in page
    assert "The &lt;b&gt;org&lt;/b&gt; title is wrong " + "x" * 1000 + "</textarea>" in page
    assert 'value="overwrite" id="overwrite-1" checked' in page
    link = EnvironmentLink.objects.get(channel=channel)
    assert link.drifted and not link.drift["overwrite"]


def test_the_drift_service_refuses_a_reason_past_its_limit(client, emulator_environment, knobs, no_sleep):
    from publishing.services import drift

    channel = approved_channel(emulator_environment, **FULL)
    assert publish_now(channel).state == "succeeded"
    wid = mapping.widget_id(channel.pk, emulator_environment.pk)
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed in the org"})
    user = factories.publisher()
    channel.refresh_from_db()
    drift.check(channel, user)
    with pytest.raises(drift.DriftError, match=r"at most 1000 characters \(it has 1001\)"):
        drift.resolve(channel, user, {"appearance.title": "overwrite"}, "x" * 1001)
