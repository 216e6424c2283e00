"""Roll back (review, or an administrator's skip with a reason) and scheduled publish (with the publish task stubbed)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import permissions
from portal.models import AuditEntry
from publishing.models import Rollback, ScheduledPublish
from publishing.services import rollback, schedule
from tests import factories
from tests.publishing.helpers import approve_revision, approved_channel
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision
from wizard.services import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr("publishing.tasks.publish_channel", SimpleNamespace(enqueue=calls.append))
    return calls


@pytest.fixture
def environment():
    return factories.EnvironmentFactory(time_zone="Asia/Seoul")


def _published(channel: Channel, revision: Revision) -> None:
    PublishAttempt.objects.create(
        channel=channel,
        revision=revision,
        environment=channel.environment,
        requested_by=factories.publisher(),
        state=PublishAttempt.State.SUCCEEDED,
        finished_at=timezone.now(),
    )
    workflow.mark_published(revision, None, channel.environment)


def _twice_published(environment) -> Channel:
    """Revision 1 (title "First") was live, revision 2 (title "Second") is live now."""
    channel = approved_channel(environment)
    first = channel.revisions.get()
    first.data["appearance"]["title"] = "First"
    first.content_hash = first.approved_hash = workflow.content_hash(first.data)
    first.save()
    _published(channel, first)
    channel.refresh_from_db()
    data = {**first.data, "appearance": {**first.data["appearance"], "title": "Second"}}
    _published(channel, approve_revision(channel, data))
    channel.refresh_from_db()
    return channel


def _admin():
    return factories.UserFactory(groups=[permissions.ADMINISTRATORS, permissions.PUBLISHERS])


# --- roll back ---------------------------------------------------------------------------------------


def test_roll_back_makes_a_new_revision_in_review_with_the_old_content(environment, enqueued):
    channel = _twice_published(environment)
    done = rollback.roll_back(channel, factories.publisher(), 1)
    revision = done.revision
    channel.refresh_from_db()
    assert revision.number == 3
    assert revision.data["appearance"]["title"] == "First"
    assert revision.state == Revision.State.IN_REVIEW
    assert channel.status == ChannelStatus.IN_REVIEW
    assert channel.data["appearance"]["title"] == "First"
    # It can't be published before a second person approves it.
    assert workflow.publish_refusal(revision) is not None
    assert AuditEntry.objects.filter(action="revision.rolled_back", revision=revision).exists()


def test_roll_back_refuses_the_live_revision_and_a_never_published_one(environment):
    channel = _twice_published(environment)
    publisher = factories.publisher()
    with pytest.raises(rollback.RollbackError):
        rollback.roll_back(channel, publisher, 2)  # live now
    with pytest.raises(rollback.RollbackError):
        rollback.roll_back(channel, publisher, 99)
    assert channel.revisions.count() == 2


def test_roll_back_needs_the_publish_permission(environment):
    channel = _twice_published(environment)
    with pytest.raises(Exception, match="roll back"):
        rollback.roll_back(channel, factories.author(), 1)


def test_only_an_administrator_may_skip_review_and_only_with_a_reason(client, environment):
    channel = _twice_published(environment)
    client.force_login(factories.publisher())
    response = client.post(
        reverse("publishing:roll_back", args=[channel.pk]),
        {"number": 1, "skip_review": "on", "reason": "Outage"},
    )
    assert response.status_code == 403
    client.force_login(_admin())
    response = client.post(
        reverse("publishing:roll_back", args=[channel.pk]),
        {"number": 1, "skip_review": "on", "reason": "  "},
        follow=True,
    )
    assert "Write why the review is skipped." in response.content.decode()
    assert not Rollback.objects.exists()


def test_an_administrator_skips_review_with_a_reason_audited_and_shown(client, environment, enqueued):
    channel = _twice_published(environment)
    admin = _admin()
    client.force_login(admin)
    reason = "<script>alert(1)</script> the new title broke the site"
    response = client.post(
        reverse("publishing:roll_back", args=[channel.pk]),
        {"number": 1, "skip_review": "on", "reason": reason},
        follow=True,
    )
    page = response.content.decode()
    revision = Revision.objects.get(channel=channel, number=3)
    assert revision.state == Revision.State.APPROVED
    assert workflow.publish_refusal(revision, admin) is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the new title broke the site" in page
    assert "<script>alert(1)" not in page
    entry = AuditEntry.objects.get(action="revision.rolled_back")
    assert entry.comment == reason and entry.details["review_skipped"] is True
    # And it publishes like any approved revision.
    response = client.post(reverse("publishing:publish", args=[channel.pk]))
    assert PublishAttempt.objects.filter(revision=revision).exists()
    assert len(enqueued) == 1


def test_a_plain_rollback_is_not_publishable_by_its_author_alone(environment, enqueued):
    channel = _twice_published(environment)
    admin = _admin()
    done = rollback.roll_back(channel, admin, 1)
    Revision.objects.filter(pk=done.revision.pk).update(
        state=Revision.State.APPROVED, reviewed_by=admin, approved_hash=done.revision.content_hash
    )
    done.revision.refresh_from_db()
    assert "second person" in workflow.publish_refusal(done.revision)


def test_roll_back_page_shows_the_candidates(client, environment):
    channel = _twice_published(environment)
    client.force_login(factories.publisher())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert "Roll back to revision 1" in page
    assert "Roll back to revision 2" not in page


def test_the_panel_says_why_it_offers_nothing(client, environment):
    draft = factories.ChannelFactory(environment=environment)
    client.force_login(factories.publisher())
    page = client.get(reverse("wizard:channel", args=[draft.pk])).content.decode()
    assert "Nothing is scheduled." in page and "Roll back to revision" not in page
    channel = _twice_published(environment)
    assert (
        "Nothing is scheduled."
        not in client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    )


def test_roll_back_with_bad_input_is_refused_without_a_500(client, environment):
    channel = _twice_published(environment)
    client.force_login(_admin())
    url = reverse("publishing:roll_back", args=[channel.pk])
    for data in (
        {"number": "abc"},
        {"number": "-1"},
        {},
        {"number": 1, "skip_review": "on", "reason": "x" * 5000},
    ):
        assert client.post(url, data).status_code == 302
    assert not Rollback.objects.exists()


def test_a_reason_past_its_limit_is_refused_and_shown_whole_beside_why(client, environment):
    channel = _twice_published(environment)
    client.force_login(_admin())
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    panel = page[page.index('id="schedule-panel"') :]
    assert "maxlength" not in panel
    assert 'data-max-length="2000" data-count-characters' in panel
    assert (
        'data-too-long-message="Shorten this text to at most %(limit)d characters (it has %(length)d)."'
        in panel
    )
    reason = "<i>Outage</i> " + "x" * 2000
    response = client.post(
        reverse("publishing:roll_back", args=[channel.pk]),
        {"number": 1, "skip_review": "on", "reason": reason},
        follow=True,
    )
    assert not Rollback.objects.exists()
    page = response.content.decode()
    message = f"Shorten this text to at most 2000 characters (it has {len(reason)})."
    assert page.count(message) == 1  # beside the field, not again at the top
    assert 'id="skip-1" checked' in page
    assert (
        'class="form-control is-invalid" name="reason" id="reason-1" rows="2" data-max-length="2000" '
        'data-count-characters aria-invalid="true" aria-describedby="reason-1_error" autofocus>\n'
        "&lt;i&gt;Outage&lt;/i&gt; " + "x" * 2000 + "</textarea>"
    ) in page
    assert f'<div class="invalid-feedback" id="reason-1_error">{message}</div>' in page
    # Shown once: the next visit has the empty form again.
    page = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert message not in page and "Outage" not in page


def test_the_service_refuses_a_reason_past_its_limit_instead_of_cutting_it(environment):
    channel = _twice_published(environment)
    with pytest.raises(rollback.RollbackError, match=r"at most 2000 characters \(it has 2001\)"):
        rollback.roll_back(channel, _admin(), 1, skip_reason="x" * 2001)
    assert not Rollback.objects.exists()


# --- scheduled publish ---------------------------------------------------------------------------------


def _local(minutes: int) -> str:
    """A time ``minutes`` from now as typed in Seoul (UTC+9, no daylight saving)."""
    return (timezone.now() + timedelta(hours=9, minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def test_publish_at_stores_utc_from_the_environments_zone(client, environment):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    typed = _local(120)
    response = client.post(reverse("publishing:schedule", args=[channel.pk]), {"run_at": typed}, follow=True)
    scheduled = ScheduledPublish.objects.get()
    expected = (timezone.now() + timedelta(minutes=120)).replace(second=0, microsecond=0)
    assert abs((scheduled.run_at - expected).total_seconds()) <= 60
    assert scheduled.run_at.utcoffset() == timedelta(0)
    page = response.content.decode()
    assert "Asia/Seoul" in page
    assert typed.replace("T", " ") in page
    assert "Cancel scheduled publish" in page
    home = client.get(reverse("home")).content.decode()
    assert "Scheduled publishes" in home and channel.display_name in home
    assert AuditEntry.objects.filter(action="publish.scheduled").exists()


def test_publish_at_refuses_a_time_in_the_past(client, environment):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    typed = _local(-5)
    response = client.post(reverse("publishing:schedule", args=[channel.pk]), {"run_at": typed}, follow=True)
    html = response.content.decode()
    assert "That time is in the past" in html
    assert not ScheduledPublish.objects.exists()
    # The time stays as typed, to be corrected rather than entered again; once.
    assert f'name="run_at" id="id_run_at" class="form-control" value="{typed}"' in html
    again = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert 'id="id_run_at" class="form-control" value=""' in again


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-13-40T25:61", "<b>x</b>", "9" * 500])
def test_publish_at_refuses_bad_input_without_a_500(client, environment, value):
    channel = approved_channel(environment)
    client.force_login(factories.publisher())
    response = client.post(reverse("publishing:schedule", args=[channel.pk]), {"run_at": value})
    assert response.status_code == 302
    assert not ScheduledPublish.objects.exists()


def test_publish_at_needs_the_publish_permission_and_an_approved_revision(client, environment):
    channel = approved_channel(environment)
    client.force_login(factories.author())
    assert (
        client.post(reverse("publishing:schedule", args=[channel.pk]), {"run_at": _local(60)}).status_code
        == 403
    )
    Channel.objects.filter(pk=channel.pk).update(status=ChannelStatus.DRAFT)
    Revision.objects.filter(channel=channel).update(state=Revision.State.SUPERSEDED)
    with pytest.raises(schedule.ScheduleError):
        schedule.schedule(channel, factories.publisher(), timezone.now() + timedelta(hours=1))


def test_a_second_schedule_is_refused_while_one_stands(environment):
    channel = approved_channel(environment)
    publisher = factories.publisher()
    schedule.schedule(channel, publisher, timezone.now() + timedelta(hours=1))
    with pytest.raises(schedule.ScheduleError, match="already scheduled"):
        schedule.schedule(channel, publisher, timezone.now() + timedelta(hours=2))


def test_a_scheduled_publish_is_cancelled_by_an_edit(environment, enqueued):
    channel = approved_channel(environment)
    author = channel.owner
    scheduled = schedule.schedule(channel, factories.publisher(), timezone.now() + timedelta(hours=1))
    channel.refresh_from_db()
    factories.edit_appearance(channel, author, title="Edited after scheduling")
    ScheduledPublish.objects.filter(pk=scheduled.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    assert schedule.run(scheduled.pk).state == ScheduledPublish.State.CANCELLED
    assert not PublishAttempt.objects.exists()
    assert enqueued == []
    assert AuditEntry.objects.filter(action="publish.schedule_cancelled").exists()
    assert list(schedule.upcoming()) == []


def test_an_edit_takes_the_schedule_off_the_pages_at_once(client, environment):
    channel = approved_channel(environment)
    schedule.schedule(channel, factories.publisher(), timezone.now() + timedelta(hours=1))
    Channel.objects.filter(pk=channel.pk).update(version=channel.version + 1)
    client.force_login(factories.publisher())
    assert "Scheduled publishes" not in client.get(reverse("home")).content.decode()
    assert ScheduledPublish.objects.get().state == ScheduledPublish.State.CANCELLED


def test_a_scheduled_publish_can_be_cancelled_by_hand(client, environment, enqueued):
    channel = approved_channel(environment)
    schedule.schedule(channel, factories.publisher(), timezone.now() + timedelta(hours=1))
    client.force_login(factories.publisher())
    client.post(reverse("publishing:cancel_schedule", args=[channel.pk]))
    scheduled = ScheduledPublish.objects.get()
    assert scheduled.state == ScheduledPublish.State.CANCELLED
    ScheduledPublish.objects.filter(pk=scheduled.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    assert schedule.run_due() == 0
    assert enqueued == []


def test_a_due_schedule_publishes_and_leaves_the_pages(client, environment, enqueued):
    channel = approved_channel(environment)
    publisher = factories.publisher()
    scheduled = schedule.schedule(channel, publisher, timezone.now() + timedelta(hours=1))
    assert schedule.run(scheduled.pk).state == ScheduledPublish.State.SCHEDULED  # not due yet
    assert enqueued == []
    ScheduledPublish.objects.filter(pk=scheduled.pk).update(run_at=timezone.now() - timedelta(seconds=1))
    client.force_login(publisher)
    home = client.get(reverse("home")).content.decode()  # the page runs what is due
    scheduled.refresh_from_db()
    assert scheduled.state == ScheduledPublish.State.STARTED
    attempt = PublishAttempt.objects.get()
    assert scheduled.attempt == attempt and attempt.requested_by == publisher
    assert enqueued == [attempt.pk]
    assert "Scheduled publishes" not in home


def test_the_database_backend_gets_the_task_with_run_after(
    environment, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    channel = approved_channel(environment)
    when = timezone.now() + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = schedule.schedule(channel, factories.publisher(), when)
    results = default_task_backend.results
    assert len(results) == 1
    assert results[0].task.run_after == when
    assert results[0].args == [scheduled.pk]
    assert schedule.run_due() == 0  # the worker runs it, not the pages


@pytest.mark.parametrize(
    ("value", "valid", "stored"),
    [("Asia/Seoul", True, "Asia/Seoul"), ("", True, "UTC"), ("Mars/Base", False, None), ("<b>", False, None)],
)
def test_the_environment_form_takes_a_known_time_zone(value, valid, stored):
    from portal.forms.environments import EnvironmentForm

    form = EnvironmentForm(
        data={
            "name": "Contoso tz",
            "kind": "test",
            "org_url": "https://contosotz.crm.dynamics.com",
            "tenant_id": "00000000-0000-0000-0000-0000000000aa",
            "client_id": "11111111-1111-1111-1111-111111111111",
            "authority_host": "https://login.microsoftonline.com",
            "client_secret": "s3cret",
            "time_zone": value,
        }
    )
    assert form.is_valid() is valid, form.errors
    if valid:
        assert form.cleaned_data["time_zone"] == stored
    else:
        assert "time_zone" in form.errors


def test_roll_back_never_replaces_unsubmitted_edits(environment):
    channel = _twice_published(environment)
    factories.edit_appearance(channel, channel.owner, title="Work in progress")
    with pytest.raises(rollback.RollbackError, match="not submitted"):
        rollback.roll_back(channel, factories.publisher(), 1)
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Work in progress"
    assert channel.revisions.count() == 2


def test_a_roll_back_cancels_a_scheduled_publish(environment):
    channel = _twice_published(environment)
    data = channel.revisions.get(number=2).data
    approve_revision(channel, {**data, "appearance": {**data["appearance"], "title": "Third"}})
    channel.refresh_from_db()
    schedule.schedule(channel, factories.publisher(), timezone.now() + timedelta(hours=1))
    rollback.roll_back(channel, factories.publisher(), 1)
    assert list(schedule.upcoming()) == []
    assert ScheduledPublish.objects.get().state == ScheduledPublish.State.CANCELLED
