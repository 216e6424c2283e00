"""Four eyes without side doors: provenance travels with content through "Restore as new draft" and
"Duplicate", and deleting follows the rule of withdrawing."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models import AuditEntry
from tests import factories
from wizard.models import Channel, ChannelStatus
from wizard.services import drafts, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    both = ["Channel authors", "Channel reviewers"]
    return {
        "writer": factories.UserFactory(username="writer", groups=both),
        "other": factories.UserFactory(username="other", groups=both),
        "reviewer": factories.reviewer(username="reviewer"),
        "stranger": factories.author(username="stranger"),
    }


def _submitted_by(user, channel=None):
    channel = channel or factories.ChannelFactory(owner=user, editor_ids=[user.pk])
    revision = workflow.submit(channel, user)
    channel.refresh_from_db()
    return channel, revision


def _approve(channel, revision, reviewer):
    return workflow.approve(channel, reviewer, revision_id=revision.pk, shown_hash=revision.content_hash)


def _publish(channel, revision, reviewer):
    _approve(channel, revision, reviewer)
    revision.refresh_from_db()
    workflow.mark_published(revision, None)
    channel.refresh_from_db()
    return channel


def test_restoring_your_own_revision_through_someone_else_does_not_let_you_approve_it(people):
    writer, other, reviewer = people["writer"], people["other"], people["reviewer"]
    channel, first = _submitted_by(writer)
    channel = _publish(channel, first, reviewer)
    factories.edit_appearance(channel, other, title="Other's title")
    channel.refresh_from_db()
    channel, second = _submitted_by(other, channel)
    channel = _publish(channel, second, reviewer)
    # "other" brings the writer's revision 1 back and submits it: the writer wrote all of it.
    channel = workflow.restore_as_new_draft(channel, other, first.number)
    assert writer.pk in channel.editor_ids
    channel, third = _submitted_by(other, channel)
    assert third.data == first.data
    assert writer.pk in workflow.involved_user_ids(third)
    with pytest.raises(
        PermissionDenied, match=r"wrote part of this content \(revision 1, restored as revision 3\)"
    ):
        _approve(channel, third, writer)
    assert AuditEntry.objects.filter(action="revision.approve_refused").exists()
    assert _approve(channel, third, reviewer).state == "approved"


def test_duplicating_keeps_who_wrote_the_content(people):
    writer, other = people["writer"], people["other"]
    source = factories.ChannelFactory(owner=writer, editor_ids=[writer.pk])
    copy = drafts.duplicate(source, other)
    assert writer.pk in copy.editor_ids
    channel, revision = _submitted_by(other, copy)
    with pytest.raises(PermissionDenied):
        _approve(channel, revision, writer)
    assert workflow.approval_refusal(revision, people["reviewer"]) is None


def test_duplicating_a_channel_with_history_keeps_its_revisions_authors(people):
    writer, other = people["writer"], people["other"]
    source, revision = _submitted_by(writer)
    workflow.withdraw(source, writer)
    source.refresh_from_db()
    # The draft is now edited only by "other"; the writer's words are still in it.
    Channel.objects.filter(pk=source.pk).update(owner=other, editor_ids=[other.pk], last_editor=other)
    source.refresh_from_db()
    copy = drafts.duplicate(source, people["stranger"])
    assert {writer.pk, other.pk, people["stranger"].pk} <= set(copy.editor_ids)


def test_duplicate_twice_with_the_same_token_makes_one_copy(client, people):
    source = factories.ChannelFactory(owner=people["writer"])
    client.force_login(people["stranger"])
    token = str(uuid.uuid4())
    url = reverse("wizard:duplicate", args=[source.pk])
    first = client.post(url, {"token": token})
    second = client.post(url, {"token": token})
    assert first["Location"] == second["Location"]
    assert Channel.objects.exclude(pk=source.pk).count() == 1
    client.post(url, {"token": "not-a-uuid"})
    assert Channel.objects.exclude(pk=source.pk).count() == 2


def test_the_channel_list_gives_each_duplicate_button_a_token(client, people):
    factories.ChannelFactory(owner=people["writer"])
    client.force_login(people["stranger"])
    html = client.get(reverse("wizard:channels")).content.decode()
    assert 'name="token"' in html


@pytest.mark.parametrize("status", [ChannelStatus.IN_REVIEW, ChannelStatus.APPROVED])
def test_nobody_deletes_a_channel_in_review_or_approved(client, people, status):
    writer = people["writer"]
    channel = factories.ChannelFactory(owner=writer, editor_ids=[writer.pk], status=status)
    for user in (people["stranger"], writer):
        client.force_login(user)
        response = client.post(reverse("wizard:delete", args=[channel.pk]), follow=True)
        assert Channel.objects.filter(pk=channel.pk).exists()
        assert "first" in response.content.decode()
    assert AuditEntry.objects.filter(action="channel.delete_refused").count() == 2


def test_another_author_cannot_delete_a_draft_they_may_not_withdraw(client, people):
    writer = people["writer"]
    channel = factories.ChannelFactory(owner=writer, editor_ids=[writer.pk])
    with pytest.raises(drafts.DraftError, match="owner"):
        drafts.delete_draft(channel, people["stranger"])
    drafts.delete_draft(channel, writer)
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_after_withdrawing_the_author_can_delete(people):
    writer = people["writer"]
    channel, _revision = _submitted_by(writer)
    with pytest.raises(drafts.DraftError, match="Withdraw it"):
        drafts.delete_draft(channel, writer)
    workflow.withdraw(channel, writer)
    channel.refresh_from_db()
    drafts.delete_draft(channel, writer)
    assert not Channel.objects.filter(pk=channel.pk).exists()
