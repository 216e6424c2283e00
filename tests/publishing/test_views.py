"""The publish view, the status fragment and the choices refresh view (with the task stubbed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.publishing.helpers import approve_revision, approved_channel
from wizard.models import ChannelStatus, PublishAttempt, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record enqueued publishes instead of running them (attempts stay queued)."""
    calls: list[int] = []
    monkeypatch.setattr("publishing.tasks.publish_channel", SimpleNamespace(enqueue=calls.append))
    return calls


@pytest.fixture
def environment():
    return factories.EnvironmentFactory()


def test_publish_needs_the_permission(client, environment, enqueued):
    channel = approved_channel(environment)
    client.force_login(factories.author())
    response = client.post(reverse("publishing:publish", args=[channel.pk]))
    assert response.status_code == 403
    assert not PublishAttempt.objects.exists()
    assert enqueued == []


def test_publish_refuses_an_unapproved_revision(client, environment, enqueued):
    channel = approved_channel(environment)
    revision = channel.revisions.get()
    revision.state = Revision.State.IN_REVIEW
    revision.approved_hash = ""
    revision.save()
    client.force_login(factories.publisher())
    response = client.post(reverse("publishing:publish", args=[channel.pk]), follow=True)
    assert not PublishAttempt.objects.exists()
    assert "approved" in response.content.decode()


def test_publish_refuses_a_revision_changed_after_approval(client, environment, enqueued):
    channel = approved_channel(environment)
    Revision.objects.filter(channel=channel).update(approved_hash="0" * 64)
    client.force_login(factories.publisher())
    client.post(reverse("publishing:publish", args=[channel.pk]))
    assert not PublishAttempt.objects.exists()


def test_publish_refuses_a_channel_without_environment(client, enqueued):
    channel = approved_channel(None)
    client.force_login(factories.publisher())
    response = client.post(reverse("publishing:publish", args=[channel.pk]), follow=True)
    assert not PublishAttempt.objects.exists()
    assert "environment" in response.content.decode()


def test_a_double_click_starts_one_attempt(client, environment, enqueued):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    url = reverse("publishing:publish", args=[channel.pk])
    first = client.post(url, headers={"HX-Request": "true"})
    second = client.post(url, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert PublishAttempt.objects.filter(channel=channel).count() == 1
    assert len(enqueued) == 1
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISHING
    body = second.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "Queued" in body


def test_status_fragment_polls_while_running_and_stops_when_done(client, environment, enqueued):
    channel = approved_channel(environment)
    publisher = factories.publisher()
    client.force_login(publisher)
    client.post(reverse("publishing:publish", args=[channel.pk]))
    attempt = PublishAttempt.objects.get()
    attempt.state = "running"
    attempt.progress = "Dataverse is busy (429): retry 2 of 5, waiting 3 s"
    attempt.retries = 2
    attempt.save()
    url = reverse("publishing:publish_status", args=[channel.pk])
    body = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and "retry 2 of 5" in body
    attempt.state = "succeeded"
    attempt.widget_app_id = "0f6b0a3e-app"
    attempt.save()
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "hx-trigger" not in body and response["HX-Refresh"] == "true"
    assert "Published" in body and "0f6b0a3e-app" in body
    attempt.state = "failed"
    attempt.failed_operation = "Chat widget “<b>Contoso</b>”"
    attempt.error_message = "The length of the 'msdyn_name' attribute exceeded the maximum."
    attempt.save()
    channel.status = ChannelStatus.PUBLISH_FAILED
    channel.save()
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "&lt;b&gt;Contoso&lt;/b&gt;" in page
    assert "exceeded the maximum" in page
    assert "Publish again: revision 1 to" in page


def test_channel_page_shows_publish_button_to_publishers_only(client, environment):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    assert (
        "Publish revision 1 to" in client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    )
    client.force_login(factories.reviewer())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Publish revision 1 to" not in page
    # Whoever can't publish is told who can, instead of an empty Publish card.
    assert f"Approved: someone with the Publisher role can now publish it to {environment.name}." in page


def test_refresh_choices_clears_the_cache_and_goes_back(client, environment, monkeypatch):
    cleared = []
    monkeypatch.setattr("wizard.environment_choices.clear_cache", cleared.append)
    channel = approved_channel(environment)
    client.force_login(factories.author())
    back = reverse("wizard:step", args=[channel.pk, "workstream"])
    response = client.post(reverse("wizard:refresh_choices", args=[channel.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert cleared == [environment]
    response = client.post(
        reverse("wizard:refresh_choices", args=[channel.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == channel.resume_url


def test_wizard_step_offers_to_reload_the_lists(client, environment):
    channel = approved_channel(environment, author=factories.author())
    channel.status = ChannelStatus.DRAFT
    channel.save()
    client.force_login(channel.owner)
    page = client.get(reverse("wizard:step", args=[channel.pk, "workstream"])).content.decode()
    # The author's button belongs to the step form, so what they typed is saved first.
    assert 'form="step-form" name="nav" value="refresh"' in page
    assert "can&#x27;t be reached" in page or "can't be reached" in page


def test_the_publish_button_names_the_revision_and_what_is_live_with_a_link_to_the_changes(
    client, environment
):
    channel = approved_channel(environment)
    live = channel.revisions.get()
    live.state = Revision.State.PUBLISHED
    live.save()
    PublishAttempt.objects.create(
        channel=channel,
        revision=live,
        environment=environment,
        requested_by=factories.publisher(username="earlier"),
        state=PublishAttempt.State.SUCCEEDED,
        finished_at=timezone.now(),
    )
    data = factories.complete_data(
        details={"environment": str(environment.pk)}, appearance={"title": "Talk to us"}
    )
    approve_revision(channel, data)
    client.force_login(factories.publisher())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert f"Publish revision 2 to {environment.name} (revision 1 is live there)" in page
    assert "1 field or list differs from revision 1, the live one." in page
    compare = reverse("wizard:compare", args=[channel.pk]) + "?a=1&amp;b=2"
    assert f'href="{compare}"' in page and "Show the changes since revision 1" in page


def test_the_first_publish_says_nothing_is_live_yet(client, environment):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert f"Publish revision 1 to {environment.name}</button>" in page
    assert f"Nothing from this channel is live in {environment.name} yet." in page
