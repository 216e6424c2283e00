"""No stuck "Publishing": an attempt holds a lease, an expired one is marked failed and the channel can
be published again; a worker that picks an expired attempt up doesn't run it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry
from publishing.services import publish
from tests import factories
from tests.publishing.helpers import approved_channel
from wizard.models import ChannelStatus, PublishAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr("publishing.tasks.publish_channel", SimpleNamespace(enqueue=calls.append))
    return calls


def _crashed_publish(enqueued, *, state=PublishAttempt.State.RUNNING):
    """A publish whose worker died: the attempt stays active and the channel "Publishing"."""
    channel = approved_channel(factories.EnvironmentFactory())
    publisher = factories.publisher(username="pub")
    attempt, created = publish.request_publish(channel, publisher)
    assert created
    PublishAttempt.objects.filter(pk=attempt.pk).update(state=state)
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISHING
    return channel, attempt, publisher


def _expire(attempt):
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_new_attempt_holds_a_lease(enqueued, settings):
    settings.PORTAL_PUBLISH_LEASE_SECONDS = 120
    _channel, attempt, _publisher = _crashed_publish(enqueued)
    attempt.refresh_from_db()
    remaining = (attempt.lease_expires_at - timezone.now()).total_seconds()
    assert 100 < remaining <= 120


def test_while_the_lease_holds_a_second_request_starts_nothing(enqueued):
    channel, attempt, publisher = _crashed_publish(enqueued)
    again, created = publish.request_publish(channel, publisher)
    assert not created and again.pk == attempt.pk


def test_an_expired_attempt_is_failed_and_the_channel_can_be_published_again(enqueued):
    channel, attempt, publisher = _crashed_publish(enqueued)
    _expire(attempt)
    fresh, created = publish.request_publish(channel, publisher)
    assert created and fresh.pk != attempt.pk
    attempt.refresh_from_db()
    assert attempt.state == PublishAttempt.State.FAILED
    assert "interrupted" in attempt.error_message
    assert AuditEntry.objects.filter(action="publish.expired", channel_id=channel.pk).exists()


def test_the_channel_page_shows_an_expired_publish_as_failed(client, enqueued):
    channel, attempt, publisher = _crashed_publish(enqueued, state=PublishAttempt.State.QUEUED)
    _expire(attempt)
    client.force_login(publisher)
    html = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.PUBLISH_FAILED
    assert "interrupted" in html


def test_the_status_fragment_expires_it_too(client, enqueued):
    channel, attempt, publisher = _crashed_publish(enqueued)
    _expire(attempt)
    client.force_login(publisher)
    response = client.get(reverse("publishing:publish_status", args=[channel.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.get("HX-Refresh") == "true"


def test_a_worker_picking_up_an_expired_attempt_does_not_run_it(enqueued, monkeypatch):
    channel, attempt, _publisher = _crashed_publish(enqueued, state=PublishAttempt.State.QUEUED)
    _expire(attempt)
    monkeypatch.setattr(
        publish.environment_service, "client_for", lambda *a, **k: pytest.fail("must not connect")
    )
    result = publish.run_publish(attempt.pk)
    assert result.state == PublishAttempt.State.FAILED


def test_a_late_outcome_of_an_expired_attempt_changes_nothing(enqueued):
    channel, attempt, _publisher = _crashed_publish(enqueued)
    _expire(attempt)
    publish.expire_stale_attempts()
    attempt.refresh_from_db()
    publish._finish_failed(attempt, "late failure", "")
    attempt.refresh_from_db()
    assert "interrupted" in attempt.error_message
    assert not AuditEntry.objects.filter(action="publish.failed").exists()
